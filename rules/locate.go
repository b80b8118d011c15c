package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file places compile errors in the rule set's JSON as an editor
// shows it. An expression's error is reported at its line and column
// inside the expression (CompileError.Line, Column); Locate turns that
// into the line and column of the document, through the JSON string that
// holds the expression.

// Locate returns where compile error e is in doc, the rule set's JSON as
// written: a 1-based line and column (in characters) of the document. An
// error inside an expression is placed at its character in the JSON
// string; an error about another field at the start of that field's value
// (or of the nearest enclosing value the document has). Errors of the body
// itself (field "body") already carry document positions. ok is false
// when nothing of the field's path is in doc (a syntax error hides it).
func Locate(doc []byte, e CompileError) (line, col int, ok bool) {
	if e.Field == "body" || e.Field == "kind" || e.Field == "" {
		return max(e.Line, 1), max(e.Column, 1), true
	}
	idx, err := indexJSON(doc)
	if err != nil {
		return 1, 1, false
	}
	for path := e.Field; path != ""; path = parentPath(path) {
		start, found := idx.values[path]
		if !found {
			continue
		}
		if path == e.Field && doc[start] == '"' {
			start = inString(doc, start, max(e.Line, 1), max(e.Column, 1))
		}
		line, col = docPosition(doc, start)
		return line, col, true
	}
	return 1, 1, false
}

// parentPath is the path of the value that encloses path's:
// rules[2].when → rules[2] → rules; "" at the top.
func parentPath(path string) string {
	if i := strings.LastIndexAny(path, ".["); i > 0 {
		return path[:i]
	}
	return ""
}

// jsonIndex is where each value of a JSON document starts (by its path,
// written as compile errors name fields), and where each object key is
// first written.
type jsonIndex struct {
	values map[string]int
	keys   map[string]int
}

// frame is an open object or array while indexing.
type frame struct {
	path    string
	object  bool
	wantKey bool
	key     string
	index   int
}

func (f *frame) child() string {
	if f.object {
		if f.path == "" {
			return f.key
		}
		return f.path + "." + f.key
	}
	return f.path + "[" + strconv.Itoa(f.index) + "]"
}

func (f *frame) done() {
	if f.object {
		f.wantKey = true
	} else {
		f.index++
	}
}

// indexJSON walks doc's tokens, recording the offset of each value and key.
func indexJSON(doc []byte) (jsonIndex, error) {
	idx := jsonIndex{values: map[string]int{}, keys: map[string]int{}}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var stack []*frame
	for {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return idx, nil
		}
		if err != nil {
			return idx, err
		}
		start := skipSeparators(doc, off)
		d, isDelim := tok.(json.Delim)
		if isDelim && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].done()
			}
			continue
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			top.key, top.wantKey = tok.(string), false
			if _, seen := idx.keys[top.key]; !seen {
				idx.keys[top.key] = start
			}
			continue
		}
		path := ""
		if top != nil {
			path = top.child()
		}
		idx.values[path] = start
		switch {
		case isDelim && d == '{':
			stack = append(stack, &frame{path: path, object: true, wantKey: true})
		case isDelim && d == '[':
			stack = append(stack, &frame{path: path})
		case top != nil:
			top.done()
		}
	}
}

// skipSeparators skips the white space, commas and colons before a token.
func skipSeparators(doc []byte, off int) int {
	for off < len(doc) && strings.IndexByte(" \t\r\n,:", doc[off]) >= 0 {
		off++
	}
	return min(off, max(len(doc)-1, 0))
}

// inString returns the offset in doc of the character at line and column
// (1-based, in characters) of the text of the JSON string starting at
// start (its opening quote), escapes decoded; the closing quote when the
// text is shorter.
func inString(doc []byte, start, line, col int) int {
	l, c := 1, 1
	i := start + 1
	for i < len(doc) && doc[i] != '"' {
		if l == line && c == col {
			return i
		}
		r, n := decodeChar(doc[i:])
		if r == '\n' {
			l, c = l+1, 1
		} else {
			c++
		}
		i += n
	}
	return min(i, len(doc)-1)
}

// decodeChar decodes one character of a JSON string's raw text: an escape
// (a surrogate pair counting as one) or a UTF-8 character; its length in bytes.
func decodeChar(b []byte) (rune, int) {
	if b[0] != '\\' || len(b) < 2 {
		return utf8.DecodeRune(b)
	}
	switch b[1] {
	case 'n':
		return '\n', 2
	case 'u':
		if len(b) < 6 {
			return utf8.RuneError, len(b)
		}
		r1, _ := strconv.ParseUint(string(b[2:6]), 16, 16)
		if utf16.IsSurrogate(rune(r1)) && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			r2, _ := strconv.ParseUint(string(b[8:12]), 16, 16)
			if r := utf16.DecodeRune(rune(r1), rune(r2)); r != utf8.RuneError {
				return r, 12
			}
		}
		return rune(r1), 6
	default:
		return rune(b[1]), 2
	}
}

// docPosition is the 1-based line and column (in characters) of offset in doc.
func docPosition(doc []byte, offset int) (line, col int) {
	offset = max(min(offset, len(doc)), 0)
	before := doc[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[lineStart:]) + 1
}

// bodyError is a compile error of the whole body (invalid JSON, an unknown
// or mistyped field), placed in doc where the decoder stopped.
func bodyError(doc []byte, err error) CompileError {
	ce := CompileError{Field: "body", Line: 1, Column: 1, Message: "invalid JSON: " + err.Error()}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		ce.Line, ce.Column = docPosition(doc, int(syn.Offset)-1)
	case errors.As(err, &typ):
		ce.Line, ce.Column = docPosition(doc, int(typ.Offset)-1)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if idx, ierr := indexJSON(doc); ierr == nil {
			if at, ok := idx.keys[name]; ok {
				ce.Line, ce.Column = docPosition(doc, at)
			}
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		ce.Line, ce.Column = docPosition(doc, len(bytes.TrimRight(doc, " \t\r\n")))
	}
	return ce
}
