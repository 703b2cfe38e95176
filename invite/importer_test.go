package invite_test

import (
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
)

// The importer declares what it needs of this package (ownership
// requests inside its transaction, sending after the commit, welcome
// messages); *invite.Service must keep providing it.
var _ importer.Invites = (*invite.Service)(nil)
