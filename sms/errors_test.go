package sms_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/rosterkit/roster/sms"
)

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"+447400123456", "+*********456"},
		{"+46701234567", "+********567"},
		{"123", "123"},
		{"12", "12"},
		{"", ""},
		{"Acme", "Acme"},
		{"+1 (202) 555-0123", "+* (***) ***-*123"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sms.Mask(tt.in), tt.in)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"The 'To' number +15005550001 is not a valid phone number.", 0, "The 'To' number +********001 is not a valid phone number."},
		{"code 21211 at line 12", 0, "code 21211 at line 12"},
		{"to 0046 70 123 45 67 failed", 0, "to **** ** *** *5 67 failed"},
		{"call +1 (415) 555-2671 now", 0, "call +* (***) ***-*671 now"},
		{"short", 3, "sho…"},
		{"åäö", 3, "å…"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sms.Redact(tt.in, tt.max), tt.in)
	}
	long := strings.Repeat("x", 600)
	assert.Len(t, sms.Redact(long, 0), 512+len("…"))
}

func TestErrorsMatch(t *testing.T) {
	t.Parallel()
	lim := &sms.LimitError{Rule: sms.RuleDestination, Limit: 3, Window: 10 * time.Minute, RetryAfter: time.Minute}
	wrapped := fmt.Errorf("auth: send pin: %w", lim)
	assert.ErrorIs(t, wrapped, sms.ErrRateLimited)
	assert.NotErrorIs(t, wrapped, sms.ErrRefused)
	var le *sms.LimitError
	assert.True(t, errors.As(wrapped, &le))
	assert.Equal(t, "sms: rate limited by rule destination (3 per 10m0s), retry after 1m0s", lim.Error())

	ref := &sms.RefusedError{Reason: sms.ReasonNumberType, To: sms.Mask("+449098790123"), Region: "GB", Type: sms.NumberPremiumRate}
	assert.ErrorIs(t, ref, sms.ErrRefused)
	assert.NotErrorIs(t, ref, sms.ErrRateLimited)
	assert.Equal(t, "sms: destination refused: number type premium_rate not allowed (+*********123)", ref.Error())
	assert.Equal(t, "sms: destination refused: region GB not allowed",
		(&sms.RefusedError{Reason: sms.ReasonRegion, Region: "GB"}).Error())
	assert.Equal(t, "sms: destination refused: not a valid phone number",
		(&sms.RefusedError{Reason: sms.ReasonInvalidNumber}).Error())

	pe := &sms.ProviderError{Provider: "twilio", Status: 400, Code: "21211", Message: "bad number", Refused: true}
	assert.ErrorIs(t, pe, sms.ErrRefused)
	assert.NotErrorIs(t, pe, sms.ErrRateLimited)
	assert.Equal(t, "sms: twilio: status 400: code 21211: bad number", pe.Error())
	busy := &sms.ProviderError{Provider: "twilio", Status: 429}
	assert.ErrorIs(t, busy, sms.ErrRateLimited)
	cause := errors.New("connection refused")
	down := &sms.ProviderError{Provider: "kannel", Err: cause, Retryable: true}
	assert.ErrorIs(t, down, cause)
	assert.Equal(t, "sms: kannel: connection refused", down.Error())
}
