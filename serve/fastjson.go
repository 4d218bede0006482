package serve

import "errors"

// A fast reader for the common infer request: encoding/json scans a body
// twice (once to find the value, once to decode it) before parseNumbers
// reads the data a third time, and the scans were two thirds of the cost
// of a one-image request (BenchmarkParseInferRequest). fastParse reads
// the body once, skipping the data array's span for parseNumbers. It
// handles plain requests only: keys spelled exactly, strings of printable
// ASCII without escapes. Anything else, including every malformed body,
// makes it give up with errFallback, and ParseInferRequest then reads the
// body with encoding/json, whose verdict and messages stand. So the fast
// path changes speed, never results; FuzzParseInferRequest holds it to
// that.

var errFallback = errors.New("serve: not a plain request")

type lexer struct {
	b []byte
	i int
}

func (l *lexer) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// next skips whitespace and reports the next byte (0 at the end).
func (l *lexer) next() byte {
	l.ws()
	if l.i < len(l.b) {
		return l.b[l.i]
	}
	return 0
}

func (l *lexer) eat(c byte) bool {
	if l.next() == c {
		l.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (l *lexer) str() (string, error) {
	if !l.eat('"') {
		return "", errFallback
	}
	start := l.i
	for l.i < len(l.b) {
		c := l.b[l.i]
		switch {
		case c == '"':
			l.i++
			return string(l.b[start : l.i-1]), nil
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return "", errFallback
		}
		l.i++
	}
	return "", errFallback
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (l *lexer) number() ([]byte, error) {
	l.ws()
	start := l.i
	b := l.b
	if l.i < len(b) && b[l.i] == '-' {
		l.i++
	}
	switch {
	case l.i < len(b) && b[l.i] == '0':
		l.i++
	case l.i < len(b) && b[l.i] >= '1' && b[l.i] <= '9':
		for l.i < len(b) && isDigit(b[l.i]) {
			l.i++
		}
	default:
		return nil, errFallback
	}
	if l.i < len(b) && b[l.i] == '.' {
		l.i++
		if l.i >= len(b) || !isDigit(b[l.i]) {
			return nil, errFallback
		}
		for l.i < len(b) && isDigit(b[l.i]) {
			l.i++
		}
	}
	if l.i < len(b) && (b[l.i] == 'e' || b[l.i] == 'E') {
		l.i++
		if l.i < len(b) && (b[l.i] == '+' || b[l.i] == '-') {
			l.i++
		}
		if l.i >= len(b) || !isDigit(b[l.i]) {
			return nil, errFallback
		}
		for l.i < len(b) && isDigit(b[l.i]) {
			l.i++
		}
	}
	return b[start:l.i], nil
}

// numberArray skips an array of numbers nested to any depth and returns
// its span. Empty arrays are left to encoding/json.
func (l *lexer) numberArray() ([]byte, error) {
	l.ws()
	start := l.i
	depth := 0
	for {
		// Where a value goes: an array or a number.
		if l.eat('[') {
			depth++
			if l.next() == ']' {
				return nil, errFallback
			}
			continue
		}
		if depth == 0 {
			return nil, errFallback
		}
		if _, err := l.number(); err != nil {
			return nil, err
		}
		// After a value: a comma and the next value, or ends of arrays.
		for !l.eat(',') {
			if !l.eat(']') {
				return nil, errFallback
			}
			if depth--; depth == 0 {
				return l.b[start:l.i], nil
			}
		}
	}
}

// object calls field for every key of an object.
func (l *lexer) object(field func(key string) error) error {
	if !l.eat('{') {
		return errFallback
	}
	if l.eat('}') {
		return nil
	}
	for {
		key, err := l.str()
		if err != nil {
			return err
		}
		if !l.eat(':') {
			return errFallback
		}
		if err := field(key); err != nil {
			return err
		}
		if l.eat('}') {
			return nil
		}
		if !l.eat(',') {
			return errFallback
		}
	}
}

// array calls elem for every element of an array.
func (l *lexer) array(elem func() error) error {
	if !l.eat('[') {
		return errFallback
	}
	if l.eat(']') {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if l.eat(']') {
			return nil
		}
		if !l.eat(',') {
			return errFallback
		}
	}
}

// fastParse reads a plain infer request, or returns errFallback.
func fastParse(body []byte) (*inferRequest, error) {
	l := &lexer{b: body}
	req := &inferRequest{}
	seen := map[string]bool{}
	err := l.object(func(key string) error {
		if seen[key] {
			return errFallback // encoding/json's rules for repeats are its own
		}
		seen[key] = true
		switch key {
		case "id":
			id, err := l.str()
			req.ID = id
			return err
		case "inputs":
			return l.array(func() error {
				var in requestInput
				got := map[string]bool{}
				err := l.object(func(k string) error {
					if got[k] {
						return errFallback
					}
					got[k] = true
					var err error
					switch k {
					case "name":
						in.Name, err = l.str()
					case "datatype":
						in.Datatype, err = l.str()
					case "shape":
						err = l.array(func() error {
							v, err := l.number()
							if err != nil {
								return err
							}
							d, ok := smallInt(v)
							if !ok {
								return errFallback
							}
							in.Shape = append(in.Shape, d)
							return nil
						})
					case "data":
						in.Data, err = l.numberArray()
					default:
						err = errFallback
					}
					return err
				})
				req.Inputs = append(req.Inputs, in)
				return err
			})
		case "outputs":
			return l.array(func() error {
				var name string
				n := 0
				err := l.object(func(k string) error {
					if k != "name" || n > 0 {
						return errFallback
					}
					n++
					var err error
					name, err = l.str()
					return err
				})
				req.Outputs = append(req.Outputs, struct {
					Name string `json:"name"`
				}{name})
				return err
			})
		}
		return errFallback
	})
	if err != nil {
		return nil, err
	}
	if l.ws(); l.i != len(l.b) {
		return nil, errFallback
	}
	return req, nil
}

// smallInt reads a JSON integer of at most 15 digits (no fraction or
// exponent, which encoding/json refuses for an int64).
func smallInt(v []byte) (int64, bool) {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 15 {
		return 0, false
	}
	var d int64
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		d = d*10 + int64(c-'0')
	}
	if neg {
		d = -d
	}
	return d, true
}
