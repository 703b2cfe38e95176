package mail_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt/mail"
)

func TestFaulty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := &mail.Recorder{}
	f := mail.NewFaulty(rec)
	msg := mail.Message{From: "no-reply@example.com", To: []string{"ada@example.com"}, Subject: "Hello", Text: "Hi"}

	f.Inject(1, mail.FaultFail)
	f.Inject(2, mail.FaultTimeout)
	f.Inject(3, mail.FaultLost)
	f.Inject(4, mail.FaultHang)

	require.ErrorIs(t, f.Send(ctx, msg), mail.ErrInjected)
	require.ErrorIs(t, f.Send(ctx, msg), context.DeadlineExceeded)
	assert.Equal(t, 0, rec.Len(), "failed and timed-out sends send nothing")
	require.ErrorIs(t, f.Send(ctx, msg), context.DeadlineExceeded)
	assert.Equal(t, 1, rec.Len(), "a lost reply still delivered the mail")

	hctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, f.Send(hctx, msg), context.DeadlineExceeded)

	require.NoError(t, f.Send(ctx, msg), "faults fire once")
	assert.Equal(t, 2, rec.Len())
	assert.Equal(t, 5, f.Sends())
	f.Reset()
	assert.Zero(t, f.Sends())
}

// ExampleFaulty makes a mail server take a mail and lose its reply: the
// sender sees a timeout although the mail went out.
func ExampleFaulty() {
	rec := &mail.Recorder{}
	server := mail.NewFaulty(rec)
	server.Inject(1, mail.FaultLost)
	err := server.Send(context.Background(), mail.Message{From: "no-reply@example.com",
		To: []string{"ada@example.com"}, Subject: "Hello", Text: "Hi"})
	fmt.Println(errors.Is(err, context.DeadlineExceeded), rec.Len())
	// Output: true 1
}
