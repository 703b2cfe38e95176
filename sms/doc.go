// Package sms is the SMS port of roster: the Sender interface through
// which every message goes out, segment counting (GSM 03.38 or UCS-2),
// the texts roster sends, per language, and adapters in subpackages
// (sms/smstest records messages for tests).
//
// It imports nothing of roster's, so a host can use it on its own.
package sms
