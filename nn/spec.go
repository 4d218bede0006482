package nn

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The model text form is a sequence of layers separated by spaces or new
// lines, each a name with optional arguments in parentheses:
//
//	conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)
//
// Positional arguments come first, then key=value options. A "#" starts a
// comment that runs to the end of the line, so a spec can live in a file.
// residual(...) wraps a sub-sequence whose output is added to its input:
//
//	conv(16,3,pad=1) relu residual(conv(16,3,pad=1) batchnorm relu conv(16,3,pad=1) batchnorm) relu
//
// The layers and their arguments are listed in the registry below
// (layerSpecs); SpecHelp prints them.

// SpecError is a problem in a model spec, with the layer it concerns.
type SpecError struct {
	Layer string // the offending item as written, e.g. "conv(6)"
	Msg   string
}

func (e *SpecError) Error() string {
	if e.Layer == "" {
		return "model spec: " + e.Msg
	}
	return fmt.Sprintf("model spec: %s: %s", e.Layer, e.Msg)
}

// SpecOptions change how a spec is built.
type SpecOptions struct {
	// Activation, when set, replaces every activation in the spec (the
	// --activation flag), e.g. "sigmoid".
	Activation string
	// MaxParams, when positive, makes BuildGraph fail before a convolution
	// or dense layer allocates parameters that would take the model past
	// this many values. Readers of model files set it from the tensor data
	// the file holds, so a corrupt spec cannot allocate more than that.
	// Zero or less means DefaultMaxParams.
	MaxParams int64
}

// DefaultMaxParams is the parameter budget of a spec built without
// SpecOptions.MaxParams: 2^30 values, 4 GiB of float32 weights (training
// keeps gradients and optimizer state beside them). It turns a typo such as
// dense(99999999999) into a SpecError instead of an allocation that fails
// with a panic or kills the process.
const DefaultMaxParams = 1 << 30

// specItem is one parsed layer: name, positional and keyword arguments, and
// for residual blocks the nested items.
type specItem struct {
	text  string
	name  string
	pos   []string
	kw    map[string]string
	inner []specItem
}

