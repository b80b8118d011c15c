package sheet

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// formulaStarts are the first characters that make a spreadsheet program
// (Excel, LibreOffice, Google Sheets) read a cell as a formula, or that
// they skip before looking for one: = + - @, tab, carriage return, and the
// full-width forms of the first four, which some of them normalise.
var formulaStarts = map[rune]bool{
	'=': true, '+': true, '-': true, '@': true, '\t': true, '\r': true,
	'＝': true, '＋': true, '－': true, '＠': true,
}

// harmless are values starting with + or - that are safe as they are: a
// phone number ("+86 138 0013 8000", "+1 (650) 253-0000") or a plain
// number ("-5", "-0.25"). Without letters, quotes, pipes or other signs
// they cannot call a function or another program.
var (
	phonePattern  = regexp.MustCompile(`^\+?[0-9 ()\-.]{3,40}$`)
	numberPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
)

// SafeCell returns the value as it may be written to a CSV or XLSX file
// that a person will open in a spreadsheet program: a value that would be
// read as a formula (formula or CSV injection, such as
// "=HYPERLINK(...)", "+1+cmd|' /C calc'!A0" or "@SUM(A1)") gets a leading
// apostrophe, which makes it text. Phone numbers and plain numbers stay as
// they are. Every writer of this package writes every cell through it.
func SafeCell(v string) string {
	first, _ := utf8.DecodeRuneInString(v)
	if v == "" || !formulaStarts[first] {
		return v
	}
	if numberPattern.MatchString(v) || phonePattern.MatchString(v) && strings.ContainsAny(v, "0123456789") {
		return v
	}
	return "'" + v
}

// safeCells returns the cells through SafeCell, in a new slice.
func safeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, v := range cells {
		out[i] = SafeCell(v)
	}
	return out
}
