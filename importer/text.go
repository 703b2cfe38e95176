package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Byte order marks.
var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// delimiters are the cell delimiters readText considers, in order of
// preference for a .csv file.
var delimiters = []byte{',', ';', '\t', '|'}

// readText reads a .csv or .txt file into c.
func readText(ctx context.Context, data []byte, c *collector) error {
	t := c.t
	text, enc, err := decodeText(t.Name, data)
	if err != nil {
		return err
	}
	t.Encoding = enc
	if err := ctx.Err(); err != nil {
		return err
	}
	delim, skip := sepLine(text)
	text = text[skip:]
	firstLine := 1
	if skip > 0 {
		firstLine = 2
	}
	if delim == 0 {
		delim = detectDelimiter(text, t.Format)
	}
	t.Delimiter = rune(delim)
	err = parseDelimited(text, delim, false, firstLine, c)
	var pe *csv.ParseError
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote) {
		// A stray quote inside an unquoted cell (O"Brien) is read
		// literally; everything else stays strict.
		c.reset()
		err = parseDelimited(text, delim, true, firstLine, c)
		if !errors.As(err, &pe) {
			pe = nil
		}
	}
	if pe != nil {
		line := pe.StartLine + firstLine - 1
		reason := "the file cannot be read as " + string(t.Format) + ": " + pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrQuote) {
			reason = "a quoted cell is not closed, or has text after its closing quote"
		}
		return &FormatError{Name: t.Name, Line: line, Reason: reason, Err: pe.Err}
	}
	return err
}

// parseDelimited splits text into records and gives them to c.
func parseDelimited(text []byte, delim byte, lazy bool, firstLine int, c *collector) error {
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = rune(delim)
	r.FieldsPerRecord = -1
	r.LazyQuotes = lazy
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line, _ := r.FieldPos(0)
		if err := c.add(line+firstLine-1, rec); err != nil {
			return err
		}
	}
}

// sepLine recognises Excel's "sep=X" first line, returning the delimiter
// and the length of the line to skip.
func sepLine(text []byte) (delim byte, skip int) {
	end := bytes.IndexByte(text, '\n')
	if end < 0 {
		end = len(text)
	}
	line := bytes.TrimRight(text[:end], "\r")
	if len(line) != 5 || !bytes.EqualFold(line[:4], []byte("sep=")) {
		return 0, 0
	}
	d := line[4]
	if bytes.IndexByte(delimiters, d) < 0 {
		return 0, 0
	}
	if end < len(text) {
		end++
	}
	return d, end
}

// detectDelimiter picks the delimiter that splits the first records most
// consistently, counting only outside quotes.
func detectDelimiter(text []byte, f Format) byte {
	const maxRecords = 20
	var counts [maxRecords][4]int
	n := 0
	inQuote, any := false, false
	var cur [4]int
	for i := 0; i < len(text) && n < maxRecords; i++ {
		b := text[i]
		switch {
		case b == '"':
			inQuote = !inQuote
		case inQuote:
		case b == '\n':
			if any {
				counts[n] = cur
				n++
			}
			cur, any = [4]int{}, false
		case b == '\r':
		default:
			any = true
			if k := bytes.IndexByte(delimiters, b); k >= 0 {
				cur[k]++
			}
		}
	}
	if any && n < maxRecords {
		counts[n] = cur
		n++
	}
	pref := []int{0, 1, 2, 3} // , ; tab |
	if f == TXT {
		pref = []int{2, 0, 1, 3}
	}
	best, bestConsistent, bestCount := -1, 0, 0
	for _, k := range pref {
		if n == 0 || counts[0][k] == 0 {
			continue
		}
		consistent := 0
		for i := 0; i < n; i++ {
			if counts[i][k] == counts[0][k] {
				consistent++
			}
		}
		if consistent > bestConsistent || consistent == bestConsistent && counts[0][k] > bestCount {
			best, bestConsistent, bestCount = k, consistent, counts[0][k]
		}
	}
	if best < 0 {
		return delimiters[pref[0]]
	}
	return delimiters[best]
}

// decodeText returns data as UTF-8 text without a byte order mark, and
// the encoding it was read in.
func decodeText(name string, data []byte) ([]byte, Encoding, error) {
	var (
		text []byte
		enc  Encoding
	)
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		text, enc = data[len(bomUTF8):], UTF8BOM
		if !utf8.Valid(text) {
			return nil, "", &FormatError{Name: name, Line: invalidUTF8Line(text),
				Reason: "the text is not valid UTF-8 although the file says it is: save it again as CSV UTF-8"}
		}
	case bytes.HasPrefix(data, bomUTF16LE):
		return decodeUTF16(name, data[2:], false, UTF16LE)
	case bytes.HasPrefix(data, bomUTF16BE):
		return decodeUTF16(name, data[2:], true, UTF16BE)
	case len(data) >= 4 && data[0] != 0 && data[1] == 0 && data[2] != 0 && data[3] == 0:
		return decodeUTF16(name, data, false, UTF16LE)
	case len(data) >= 4 && data[0] == 0 && data[1] != 0 && data[2] == 0 && data[3] != 0:
		return decodeUTF16(name, data, true, UTF16BE)
	case utf8.Valid(data):
		text, enc = data, UTF8
	default:
		if hasMultibyteUTF8(data) {
			return nil, "", &FormatError{Name: name, Line: invalidUTF8Line(data),
				Reason: "the text is not valid UTF-8: save the file as CSV UTF-8"}
		}
		var err error
		if text, err = decode1252(name, data); err != nil {
			return nil, "", err
		}
		enc = Windows1252
	}
	text = bytes.TrimRight(text, "\x1a")
	if err := checkControls(name, text); err != nil {
		return nil, "", err
	}
	return text, enc, nil
}