// parseSpec splits a spec into items. It knows nothing about layer names.
func parseSpec(s string) ([]specItem, error) {
	s = stripComments(s)
	var items []specItem
	i := 0
	for {
		for i < len(s) && (unicode.IsSpace(rune(s[i])) || s[i] == ',' || s[i] == ';') {
			i++
		}
		if i >= len(s) {
			return items, nil
		}
		start := i
		for i < len(s) && (isNameChar(s[i])) {
			i++
		}
		if i == start {
			return nil, &SpecError{Msg: fmt.Sprintf("unexpected %q at offset %d", s[i], i)}
		}
		it := specItem{name: strings.ToLower(s[start:i]), kw: map[string]string{}}
		if i < len(s) && s[i] == '(' {
			depth, open := 0, i
			for ; i < len(s); i++ {
				if s[i] == '(' {
					depth++
				} else if s[i] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if depth != 0 {
				return nil, &SpecError{Layer: s[start:], Msg: "missing closing parenthesis"}
			}
			body := s[open+1 : i]
			i++
			it.text = s[start:i]
			if it.name == "residual" {
				inner, err := parseSpec(body)
				if err != nil {
					return nil, err
				}
				it.inner = inner
			} else if err := it.parseArgs(body); err != nil {
				return nil, err
			}
		} else {
			it.text = s[start:i]
		}
		items = append(items, it)
	}
}

func (it *specItem) parseArgs(body string) error {
	if strings.TrimSpace(body) == "" {
		return nil
	}
	for _, a := range strings.Split(body, ",") {
		a = strings.TrimSpace(a)
		if k, v, ok := strings.Cut(a, "="); ok {
			k = strings.ToLower(strings.TrimSpace(k))
			if _, dup := it.kw[k]; dup {
				return &SpecError{Layer: it.text, Msg: fmt.Sprintf("option %s given twice", k)}
			}
			it.kw[k] = strings.TrimSpace(v)
			continue
		}
		if len(it.kw) > 0 {
			return &SpecError{Layer: it.text, Msg: "positional argument " + a + " after key=value options"}
		}
		if a == "" {
			return &SpecError{Layer: it.text, Msg: "empty argument"}
		}
		it.pos = append(it.pos, a)
	}
	return nil
}

func stripComments(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if j := strings.IndexByte(l, '#'); j >= 0 {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}

func isNameChar(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// args gives typed access to an item's arguments and records what was used,
// so unknown options can be reported.
type args struct {
	it   *specItem
	used map[string]bool
	err  error
}

func (a *args) fail(format string, v ...any) {
	if a.err == nil {
		a.err = &SpecError{Layer: a.it.text, Msg: fmt.Sprintf(format, v...)}
	}
}

// intAt reads positional argument i, or def when absent (def < 0: required).
func (a *args) intAt(i int, what string, def int) int {
	if i >= len(a.it.pos) {
		if def < 0 {
			a.fail("missing %s", what)
		}
		return def
	}
	v, err := strconv.Atoi(a.it.pos[i])
	if err != nil {
		a.fail("%s must be a whole number, got %q", what, a.it.pos[i])
	}
	return v
}

// pairAt reads "K" or "KHxKW" at positional i.
func (a *args) pairAt(i int, what string) (int, int) {
	if i >= len(a.it.pos) {
		a.fail("missing %s", what)
		return 0, 0
	}
	return a.parsePair(a.it.pos[i], what)
}

func (a *args) parsePair(s, what string) (int, int) {
	h, w, ok := strings.Cut(strings.ToLower(s), "x")
	x, err1 := strconv.Atoi(h)
	y := x
	var err2 error
	if ok {
		y, err2 = strconv.Atoi(w)
	}
	if err1 != nil || err2 != nil {
		a.fail("%s must be N or NxM, got %q", what, s)
	}
	return x, y
}

func (a *args) floatAt(i int, what string, def float64) float64 {
	if i >= len(a.it.pos) {
		return def
	}
	v, err := strconv.ParseFloat(a.it.pos[i], 64)
	if err != nil {
		a.fail("%s must be a number, got %q", what, a.it.pos[i])
	}
	return v
}

func (a *args) opt(key string) (string, bool) {
	v, ok := a.it.kw[key]
	if ok {
		a.used[key] = true
	}
	return v, ok
}

func (a *args) optPair(key string, def int) (int, int) {
	v, ok := a.opt(key)
	if !ok {
		return def, def
	}
	return a.parsePair(v, key)
}

func (a *args) optInt(key string, def int) int {
	v, ok := a.opt(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		a.fail("%s must be a whole number, got %q", key, v)
	}
	return n
}

func (a *args) optBool(key string, def bool) bool {
	v, ok := a.opt(key)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		a.fail("%s must be true or false, got %q", key, v)
	}
	return b
}

func (a *args) optFloat(key string, def float64) float64 {
	v, ok := a.opt(key)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		a.fail("%s must be a number, got %q", key, v)
	}
	return f
}

func (a *args) optInit() InitScheme {
	v, ok := a.opt("init")
	if !ok {
		return InitAuto
	}
	s, err := ParseInit(v)
	if err != nil {
		a.fail("%v", err)
	}
	return s
}

// optPads reads pad=P, pad=PHxPW or pad=T:L:B:R (ONNX order is T,L,B,R too).
func (a *args) optPads() (t, l, b, r int) {
	v, ok := a.opt("pad")
	if !ok {
		return 0, 0, 0, 0
	}
	if parts := strings.Split(v, ":"); len(parts) == 4 {
		var p [4]int
		for i, s := range parts {
			n, err := strconv.Atoi(s)
			if err != nil {
				a.fail("pad must be P, PHxPW or T:L:B:R, got %q", v)
			}
			p[i] = n
		}
		return p[0], p[1], p[2], p[3]
	}
	h, w := a.parsePair(v, "pad")
	return h, w, h, w
}

// done reports unused options and extra positional arguments.
func (a *args) done(maxPos int) error {
	if a.err != nil {
		return a.err
	}
	if len(a.it.pos) > maxPos {
		return &SpecError{Layer: a.it.text, Msg: fmt.Sprintf("takes at most %d positional arguments, got %d", maxPos, len(a.it.pos))}
	}
	for k := range a.it.kw {
		if !a.used[k] {
			return &SpecError{Layer: a.it.text, Msg: fmt.Sprintf("unknown option %q", k)}
		}
	}
	return nil
}
