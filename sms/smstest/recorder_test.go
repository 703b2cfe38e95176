package smstest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/smstest"
)

const (
	alice = "+447400123456"
	bob   = "+46701234567"
)

func TestRecorder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var rec smstest.Recorder
	_, ok := rec.Last(alice)
	assert.False(t, ok)
	assert.Empty(t, rec.LastCode(alice))

	rc, err := rec.Send(ctx, sms.Message{To: alice, Body: "Your verification code is 123456. It is valid for 10 minutes.", Purpose: sms.PurposeCode})
	require.NoError(t, err)
	assert.Equal(t, sms.Receipt{ID: "rec-1", Segments: 1, Encoding: sms.GSM7, Status: "recorded"}, rc)
	_, err = rec.Send(ctx, sms.Message{To: bob, Body: "Din kod är 9876"})
	require.NoError(t, err)
	_, err = rec.Send(ctx, sms.Message{To: alice, Body: "Ticket 2024: your code is 00420017"})
	require.NoError(t, err)

	assert.Equal(t, 3, rec.Len())
	assert.Equal(t, "00420017", rec.LastCode(alice), "the last code of the last message")
	assert.Equal(t, "9876", rec.LastCode(bob))
	last, ok := rec.Last(alice)
	require.True(t, ok)
	assert.Contains(t, last.Body, "Ticket 2024")
	assert.Len(t, rec.To(alice), 2)
	msgs := rec.Messages()
	require.Len(t, msgs, 3)
	msgs[0].Body = "changed"
	assert.NotEqual(t, "changed", rec.Messages()[0].Body, "Messages returns a copy")

	_, err = rec.Send(ctx, sms.Message{To: bob, Body: "no code 123 here, nor 123456789"})
	require.NoError(t, err)
	assert.Empty(t, rec.LastCode(bob))

	rec.Reset()
	assert.Zero(t, rec.Len())
	rc, err = rec.Send(ctx, sms.Message{To: alice, Body: "x"})
	require.NoError(t, err)
	assert.Equal(t, "rec-5", rc.ID, "ids go on after Reset")
}

func TestRecorderFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var rec smstest.Recorder
	down := errors.New("gateway down")
	rec.FailNext(down)
	rec.FailNext(sms.ErrRateLimited)
	_, err := rec.Send(ctx, sms.Message{To: alice, Body: "1"})
	assert.ErrorIs(t, err, down)
	_, err = rec.Send(ctx, sms.Message{To: alice, Body: "2"})
	assert.ErrorIs(t, err, sms.ErrRateLimited)
	_, err = rec.Send(ctx, sms.Message{To: alice, Body: "3"})
	assert.NoError(t, err)
	assert.Equal(t, 1, rec.Len(), "failed messages are not recorded")

	rec.FailWhen(func(m sms.Message) error {
		if m.To == bob {
			return &sms.RefusedError{Reason: sms.ReasonNumberType}
		}
		return nil
	})
	_, err = rec.Send(ctx, sms.Message{To: bob, Body: "x"})
	assert.ErrorIs(t, err, sms.ErrRefused)
	_, err = rec.Send(ctx, sms.Message{To: alice, Body: "x"})
	assert.NoError(t, err)
	rec.FailWhen(nil)
	_, err = rec.Send(ctx, sms.Message{To: bob, Body: "x"})
	assert.NoError(t, err)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = rec.Send(cancelled, sms.Message{To: alice, Body: "x"})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRecorderConcurrent(t *testing.T) {
	t.Parallel()
	var rec smstest.Recorder
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			_, err := rec.Send(context.Background(), sms.Message{To: alice, Body: fmt.Sprint("code ", 100000+i)})
			assert.NoError(t, err)
			_ = rec.LastCode(alice)
			_ = rec.Messages()
		})
	}
	wg.Wait()
	assert.Equal(t, 50, rec.Len())
}

func ExampleRecorder() {
	ctx := context.Background()
	rec := &smstest.Recorder{}
	tpl, _ := sms.NewTemplates(sms.TemplateConfig{})
	body, _ := tpl.Render(sms.TemplateLoginCode, "en", sms.LoginCodeData{Code: "482913", ValidFor: 600e9})
	_, _ = rec.Send(ctx, sms.Message{To: "+447400123456", Body: body, Purpose: sms.PurposeCode})

	fmt.Println(rec.LastCode("+447400123456"))
	// Output: 482913
}