// decodeUTF16 decodes UTF-16 text of either byte order into UTF-8.
func decodeUTF16(name string, data []byte, bigEndian bool, enc Encoding) ([]byte, Encoding, error) {
	if len(data)%2 != 0 {
		return nil, "", &FormatError{Name: name, Reason: "the UTF-16 text ends in the middle of a character: the file is truncated"}
	}
	out := make([]byte, 0, len(data)/2+len(data)/8)
	line := 1
	unit := func(i int) uint16 {
		if bigEndian {
			return uint16(data[i])<<8 | uint16(data[i+1])
		}
		return uint16(data[i+1])<<8 | uint16(data[i])
	}
	for i := 0; i < len(data); i += 2 {
		u := rune(unit(i))
		switch {
		case u == '\n':
			line++
		case utf16.IsSurrogate(u):
			r := utf8.RuneError
			if u < 0xDC00 && i+3 < len(data) {
				r = utf16.DecodeRune(u, rune(unit(i+2)))
			}
			if r == utf8.RuneError {
				return nil, "", &FormatError{Name: name, Line: line, Reason: "the UTF-16 text is damaged (a broken surrogate pair)"}
			}
			i += 2
			u = r
		}
		out = utf8.AppendRune(out, u)
	}
	out = bytes.TrimRight(out, "\x1a")
	if err := checkControls(name, out); err != nil {
		return nil, "", err
	}
	return out, enc, nil
}

// decode1252 decodes Windows-1252 text into UTF-8. The five bytes the
// code page leaves undefined are refused.
func decode1252(name string, data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data)+len(data)/16)
	line := 1
	for _, b := range data {
		if b < utf8.RuneSelf {
			if b == '\n' {
				line++
			}
			out = append(out, b)
			continue
		}
		r := charmap.Windows1252.DecodeByte(b)
		if r == utf8.RuneError {
			return nil, &FormatError{Name: name, Line: line, Reason: "the text is neither UTF-8 nor Windows-1252: save the file as CSV UTF-8"}
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// checkControls refuses text holding NUL or other control characters
// than tab, line feed and carriage return: binary data, not a spreadsheet
// saved as text. (The caller drops a trailing DOS end-of-file mark.)
func checkControls(name string, text []byte) error {
	line := 1
	for _, b := range text {
		switch {
		case b == '\n':
			line++
		case b < 0x20 && b != '\t' && b != '\r' || b == 0x7f:
			return &FormatError{Name: name, Line: line, Reason: "the file holds binary data, not text: save it from the spreadsheet program as .csv, .txt or .xlsx"}
		}
	}
	return nil
}

// hasMultibyteUTF8 reports whether data holds at least one valid UTF-8
// sequence of two bytes or more.
func hasMultibyteUTF8(data []byte) bool {
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r != utf8.RuneError || size > 1 {
			return true
		}
		i++
	}
	return false
}

// invalidUTF8Line returns the 1-based line of the first invalid UTF-8
// sequence in data.
func invalidUTF8Line(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			if data[i] == '\n' {
				line++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		i += size
	}
	return line
}

// encodeText writes s in enc, for an errors file or a template. Windows
// 1252 input gets UTF-8 with a byte order mark back: Excel reads it, and
// it holds every character an admin may have typed in the messages.
func encodeText(s string, enc Encoding) []byte {
	switch enc {
	case UTF16LE, UTF16BE:
		out := make([]byte, 0, 2+2*len(s))
		if enc == UTF16LE {
			out = append(out, bomUTF16LE...)
		} else {
			out = append(out, bomUTF16BE...)
		}
		var buf [2]uint16
		for _, r := range s {
			units := buf[:0]
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				units = append(units, uint16(r1), uint16(r2))
			} else {
				units = append(units, uint16(r))
			}
			for _, u := range units {
				if enc == UTF16LE {
					out = append(out, byte(u), byte(u>>8))
				} else {
					out = append(out, byte(u>>8), byte(u))
				}
			}
		}
		return out
	case UTF8:
		return []byte(s)
	}
	return append(append(make([]byte, 0, len(bomUTF8)+len(s)), bomUTF8...), s...)
}

// isDataLike reports whether a cell looks like user data rather than a
// column name: an e-mail address or a phone number.
func isDataLike(s string) bool {
	if strings.IndexByte(s, '@') > 0 {
		return true
	}
	digits := 0
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			digits++
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return digits >= 6
}
