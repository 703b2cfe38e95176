package smstest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/smstest"
)

func TestFaulty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := &smstest.Recorder{}
	f := smstest.NewFaulty(rec)
	m := sms.Message{To: "+447911123456", Body: "Your code is 123456"}

	f.Inject(1, smstest.Fail)
	f.Inject(2, smstest.Timeout)
	f.Inject(3, smstest.Lost)
	f.Inject(4, smstest.Garbage)
	f.Inject(5, smstest.Hang)

	_, err := f.Send(ctx, m)
	require.ErrorIs(t, err, smstest.ErrInjected)
	_, err = f.Send(ctx, m)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 0, rec.Len(), "failed and timed-out sends send nothing")

	_, err = f.Send(ctx, m)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, rec.Len(), "a lost answer still sent the message")

	r, err := f.Send(ctx, m)
	require.NoError(t, err)
	assert.Negative(t, r.Segments, "garbage comes back as a receipt")
	assert.Equal(t, 2, rec.Len())

	hctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = f.Send(hctx, m)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	r, err = f.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, "recorded", r.Status, "faults fire once, then sends go through")
	assert.Equal(t, 6, f.Sends())
	f.Reset()
	assert.Zero(t, f.Sends())
}

// ExampleFaulty makes a gateway time out on the first send and answer
// normally on the second.
func ExampleFaulty() {
	rec := &smstest.Recorder{}
	gateway := smstest.NewFaulty(rec)
	gateway.Inject(1, smstest.Timeout)
	m := sms.Message{To: "+447911123456", Body: "Your code is 123456"}

	_, err := gateway.Send(context.Background(), m)
	fmt.Println("first:", errors.Is(err, context.DeadlineExceeded), rec.Len())
	_, err = gateway.Send(context.Background(), m)
	fmt.Println("second:", err, rec.Len())
	// Output:
	// first: true 0
	// second: <nil> 1
}
