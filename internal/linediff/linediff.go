// Package linediff computes the line diff of two texts (a longest common
// subsequence of their lines), for showing how two versions of a document
// differ.
package linediff

import "strings"

// Op is what happened to a line.
type Op byte

// The ops of a diff line.
const (
	Same    Op = ' ' // in both texts
	Added   Op = '+' // only in the new text
	Removed Op = '-' // only in the old text
)

// Line is one line of a diff with its number in the old and the new text
// (0 where it is not in that text).
type Line struct {
	Op       Op
	Text     string
	Old, New int
}

// Kind names the line's op: "same", "added" or "removed".
func (l Line) Kind() string {
	switch l.Op {
	case Added:
		return "added"
	case Removed:
		return "removed"
	}
	return "same"
}

// maxCells bounds the table of the common-subsequence search: past it the
// middle of two very different texts is shown as removed, then added.
const maxCells = 4_000_000

// Diff returns the lines of old and new in order, each marked Same, Added
// or Removed; within a change, removed lines come before added ones.
func Diff(old, new string) []Line {
	a, b := split(old), split(new)
	var out []Line
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		out = append(out, Line{Op: Same, Text: a[pre], Old: pre + 1, New: pre + 1})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out = append(out, middle(a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)...)
	for k := suf; k > 0; k-- {
		i, j := len(a)-k, len(b)-k
		out = append(out, Line{Op: Same, Text: a[i], Old: i + 1, New: j + 1})
	}
	return out
}

// middle diffs the lines between the common prefix and suffix; oi and ni
// are the numbers of the lines before them.
func middle(a, b []string, oi, ni int) []Line {
	n, m := len(a), len(b)
	var out []Line
	removed := func(i int) { out = append(out, Line{Op: Removed, Text: a[i], Old: oi + i + 1}) }
	added := func(j int) { out = append(out, Line{Op: Added, Text: b[j], New: ni + j + 1}) }
	if n*m > maxCells || n == 0 || m == 0 {
		for i := range a {
			removed(i)
		}
		for j := range b {
			added(j)
		}
		return out
	}
	// lcs[i*(m+1)+j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([]int32, (n+1)*(m+1))
	at := func(i, j int) int32 { return lcs[i*(m+1)+j] }
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*(m+1)+j] = at(i+1, j+1) + 1
			} else {
				lcs[i*(m+1)+j] = max(at(i+1, j), at(i, j+1))
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			out = append(out, Line{Op: Same, Text: a[i], Old: oi + i + 1, New: ni + j + 1})
			i, j = i+1, j+1
		case i < n && (j == m || at(i+1, j) >= at(i, j+1)):
			removed(i)
			i++
		default:
			added(j)
			j++
		}
	}
	return out
}

// split cuts a text into lines, without a last empty one.
func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
}

// Hunk is a run of changed lines with up to context unchanged lines around.
type Hunk struct{ Lines []Line }

// Hunks groups the changes of d with context unchanged lines on each side;
// changes closer than twice that share a hunk. No changes, no hunks.
func Hunks(d []Line, context int) []Hunk {
	var hunks []Hunk
	last := -1 // the index of the last line put in a hunk
	for i, l := range d {
		if l.Op == Same {
			continue
		}
		from := max(i-context, last+1)
		if len(hunks) == 0 || from > last+1 {
			hunks = append(hunks, Hunk{})
		}
		h := &hunks[len(hunks)-1]
		h.Lines = append(h.Lines, d[from:i+1]...)
		last = i
		// The context after: up to the next change, which extends this hunk.
		for k := i + 1; k < len(d) && k <= i+context && d[k].Op == Same; k++ {
			h.Lines = append(h.Lines, d[k])
			last = k
		}
	}
	return hunks
}
