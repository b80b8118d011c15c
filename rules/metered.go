package rules

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/vm/runtime"
)

// meteredFunctions are the functions the sandbox patches expressions to
// call: rules.tick in every loop body, rules.add for + and the metered twins
// of the builtins of meteredBuiltins. Each takes the meter first, charges it
// for the size of what it is about to build (computed without building it),
// then builds it with expr's own builtin, so results are unchanged.
var meteredFunctions = []expr.Option{
	expr.Function(tickName, func(args ...any) (any, error) {
		m, err := meterOf(args)
		if err != nil {
			return nil, err
		}
		return nil, m.tick()
	}, new(func(*meter) any)),
	expr.Function(addName, meteredAdd,
		new(func(*meter, string, string) string),
		new(func(*meter, any, any) any)),
	expr.Function(matchesName, meteredMatches,
		new(func(*meter, string, *regexp.Regexp) bool),
		new(func(*meter, string, string) bool),
		new(func(*meter, any, any) bool)),
	metered("repeat", repeatSize, new(func(*meter, string, int) string)),
	metered("replace", replaceSize,
		new(func(*meter, string, string, string) string),
		new(func(*meter, string, string, string, int) string)),
	metered("join", joinSize,
		new(func(*meter, []string, string) string),
		new(func(*meter, []string) string),
		new(func(*meter, []any, string) string),
		new(func(*meter, []any) string)),
	metered("upper", firstStringSize, new(func(*meter, string) string)),
	metered("lower", firstStringSize, new(func(*meter, string) string)),
	metered("string", stringSize, new(func(*meter, any) string)),
	metered("split", splitSize,
		new(func(*meter, string, string) []string),
		new(func(*meter, string, string, int) []string)),
	metered("splitAfter", splitSize,
		new(func(*meter, string, string) []string),
		new(func(*meter, string, string, int) []string)),
	metered("keys", mapSize, new(func(*meter, any) []any)),
	metered("values", mapSize, new(func(*meter, any) []any)),
}

// metered is the twin rules.<name> of a builtin: size computes, from the
// arguments, how many bytes the builtin is about to build, and the meter is
// charged that before the builtin runs.
func metered(name string, size func(args []any) (int, error), types ...any) expr.Option {
	b := builtin.Builtins[builtin.Index[name]]
	call := b.Func
	switch {
	case call != nil:
	case b.Safe != nil:
		safe := b.Safe
		call = func(args ...any) (any, error) {
			v, _, err := safe(args...)
			return v, err
		}
	default:
		fast := b.Fast
		call = func(args ...any) (any, error) { return fast(args[0]), nil }
	}
	return expr.Function("rules."+name, func(args ...any) (any, error) {
		m, err := meterOf(args)
		if err != nil {
			return nil, err
		}
		args = args[1:]
		n, err := size(args)
		if err == nil {
			err = m.grow(n)
		}
		if err != nil {
			return nil, err
		}
		return call(args...)
	}, types...)
}

func meterOf(args []any) (*meter, error) {
	m, ok := args[0].(*meter)
	if !ok || m == nil {
		return nil, errors.New("the expression runs without its budget")
	}
	return m, nil
}

// meteredAdd is + where either side may be a string.
func meteredAdd(args ...any) (any, error) {
	m, err := meterOf(args)
	if err != nil {
		return nil, err
	}
	a, aok := args[1].(string)
	b, bok := args[2].(string)
	if !aok || !bok {
		return runtime.Add(args[1], args[2]), nil
	}
	if err := m.grow(len(a) + len(b)); err != nil {
		return nil, err
	}
	return a + b, nil
}

// meteredMatches is `matches`: nil matches nothing, as in expr.
func meteredMatches(args ...any) (any, error) {
	if _, err := meterOf(args); err != nil {
		return nil, err
	}
	var text string
	switch v := args[1].(type) {
	case nil:
		return false, nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return nil, fmt.Errorf("matches takes a string, not %T", v)
	}
	var re *regexp.Regexp
	switch p := args[2].(type) {
	case nil:
		return false, nil
	case *regexp.Regexp:
		re = p
	case string:
		if len(p) > MaxExpressionLength {
			return nil, fmt.Errorf("the pattern of matches is longer than %d bytes", MaxExpressionLength)
		}
		var err error
		if re, err = regexp.Compile(p); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("matches takes a string pattern, not %T", p)
	}
	if len(re.String()) > 0 && len(text) > MaxMatchWork/len(re.String()) {
		return nil, fmt.Errorf("matches on %d bytes of text with a pattern of %d is too much work (at most %d)", len(text), len(re.String()), MaxMatchWork)
	}
	return re.MatchString(text), nil
}

