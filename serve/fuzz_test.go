package serve

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func sameBits(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

// FuzzParseInferRequest feeds infer bodies to the parser: it must return
// a value or a *RequestError, never panic, and never allocate more than
// the checked shape allows. The seeds are in testdata/fuzz.
func FuzzParseInferRequest(f *testing.F) {
	f.Add([]byte(`{"inputs":[{"name":"input","shape":[1,1,2,2],"datatype":"FP32","data":[1,2,3,4]}]}`))
	f.Add([]byte(`{"id":"a","inputs":[{"name":"input","shape":[2,1,2,2],"datatype":"FP32","data":[[[[1,2],[3,4]]],[[[5,6],[7,8]]]]}],"outputs":[{"name":"y"}]}`))
	f.Add([]byte(`{"inputs":[{"name":"input","shape":[99999999999,1,2,2],"datatype":"FP32","data":[1]}]}`))
	f.Add([]byte(`{"inputs":[{"name":"input","shape":[1,1,2,2],"datatype":"FP32","data":[1e40,-0,"x",null]}]}`))
	const maxValues = 1 << 16
	f.Fuzz(func(t *testing.T, body []byte) {
		id, x, n, outs, err := ParseInferRequest(body, "input", []int{1, 2, 2}, maxValues)
		// The fast reader changes speed, never results.
		id2, x2, n2, outs2, err2 := parseInferRequest(body, "input", []int{1, 2, 2}, maxValues, false)
		if (err == nil) != (err2 == nil) || id != id2 || n != n2 || !slices.Equal(outs, outs2) || !slices.EqualFunc(x, x2, sameBits) {
			t.Fatalf("fast reader: %q %v %d %v %v; encoding/json: %q %v %d %v %v", id, x, n, outs, err, id2, x2, n2, outs2, err2)
		}
		if err != nil && err.Error() != err2.Error() {
			t.Fatalf("fast reader: %v; encoding/json: %v", err, err2)
		}
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Status < 400 || re.Status > 499 {
				t.Fatalf("error %v is not a 4xx RequestError", err)
			}
			return
		}
		if n < 1 || len(x) != n*4 || len(x) > maxValues {
			t.Fatalf("%d examples, %d values", n, len(x))
		}
	})
}

// TestParseWhitespace: JSON allows whitespace anywhere between tokens.
func TestParseWhitespace(t *testing.T) {
	body := "{ \"inputs\" : [ { \"name\" : \"input\" , \"shape\" : [ 1 , 1 , 2 , 2 ] , \"datatype\" : \"FP32\" ,\n \"data\" :\n\t [ [ [ [ 1 , -2.5 ] ,\r\n [ 3e2 , 4 ] ] ] ] } ] }\n"
	_, x, n, _, err := ParseInferRequest([]byte(body), "input", []int{1, 2, 2}, 100)
	if err != nil || n != 1 || len(x) != 4 || x[0] != 1 || x[1] != -2.5 || x[2] != 300 || x[3] != 4 {
		t.Fatalf("%v %d %v", err, n, x)
	}
}
