package roster

import "github.com/rosterkit/roster/sms"

// guard wraps cfg.SMS in roster's anti-pumping guard, counting in the
// store so that the limits hold across instances.
func guard(cfg Config) (sms.Sender, error) {
	g := cfg.Guard
	if g.Counter == nil {
		g.Counter = cfg.Store
	}
	if g.Now == nil {
		g.Now = cfg.Now
	}
	if g.Logger == nil {
		g.Logger = cfg.Logger
	}
	gd, err := sms.NewGuard(cfg.SMS, g)
	if err != nil {
		return nil, err
	}
	return gd, nil
}
