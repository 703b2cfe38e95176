package faultplan

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlanFiresOnTheNthMatchingCallOnce(t *testing.T) {
	var p Plan
	p.Add(2, "", 1)
	p.Add(1, "Get", 2)
	p.Add(0, "", 3) // ignored

	_, ok := p.Next("Put")
	assert.False(t, ok, "first call: the any-call fault waits for the second")
	m, ok := p.Next("Get")
	require.True(t, ok)
	assert.Equal(t, Mode(1), m, "the second call fires the first scheduled fault; the Get fault waits")
	m, ok = p.Next("Get")
	require.True(t, ok)
	assert.Equal(t, Mode(2), m)
	_, ok = p.Next("Get")
	assert.False(t, ok, "every fault fires once")
	assert.Equal(t, []string{"Put", "Get", "Get", "Get"}, p.Calls())

	p.Add(1, "", 1)
	p.Reset()
	_, ok = p.Next("Put")
	assert.False(t, ok, "Reset drops pending faults")
	assert.Equal(t, []string{"Put"}, p.Calls())
}

func TestErrors(t *testing.T) {
	assert.ErrorIs(t, Timeout("w", "Get"), context.DeadlineExceeded)
	assert.Contains(t, Timeout("w", "Get").Error(), "Get")
	sentinel := errors.New("injected")
	assert.ErrorIs(t, Failed(sentinel, "Put"), sentinel)
	assert.Contains(t, Failed(sentinel, "Put").Error(), "Put")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, Hang(ctx, "w", "Get"), context.DeadlineExceeded)
}
