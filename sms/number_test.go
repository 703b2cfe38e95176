package sms_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
)

// Numbers of every type, as libphonenumber classifies them.
var numbersByType = []struct {
	number string
	region string
	typ    sms.NumberType
}{
	{"+447400123456", "GB", sms.NumberMobile},
	{"+46701234567", "SE", sms.NumberMobile},
	{"+12025550123", "US", sms.NumberFixedLineOrMobile},
	{"+442079460958", "GB", sms.NumberFixedLine},
	{"+448001234567", "GB", sms.NumberTollFree},
	{"+449098790123", "GB", sms.NumberPremiumRate},
	{"+19005550123", "US", sms.NumberPremiumRate},
	{"+33810123456", "FR", sms.NumberSharedCost},
	{"+445612345678", "GB", sms.NumberVoIP},
	{"+447012345678", "GB", sms.NumberPersonal},
	{"+447640123456", "GB", sms.NumberPager},
	{"+445512345678", "GB", sms.NumberUAN},
	{"+41860123456789", "CH", sms.NumberVoicemail},
}

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, tt := range numbersByType {
		d, err := sms.Lookup(tt.number)
		require.NoError(t, err, tt.number)
		assert.Equal(t, tt.region, d.Region, tt.number)
		assert.Equal(t, tt.typ, d.Type, tt.number)
		assert.Equal(t, tt.number, d.Number)
	}
	d, err := sms.Lookup("+881234567890")
	require.NoError(t, err)
	assert.Equal(t, 881, d.CallingCode)
	assert.Empty(t, d.Region, "a global calling code has no region")
}

func TestLookupErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "0701234567", "447400123456", "+0447400123456", "+44 7400 123456",
		"+4474001234567890", "+447", "tel:+447400123456", "+44740012345x"} {
		_, err := sms.Lookup(in)
		assert.ErrorIs(t, err, sms.ErrInvalidMessage, "%q", in)
		assert.NotContains(t, err.Error(), "7400123456")
	}
	_, err := sms.Lookup("+447700900123")
	var re *sms.RefusedError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, sms.ReasonInvalidNumber, re.Reason)
	assert.Equal(t, "+*********123", re.To)
}
