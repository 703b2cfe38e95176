package sms

import "unicode/utf8"

// Encoding is how a message travels: GSM 03.38 7-bit or UCS-2.
type Encoding string

// The encodings.
const (
	GSM7 Encoding = "gsm7"
	UCS2 Encoding = "ucs2"
)

// Segment sizes, in the encoding's units, of one message alone and of
// each part of a concatenated message (whose user data header takes
// the rest).
const (
	GSM7Single = 160
	GSM7Multi  = 153
	UCS2Single = 70
	UCS2Multi  = 67
)

// Info describes how a body will be sent: its encoding, its length, and
// how many segments it takes, so that a host can show the cost before
// sending.
type Info struct {
	// Encoding is GSM7 when every character is in the GSM 03.38 default
	// alphabet or its extension table, else UCS2.
	Encoding Encoding `json:"encoding"`
	// Chars is the number of characters (Unicode code points).
	Chars int `json:"chars"`
	// Units is the length in the encoding's units: septets for GSM-7,
	// where extension-table characters (€ [ ] { } | ^ ~ \ and form
	// feed) count two; UTF-16 code units for UCS-2, where characters
	// outside the Basic Multilingual Plane (most emoji) count two.
	Units int `json:"units"`
	// Segments is how many SMS the body takes; an empty body takes one.
	Segments int `json:"segments"`
	// PerSegment is how many units fit in one segment of this message:
	// 160 or 153 for GSM-7, 70 or 67 for UCS-2.
	PerSegment int `json:"per_segment"`
	// Remaining is how many more units fit in the last segment.
	Remaining int `json:"remaining"`
}

// asciiGSM holds the GSM 03.38 cost of each ASCII character: 1 for the
// default alphabet, 2 for the extension table, 0 for none.
const asciiGSM = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x02\x01\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x02\x02\x02\x02\x01" +
	"\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x02\x02\x02\x02\x00"

// gsmCost returns how many septets r takes in GSM 03.38: 1 for the
// default alphabet, 2 for the extension table, 0 for a character GSM-7
// cannot carry.
func gsmCost(r rune) int {
	if r >= 0 && r < 0x80 {
		return int(asciiGSM[r])
	}
	switch r {
	case '£', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', 'Ø', 'ø', 'Å', 'å',
		'Δ', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ',
		'Æ', 'æ', 'ß', 'É', '¤', '¡', 'Ä', 'Ö', 'Ñ', 'Ü', '§', '¿',
		'ä', 'ö', 'ñ', 'ü', 'à':
		return 1
	case '€':
		return 2
	}
	return 0
}

// IsGSM7 reports whether every character of body can travel in GSM-7.
func IsGSM7(body string) bool {
	for _, r := range body {
		if gsmCost(r) == 0 {
			return false
		}
	}
	return true
}

// Analyze tells how body will be sent and what it costs in segments. An
// escape sequence (GSM-7 extension character) or a surrogate pair
// (UCS-2) is never split across two segments, as handsets and gateways
// do, so a concatenated message may hold fewer units than PerSegment in
// a segment. Bytes that are not UTF-8 count as U+FFFD, which forces
// UCS-2. Analyze does not allocate.
func Analyze(body string) Info {
	gsm, chars, septets, units := true, 0, 0, 0
	for _, r := range body {
		chars++
		if gsm {
			c := gsmCost(r)
			gsm = c > 0
			septets += c
		}
		units += cost(UCS2, r)
	}
	if gsm {
		return segment(body, Info{Encoding: GSM7, Chars: chars, Units: septets}, GSM7Single, GSM7Multi)
	}
	return segment(body, Info{Encoding: UCS2, Chars: chars, Units: units}, UCS2Single, UCS2Multi)
}

// cost is the size of r in units of e.
func cost(e Encoding, r rune) int {
	if e == GSM7 {
		return gsmCost(r)
	}
	if r > 0xFFFF && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// segment fills in the segments of in, whose Units are counted.
func segment(body string, in Info, single, multi int) Info {
	in.Segments, in.PerSegment = 1, single
	if in.Units <= single {
		in.Remaining = single - in.Units
		return in
	}
	// Fill segments of multi units without splitting a character.
	in.PerSegment = multi
	used := 0
	for _, r := range body {
		c := cost(in.Encoding, r)
		if used+c > multi {
			in.Segments++
			used = 0
		}
		used += c
	}
	in.Remaining = multi - used
	return in
}
