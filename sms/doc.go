// Package sms is the SMS port of roster: the Sender interface through
// which every message goes out, GSM 03.38 / UCS-2 segment counting, the
// Guard against SMS pumping, and the texts roster sends, per language.
// Adapters live in subpackages: sms/twilio (Twilio's Messages API),
// sms/httpgw (any HTTP gateway, with a Kannel preset) and sms/smstest (a
// recording Sender for tests). Console, here, prints messages for
// development.
//
// The package imports nothing of roster's, so a host can use it on its
// own; usermgmt.Store satisfies its Counter port.
//
// # Quick start
//
//	gw, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: "+15005550006"})
//	if err != nil { ... }
//	sender, err := sms.NewGuard(gw, sms.GuardConfig{
//		Counter:        store,                // limits shared by every instance
//		AllowedRegions: []string{"GB", "SE"}, // where your users are
//	})
//	if err != nil { ... }
//	_, err = sender.Send(ctx, sms.Message{To: "+447400123456", Body: body, Purpose: sms.PurposeCode})
//
// # Cost before sending
//
// Analyze tells the encoding (GSM-7 when every character is in the GSM
// 03.38 alphabet, else UCS-2), the length in septets or UTF-16 units and
// the number of segments (160/153 septets, 70/67 units), so a host can
// show the cost of a text as it is typed. A Guard refuses bodies over
// GuardConfig.MaxSegments.
//
// # Pumping
//
// SMS pumping is traffic inflated by an attacker who shares the revenue
// of the numbers it makes you text: premium-rate and other special
// numbers, or ranges in countries where you have no users, hit through
// a login or sign-up form. A Guard refuses number types and regions by
// policy, suppresses duplicates and limits messages per destination,
// per account and in all, counting in the store so that the limits hold
// across instances. Every refusal happens before the gateway is called,
// and says why: a *RefusedError (ErrRefused) or a *LimitError
// (ErrRateLimited).
//
// # Privacy
//
// No error and no log line of this package or its adapters holds a full
// phone number (see Mask) or a message body, except Console, whose job
// is to print messages in development.
package sms
