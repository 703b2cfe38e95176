package sms

import "unicode/utf16"

// Encoding is how a message travels: GSM 03.38 7-bit or UCS-2.
type Encoding string

// The encodings.
const (
	GSM7 Encoding = "gsm7"
	UCS2 Encoding = "ucs2"
)

// Info describes how a body will be sent: its encoding, its length in
// the encoding's units (septets for GSM-7, with extension characters
// counting two; UTF-16 code units for UCS-2), and how many segments it
// takes.
type Info struct {
	Encoding Encoding `json:"encoding"`
	Units    int      `json:"units"`
	Segments int      `json:"segments"`
	// PerSegment is how many units fit in one segment of this message:
	// 160 or 153 for GSM-7, 70 or 67 for UCS-2.
	PerSegment int `json:"per_segment"`
	// Remaining is how many more units fit in the last segment.
	Remaining int `json:"remaining"`
}

// gsmBasic is the GSM 03.38 default alphabet.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the GSM 03.38 extension table: each costs two septets
// (an escape and the character).
const gsmExtension = "\f^{}\\[~]|€"

var gsmBasicSet, gsmExtSet = runeSet(gsmBasic), runeSet(gsmExtension)

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool, len(s))
	for _, r := range s {
		m[r] = true
	}
	// The escape itself is not a character a body may carry.
	delete(m, 0x1b)
	return m
}

// Analyze tells how body will be sent and what it costs in segments. An
// empty body is one GSM-7 segment of zero units.
func Analyze(body string) Info {
	septets, gsm := 0, true
	for _, r := range body {
		switch {
		case gsmBasicSet[r]:
			septets++
		case gsmExtSet[r]:
			septets += 2
		default:
			gsm = false
		}
		if !gsm {
			break
		}
	}
	if gsm {
		return info(GSM7, septets, 160, 153)
	}
	units := 0
	for _, r := range body {
		units += utf16.RuneLen(r)
	}
	return info(UCS2, units, 70, 67)
}

func info(e Encoding, units, single, multi int) Info {
	in := Info{Encoding: e, Units: units, Segments: 1, PerSegment: single}
	if units > single {
		in.PerSegment = multi
		in.Segments = (units + multi - 1) / multi
	}
	in.Remaining = in.Segments*in.PerSegment - units
	return in
}
