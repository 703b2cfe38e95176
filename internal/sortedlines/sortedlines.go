// Package sortedlines looks a key up in an embedded list kept as text,
// one entry a line, sorted bytewise: the common-password list of
// usermgmt and the disposable-domain list of invite.
package sortedlines

import "strings"

// Contains reports whether key is a whole line of data, whose lines are
// sorted bytewise and each end with '\n'. It bisects the bytes, so it
// needs no index and allocates nothing.
func Contains(data, key string) bool {
	lo, hi := 0, len(data) // lo and hi are always line starts (or len(data))
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := strings.LastIndexByte(data[:mid], '\n') + 1
		if start < lo {
			start = lo
		}
		end := strings.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		switch c := strings.Compare(key, data[start:end]); {
		case c == 0:
			return true
		case c < 0:
			hi = start
		default:
			lo = end + 1
		}
	}
	return false
}
