package serve

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"
)

// appendInferResponse appends r as JSON, byte for byte what json.Marshal
// writes for it (TestAppendInferResponse holds it to that), without
// reflection: encoding the reply by reflection cost a one-image request
// about as much as its forward pass through the dense layers. Like
// json.Marshal, it fails on NaN and infinite outputs, which JSON cannot
// hold.
func appendInferResponse(b []byte, r *inferResponse) ([]byte, error) {
	b = append(b, `{"model_name":`...)
	b = appendString(b, r.ModelName)
	if r.ModelVersion != "" {
		b = append(b, `,"model_version":`...)
		b = appendString(b, r.ModelVersion)
	}
	if r.ID != "" {
		b = append(b, `,"id":`...)
		b = appendString(b, r.ID)
	}
	b = append(b, `,"outputs":[`...)
	for i, o := range r.Outputs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendString(b, o.Name)
		b = append(b, `,"datatype":`...)
		b = appendString(b, o.Datatype)
		b = append(b, `,"shape":[`...)
		for j, d := range o.Shape {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		b = append(b, `],"data":[`...)
		for j, v := range o.Data {
			if j > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendFloat32(b, v); err != nil {
				return nil, err
			}
		}
		b = append(b, "]}"...)
	}
	return append(b, "]}"...), nil
}

var errNotFinite = errors.New("serve: an output is NaN or infinite, which JSON cannot hold")

// appendFloat32 writes v as encoding/json does: the shortest decimal that
// reads back as v, in exponent form below 1e-6 and from 1e21 on, with a
// one-digit negative exponent written e-7, not e-07.
func appendFloat32(b []byte, v float32) ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errNotFinite
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 32)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendString writes s as a JSON string: plain printable ASCII as it
// is, anything else (escapes, HTML characters, which json.Marshal
// escapes, non-ASCII) through json.Marshal.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// replyBuffers recycles the buffers replies are encoded into.
var replyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// writeInferResponse encodes r and writes it with a 200.
func writeInferResponse(w http.ResponseWriter, r *inferResponse) {
	bp := replyBuffers.Get().(*[]byte)
	defer replyBuffers.Put(bp)
	b, err := appendInferResponse((*bp)[:0], r)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot encode the reply: "+err.Error())
		return
	}
	b = append(b, '\n')
	*bp = b
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
