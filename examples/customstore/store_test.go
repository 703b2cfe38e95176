package main

import (
	"testing"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

// TestConformance checks the wrapper with the Store contract's suite:
//
//	go test ./examples/customstore
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) usermgmt.Store {
		return &CountingStore{Store: memstore.New()}
	})
}
