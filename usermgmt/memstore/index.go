package memstore

import (
	"slices"
	"sort"
	"strings"
)

// entry is one element of an ordered index: a sort key and the id of the
// record it points at. Entries order by key, then id, so they are unique
// even when keys repeat.
type entry struct {
	key string
	id  string
}

// compareEntries orders entries by key, then id.
func compareEntries(a, b entry) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// defaultChunk is the most entries a chunk holds before it splits.
const defaultChunk = 256

// index is an ordered set of entries kept in sorted chunks: a binary
// search finds the chunk, another the position in it, and an insertion
// moves at most one chunk's entries. Seeking costs O(log n) and walking
// costs O(1) per entry, whatever the position.
type index struct {
	chunks [][]entry
	max    int // split threshold; 0 means defaultChunk
	n      int
}

// Len returns the number of entries.
func (x *index) Len() int { return x.n }

func (x *index) chunkMax() int {
	if x.max > 0 {
		return x.max
	}
	return defaultChunk
}

// chunkFor returns the chunk in which e is or would be: the first whose
// last entry is not before e, or the last chunk. It needs at least one
// chunk.
func (x *index) chunkFor(e entry) int {
	i := sort.Search(len(x.chunks), func(i int) bool {
		c := x.chunks[i]
		return compareEntries(c[len(c)-1], e) >= 0
	})
	if i == len(x.chunks) {
		i--
	}
	return i
}

// insert adds e and reports whether it was absent.
func (x *index) insert(e entry) bool {
	if len(x.chunks) == 0 {
		x.chunks = [][]entry{{e}}
		x.n = 1
		return true
	}
	ci := x.chunkFor(e)
	c := x.chunks[ci]
	j, found := slices.BinarySearchFunc(c, e, compareEntries)
	if found {
		return false
	}
	c = slices.Insert(c, j, e)
	if len(c) > x.chunkMax() {
		half := len(c) / 2
		right := slices.Clone(c[half:])
		x.chunks[ci] = slices.Clip(c[:half])
		x.chunks = slices.Insert(x.chunks, ci+1, right)
	} else {
		x.chunks[ci] = c
	}
	x.n++
	return true
}

// remove deletes e and reports whether it was present.
func (x *index) remove(e entry) bool {
	if len(x.chunks) == 0 {
		return false
	}
	ci := x.chunkFor(e)
	c := x.chunks[ci]
	j, found := slices.BinarySearchFunc(c, e, compareEntries)
	if !found {
		return false
	}
	c = slices.Delete(c, j, j+1)
	x.n--
	switch {
	case len(c) == 0:
		x.chunks = slices.Delete(x.chunks, ci, ci+1)
	case ci+1 < len(x.chunks) && len(c)+len(x.chunks[ci+1]) <= x.chunkMax()/2:
		// Merge small neighbours so that the chunk count follows n.
		x.chunks[ci] = append(c, x.chunks[ci+1]...)
		x.chunks = slices.Delete(x.chunks, ci+1, ci+2)
	default:
		x.chunks[ci] = c
	}
	return true
}

// ascend calls fn on every entry after *after (every entry when after is
// nil) in ascending order until fn returns false.
func (x *index) ascend(after *entry, fn func(entry) bool) {
	if len(x.chunks) == 0 {
		return
	}
	ci, j := 0, 0
	if after != nil {
		ci = x.chunkFor(*after)
		var found bool
		j, found = slices.BinarySearchFunc(x.chunks[ci], *after, compareEntries)
		if found {
			j++
		}
	}
	for ; ci < len(x.chunks); ci, j = ci+1, 0 {
		c := x.chunks[ci]
		for ; j < len(c); j++ {
			if !fn(c[j]) {
				return
			}
		}
	}
}

// descend calls fn on every entry before *before (every entry when before
// is nil) in descending order until fn returns false.
func (x *index) descend(before *entry, fn func(entry) bool) {
	if len(x.chunks) == 0 {
		return
	}
	ci := len(x.chunks) - 1
	j := len(x.chunks[ci]) - 1
	if before != nil {
		ci = x.chunkFor(*before)
		j, _ = slices.BinarySearchFunc(x.chunks[ci], *before, compareEntries)
		j-- // the last entry strictly before *before
	}
	for ci >= 0 {
		c := x.chunks[ci]
		for ; j >= 0; j-- {
			if !fn(c[j]) {
				return
			}
		}
		ci--
		if ci >= 0 {
			j = len(x.chunks[ci]) - 1
		}
	}
}