func str(args []any, i int) string {
	s, _ := args[i].(string)
	return s
}

func intArg(args []any, i int, def int) int {
	if len(args) <= i {
		return def
	}
	return runtime.ToInt(args[i])
}

func repeatSize(args []any) (int, error) {
	s, n := str(args, 0), intArg(args, 1, 0)
	if n < 0 {
		return 0, fmt.Errorf("invalid argument for repeat (expected positive integer, got %d)", n)
	}
	if n > 0 && len(s) > MaxBuiltBytes/n {
		return -1, nil // more than the budget, whatever was built before
	}
	return len(s) * n, nil
}

// matches counts where sep splits or old is replaced in s, at most n when
// n >= 0.
func matches(s, sep string, n int) int {
	c := strings.Count(s, sep)
	if sep == "" {
		c = utf8.RuneCountInString(s) + 1
	}
	if n >= 0 && n < c {
		c = n
	}
	return c
}

func replaceSize(args []any) (int, error) {
	s, old, repl := str(args, 0), str(args, 1), str(args, 2)
	return len(s) + matches(s, old, intArg(args, 3, -1))*(len(repl)-len(old)), nil
}

func joinSize(args []any) (int, error) {
	sep := ""
	if len(args) > 1 {
		sep = str(args, 1)
	}
	n, size := 0, 0
	switch list := args[0].(type) {
	case []string:
		n = len(list)
		for _, s := range list {
			size += len(s)
		}
	case []any:
		n = len(list)
		for _, v := range list {
			s, ok := v.(string)
			if !ok {
				return 0, fmt.Errorf("join takes a list of strings, found %T", v)
			}
			size += len(s)
		}
	}
	if n > 1 {
		size += (n - 1) * len(sep)
	}
	return size, nil
}

// firstStringSize is the size of upper and lower: a case change keeps the
// length of most text, and at most adds half of it.
func firstStringSize(args []any) (int, error) {
	return len(str(args, 0)) * 3 / 2, nil
}

// stringSize is the size of string(x), which rules may only apply to a
// scalar: the text of a list or map has no size known in advance.
func stringSize(args []any) (int, error) {
	switch v := args[0].(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, time.Duration:
		return 32, nil
	case time.Time:
		return 64, nil
	case string:
		return len(v), nil
	}
	return 0, fmt.Errorf("string() takes a string, number, boolean or time in rules, not %T", args[0])
}

func splitSize(args []any) (int, error) {
	return matches(str(args, 0), str(args, 1), intArg(args, 2, -1)) * listEntryBytes, nil
}

func mapSize(args []any) (int, error) {
	if v := reflect.ValueOf(args[0]); v.Kind() == reflect.Map {
		return v.Len() * listEntryBytes, nil
	}
	return 0, nil // the builtin reports what is wrong
}

// keep charges v, a value the evaluation returns, written out: each element,
// field and map entry counts listEntryBytes, text its length. It stops as
// soon as the budget is spent, so a value that shares its parts
// (reduce(1..60, [#acc, #acc], 0)) is never walked in full.
func (m *meter) keep(v any) bool {
	left := MaxBuiltBytes - m.kept
	if !fits(reflect.ValueOf(v), &left) {
		return false
	}
	m.kept = MaxBuiltBytes - left
	return true
}

func fits(v reflect.Value, left *int) bool {
	*left -= listEntryBytes
	if *left < 0 || !v.IsValid() {
		return *left >= 0
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			return fits(v.Elem(), left)
		}
	case reflect.String:
		*left -= v.Len()
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if !fits(v.Index(i), left) {
				return false
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if !fits(it.Key(), left) || !fits(it.Value(), left) {
				return false
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !fits(v.Field(i), left) {
				return false
			}
		}
	}
	return *left >= 0
}
