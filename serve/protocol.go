package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The JSON bodies of the Open Inference Protocol (KServe v2) REST API, as
// far as convnet uses them. Tensors are FP32; data is a flat array in
// row-major order or the same numbers nested as arrays.

// tensorMeta describes an input or output in the model metadata.
type tensorMeta struct {
	Name     string `json:"name"`
	Datatype string `json:"datatype"`
	Shape    []int  `json:"shape"` // -1 for the batch axis
}

// modelMetadata is the reply of GET /v2/models/{name}.
type modelMetadata struct {
	Name     string       `json:"name"`
	Versions []string     `json:"versions"`
	Platform string       `json:"platform"`
	Inputs   []tensorMeta `json:"inputs"`
	Outputs  []tensorMeta `json:"outputs"`
}

// inferRequest is the body of POST /v2/models/{name}/infer.
type inferRequest struct {
	ID         string          `json:"id,omitempty"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
	Inputs     []requestInput  `json:"inputs"`
	Outputs    []struct {
		Name string `json:"name"`
	} `json:"outputs,omitempty"`
}

type requestInput struct {
	Name     string          `json:"name"`
	Shape    []int64         `json:"shape"`
	Datatype string          `json:"datatype"`
	Data     json.RawMessage `json:"data"`
}

// inferResponse is the reply of a successful infer request.
type inferResponse struct {
	ModelName    string           `json:"model_name"`
	ModelVersion string           `json:"model_version,omitempty"`
	ID           string           `json:"id,omitempty"`
	Outputs      []responseOutput `json:"outputs"`
}

type responseOutput struct {
	Name     string    `json:"name"`
	Datatype string    `json:"datatype"`
	Shape    []int     `json:"shape"`
	Data     []float32 `json:"data"`
}

// errorBody is every error reply: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// RequestError is an inference request that does not fit the protocol or
// the model; the server answers it with a 4xx status and the message.
type RequestError struct {
	Status int
	Msg    string
}

func (e *RequestError) Error() string { return "serve: " + e.Msg }

func badRequest(format string, a ...any) *RequestError {
	return &RequestError{Status: 400, Msg: fmt.Sprintf(format, a...)}
}

// ParseInferRequest decodes an infer request body for a model whose input
// is named inputName with per-example shape example (batch excluded). It
// returns the request id, the examples' values, the number of examples and
// the names of the outputs asked for (nil: all). Shapes are checked
// against the model and against maxValues before anything is allocated
// from them, and the data must hold exactly as many numbers as the shape
// says. Every error is a *RequestError.
func ParseInferRequest(body []byte, inputName string, example []int, maxValues int) (id string, x []float32, n int, outputs []string, err error) {
	return parseInferRequest(body, inputName, example, maxValues, true)
}

// parseInferRequest is ParseInferRequest with the fast reader (see
// fastParse) on or off.
func parseInferRequest(body []byte, inputName string, example []int, maxValues int, fast bool) (id string, x []float32, n int, outputs []string, err error) {
	req, err := fastParse(body)
	if !fast || err != nil {
		req = &inferRequest{}
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(req); err != nil {
			return "", nil, 0, nil, badRequest("malformed JSON: %v", err)
		}
		if dec.More() {
			return "", nil, 0, nil, badRequest("malformed JSON: more than one value in the body")
		}
	}
	if len(req.Inputs) != 1 {
		return "", nil, 0, nil, badRequest("the model takes 1 input, %q; the request has %d", inputName, len(req.Inputs))
	}
	in := req.Inputs[0]
	if in.Name != inputName {
		return "", nil, 0, nil, badRequest("unknown input %q: the model's input is %q", in.Name, inputName)
	}
	if in.Datatype != "FP32" {
		return "", nil, 0, nil, badRequest("input %q has datatype %q; the model takes FP32", in.Name, in.Datatype)
	}
	if len(in.Shape) != len(example)+1 {
		return "", nil, 0, nil, badRequest("input %q has shape %v; the model takes %s", in.Name, in.Shape, shapeText(example))
	}
	for i, d := range example {
		if in.Shape[i+1] != int64(d) {
			return "", nil, 0, nil, badRequest("input %q has shape %v; the model takes %s", in.Name, in.Shape, shapeText(example))
		}
	}
	per := 1
	for _, d := range example {
		per *= d
	}
	if in.Shape[0] < 1 {
		return "", nil, 0, nil, badRequest("input %q has shape %v: the batch must be at least 1", in.Name, in.Shape)
	}
	if in.Shape[0] > int64(maxValues/per) {
		return "", nil, 0, nil, &RequestError{Status: 413, Msg: fmt.Sprintf("input %q has shape %v: more than the %d values a request may hold", in.Name, in.Shape, maxValues)}
	}
	n = int(in.Shape[0])
	if len(in.Data) == 0 {
		return "", nil, 0, nil, badRequest("input %q has no data", in.Name)
	}
	if in.Data[0] != '[' {
		return "", nil, 0, nil, badRequest("input %q: data must be an array of numbers (flat or nested)", in.Name)
	}
	// Every number takes a digit and a separator but the last: a shape
	// that the data is too short to fill allocates nothing.
	if n*per > (len(in.Data)+1)/2 {
		return "", nil, 0, nil, badRequest("input %q has shape %v, %d values, but its data is %d bytes long", in.Name, in.Shape, n*per, len(in.Data))
	}
	x = make([]float32, n*per)
	if err := parseNumbers(in.Data, x); err != nil {
		return "", nil, 0, nil, badRequest("input %q: %v", in.Name, err)
	}
	for _, o := range req.Outputs {
		outputs = append(outputs, o.Name)
	}
	return req.ID, x, n, outputs, nil
}

// parseNumbers reads the JSON array raw, flat or nested, into dst and
// fails unless it holds exactly len(dst) numbers.
func parseNumbers(raw []byte, dst []float32) error {
	i, n, depth := 0, 0, 0
	for i < len(raw) {
		c := raw[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
		case c == '[':
			depth++
			i++
		case c == ']':
			depth--
			i++
		case c == '-' || c >= '0' && c <= '9':
			if depth == 0 {
				return fmt.Errorf("data must be an array of numbers")
			}
			j := i + 1
			for j < len(raw) && (raw[j] == '.' || raw[j] == 'e' || raw[j] == 'E' || raw[j] == '+' || raw[j] == '-' || raw[j] >= '0' && raw[j] <= '9') {
				j++
			}
			if n == len(dst) {
				return fmt.Errorf("data holds more than the %d numbers its shape says", len(dst))
			}
			v, ok := parseFloat32(raw[i:j])
			if !ok {
				v64, err := strconv.ParseFloat(string(raw[i:j]), 32)
				if err != nil {
					return fmt.Errorf("data holds %q, which is not an FP32 number", raw[i:j])
				}
				v = float32(v64)
			}
			dst[n] = v
			n++
			i = j
		default:
			return fmt.Errorf("data must be an array of numbers (flat or nested), found %q", string(c))
		}
	}
	if n != len(dst) {
		return fmt.Errorf("data holds %d numbers, its shape says %d", n, len(dst))
	}
	return nil
}

func shapeText(example []int) string {
	s := "[-1"
	for _, d := range example {
		s += fmt.Sprintf(", %d", d)
	}
	return s + "]"
}
