package sms_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
)

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestConsole(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := sms.NewConsole(&buf)
	rc, err := c.Send(context.Background(), sms.Message{To: "+447400123456", Body: "Your code is 123456", Purpose: sms.PurposeCode})
	require.NoError(t, err)
	assert.Equal(t, sms.Receipt{ID: "console-1", Segments: 1, Encoding: sms.GSM7, Status: "printed"}, rc)
	assert.Equal(t, "[sms to +447400123456, code, 1 segment(s)] Your code is 123456\n", buf.String())

	_, err = sms.NewConsole(failWriter{}).Send(context.Background(), sms.Message{To: "+1", Body: "x"})
	assert.ErrorContains(t, err, "sms: console: disk full")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Send(ctx, sms.Message{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestConsoleConcurrent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := sms.NewConsole(&buf)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := c.Send(context.Background(), sms.Message{To: "+1", Body: "x"})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 20, bytes.Count(buf.Bytes(), []byte("\n")), "lines never interleave")
}
