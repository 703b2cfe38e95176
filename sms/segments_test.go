package sms_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
)

func TestAnalyze(t *testing.T) {
	t.Parallel()
	a := strings.Repeat
	tests := []struct {
		name string
		body string
		want sms.Info
	}{
		{"empty", "", sms.Info{Encoding: sms.GSM7, Segments: 1, PerSegment: 160, Remaining: 160}},
		{"pure gsm", "Hello, world!", sms.Info{Encoding: sms.GSM7, Chars: 13, Units: 13, Segments: 1, PerSegment: 160, Remaining: 147}},
		{"û is not gsm", "Ça coûte", sms.Info{Encoding: sms.UCS2, Chars: 8, Units: 8, Segments: 1, PerSegment: 70, Remaining: 62}},
		{"gsm default alphabet extras", "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà@$_", sms.Info{Encoding: sms.GSM7, Chars: 42, Units: 42, Segments: 1, PerSegment: 160, Remaining: 118}},
		{"euro counts two", "Pay 5€", sms.Info{Encoding: sms.GSM7, Chars: 6, Units: 7, Segments: 1, PerSegment: 160, Remaining: 153}},
		{"brackets count two", "[ok]", sms.Info{Encoding: sms.GSM7, Chars: 4, Units: 6, Segments: 1, PerSegment: 160, Remaining: 154}},
		{"every extension char", "\f^{}\\[~]|€", sms.Info{Encoding: sms.GSM7, Chars: 10, Units: 20, Segments: 1, PerSegment: 160, Remaining: 140}},
		{"exactly 160", a("a", 160), sms.Info{Encoding: sms.GSM7, Chars: 160, Units: 160, Segments: 1, PerSegment: 160, Remaining: 0}},
		{"161", a("a", 161), sms.Info{Encoding: sms.GSM7, Chars: 161, Units: 161, Segments: 2, PerSegment: 153, Remaining: 145}},
		{"exactly 306", a("a", 306), sms.Info{Encoding: sms.GSM7, Chars: 306, Units: 306, Segments: 2, PerSegment: 153, Remaining: 0}},
		{"307", a("a", 307), sms.Info{Encoding: sms.GSM7, Chars: 307, Units: 307, Segments: 3, PerSegment: 153, Remaining: 152}},
		{"80 euros fill one segment", a("€", 80), sms.Info{Encoding: sms.GSM7, Chars: 80, Units: 160, Segments: 1, PerSegment: 160, Remaining: 0}},
		{"159 plus euro", a("a", 159) + "€", sms.Info{Encoding: sms.GSM7, Chars: 160, Units: 161, Segments: 2, PerSegment: 153, Remaining: 145}},
		// The escape and its character never straddle two segments: the
		// € at septet 153 moves to the second segment, whose last septet
		// then spills into a third.
		{"escape not split", a("a", 152) + "€" + a("a", 152), sms.Info{Encoding: sms.GSM7, Chars: 305, Units: 306, Segments: 3, PerSegment: 153, Remaining: 152}},
		{"emoji", "Hi 😀", sms.Info{Encoding: sms.UCS2, Chars: 4, Units: 5, Segments: 1, PerSegment: 70, Remaining: 65}},
		{"35 emoji fill one segment", a("😀", 35), sms.Info{Encoding: sms.UCS2, Chars: 35, Units: 70, Segments: 1, PerSegment: 70, Remaining: 0}},
		// 33 pairs take 66 units; the 34th does not fit in 67.
		{"surrogate pair not split", a("😀", 36), sms.Info{Encoding: sms.UCS2, Chars: 36, Units: 72, Segments: 2, PerSegment: 67, Remaining: 61}},
		{"thai", "สวัสดีครับ", sms.Info{Encoding: sms.UCS2, Chars: 10, Units: 10, Segments: 1, PerSegment: 70, Remaining: 60}},
		{"70 thai", a("ส", 70), sms.Info{Encoding: sms.UCS2, Chars: 70, Units: 70, Segments: 1, PerSegment: 70, Remaining: 0}},
		{"71 thai", a("ส", 71), sms.Info{Encoding: sms.UCS2, Chars: 71, Units: 71, Segments: 2, PerSegment: 67, Remaining: 63}},
		{"134 ucs2", a("ж", 134), sms.Info{Encoding: sms.UCS2, Chars: 134, Units: 134, Segments: 2, PerSegment: 67, Remaining: 0}},
		{"one ucs2 char makes all ucs2", a("a", 69) + "ж", sms.Info{Encoding: sms.UCS2, Chars: 70, Units: 70, Segments: 1, PerSegment: 70, Remaining: 0}},
		{"lower c cedilla is not gsm", "ç", sms.Info{Encoding: sms.UCS2, Chars: 1, Units: 1, Segments: 1, PerSegment: 70, Remaining: 69}},
		{"backtick is not gsm", "`", sms.Info{Encoding: sms.UCS2, Chars: 1, Units: 1, Segments: 1, PerSegment: 70, Remaining: 69}},
		{"tab is not gsm", "a\tb", sms.Info{Encoding: sms.UCS2, Chars: 3, Units: 3, Segments: 1, PerSegment: 70, Remaining: 67}},
		{"newlines are gsm", "a\r\nb", sms.Info{Encoding: sms.GSM7, Chars: 4, Units: 4, Segments: 1, PerSegment: 160, Remaining: 156}},
		{"invalid utf-8 is ucs2", "a\xffb", sms.Info{Encoding: sms.UCS2, Chars: 3, Units: 3, Segments: 1, PerSegment: 70, Remaining: 67}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, sms.Analyze(tt.body))
			assert.Equal(t, tt.want.Encoding == sms.GSM7, sms.IsGSM7(tt.body))
		})
	}
}

// TestGSMAlphabet checks the alphabet against 3GPP TS 23.038 §6.2.1:
// the 128 characters of the default alphabet (less the escape) cost
// one septet, the extension table's ten cost two, and a few close
// neighbours are not GSM at all.
func TestGSMAlphabet(t *testing.T) {
	t.Parallel()
	basic := []rune("@£$¥èéùìòÇ\nØø\rÅå" +
		"Δ_ΦΓΛΩΠΨΣΘΞ" + /* escape */ "ÆæßÉ" +
		" !\"#¤%&'()*+,-./" +
		"0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNO" +
		"PQRSTUVWXYZÄÖÑÜ§" +
		"¿abcdefghijklmno" +
		"pqrstuvwxyzäöñüà")
	require.Len(t, basic, 127, "128 code points less the escape")
	for _, r := range basic {
		assert.Equal(t, 1, sms.Analyze(string(r)).Units, "%q", r)
		assert.Equal(t, sms.GSM7, sms.Analyze(string(r)).Encoding, "%q", r)
	}
	for _, r := range "\f^{}\\[~]|€" {
		assert.Equal(t, 2, sms.Analyze(string(r)).Units, "%q", r)
	}
	for _, r := range "`\t\x00\x1bçÀÈ¢₤\u00a0’“" {
		assert.Equal(t, sms.UCS2, sms.Analyze(string(r)).Encoding, "%q", r)
	}
}
