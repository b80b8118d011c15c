package linediff

import (
	"strings"
	"testing"
)

func render(d []Line) string {
	var b strings.Builder
	for _, l := range d {
		b.WriteByte(byte(l.Op))
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestDiff(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{"a\nb\nc\n", "a\nb\nc\n", " a\n b\n c\n"},
		{"", "x\ny", "+x\n+y\n"},
		{"x\ny\n", "", "-x\n-y\n"},
		{"a\nb\nc\nd", "a\nB\nc\nd\ne", " a\n-b\n+B\n c\n d\n+e\n"},
		{"a\nx\nb\ny\nc", "a\nb\nc", " a\n-x\n b\n-y\n c\n"},
		{"1\n2\n3\n4", "0\n1\n3\n4\n5", "+0\n 1\n-2\n 3\n 4\n+5\n"},
	} {
		d := Diff(c.old, c.new)
		if got := render(d); got != c.want {
			t.Errorf("Diff(%q, %q):\n%s\nwant\n%s", c.old, c.new, got, c.want)
		}
		// The numbers count each text's own lines.
		o, n := 0, 0
		for _, l := range d {
			if l.Op != Added {
				o++
				if l.Old != o {
					t.Errorf("%q: old number %d, want %d", c.old, l.Old, o)
				}
			}
			if l.Op != Removed {
				n++
				if l.New != n {
					t.Errorf("%q: new number %d, want %d", c.new, l.New, n)
				}
			}
		}
	}
}

func TestHunks(t *testing.T) {
	old := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12"
	new := "1\n2X\n3\n4\n5\n6\n7\n8\n9\n10\n11X\n12"
	h := Hunks(Diff(old, new), 2)
	if len(h) != 2 {
		t.Fatalf("%d hunks: %+v", len(h), h)
	}
	if got := render(h[0].Lines); got != " 1\n-2\n+2X\n 3\n 4\n" {
		t.Errorf("first hunk:\n%s", got)
	}
	if got := render(h[1].Lines); got != " 9\n 10\n-11\n+11X\n 12\n" {
		t.Errorf("second hunk:\n%s", got)
	}
	// Changes close together share a hunk.
	if h := Hunks(Diff("a\nb\nc\nd", "A\nb\nc\nD"), 2); len(h) != 1 || render(h[0].Lines) != "-a\n+A\n b\n c\n-d\n+D\n" {
		t.Errorf("close changes: %+v", h)
	}
	if h := Hunks(Diff("a", "a"), 3); len(h) != 0 {
		t.Errorf("no changes, hunks %+v", h)
	}
}
