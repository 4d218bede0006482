package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// The IDX format, as described at http://yann.lecun.com/exdb/mnist/:
//
//	magic  uint32 big-endian: 0x00, 0x00, element type, number of dimensions
//	dims   one uint32 big-endian per dimension
//	data   the elements, row-major (last dimension fastest)
//
// Element type 0x08 is unsigned byte; 0x09 signed byte, 0x0B int16, 0x0C int32,
// 0x0D float32 and 0x0E float64 exist but are not read here. MNIST and
// Fashion-MNIST images are (count, rows, cols) arrays of bytes, magic
// 0x00000803, with 0 the background; labels are a (count) array, magic
// 0x00000801. Files may be gzipped; the gzip magic 0x1f 0x8b tells.
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801

	// maxIDXBytes caps the payload an IDX header may claim (4 GiB), so that
	// the size arithmetic cannot overflow and no absurd header is believed.
	maxIDXBytes = 1 << 32
	// maxIDXSide caps the rows and columns of an IDX image.
	maxIDXSide = 1 << 14
	// firstChunk is how much a gzipped payload gets before its bytes arrive.
	firstChunk = 1 << 16
)

var idxDimNames = map[int][]string{1: {"labels"}, 3: {"images", "rows", "columns"}}

var idxTypeNames = map[byte]string{
	0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64",
}

// ReadIDXImages reads an IDX file of unsigned-byte images (magic
// 0x00000803), gzipped or not, and returns n images of rows×cols pixels,
// image after image.
func ReadIDXImages(name string) (n, rows, cols int, pixels []uint8, err error) {
	f, size, err := openSized(name)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	defer f.Close()
	return decodeIDXImages(name, f, size)
}

// ReadIDXLabels reads an IDX file of unsigned-byte labels (magic
// 0x00000801), gzipped or not.
func ReadIDXLabels(name string) ([]uint8, error) {
	f, size, err := openSized(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, labels, err := decodeIDX(name, f, size, idxLabelsMagic)
	return labels, err
}

// LoadIDX reads an IDX images file and its IDX labels file into a
// single-channel Dataset. Every label must index classes.
func LoadIDX(name, images, labels string, classes []string) (*Dataset, error) {
	n, rows, cols, pixels, err := ReadIDXImages(images)
	if err != nil {
		return nil, err
	}
	raw, err := ReadIDXLabels(labels)
	if err != nil {
		return nil, err
	}
	if len(raw) != n {
		return nil, formatErr(labels, "%d labels but %s holds %d images", len(raw), images, n)
	}
	lab, err := checkLabels(labels, raw, len(classes))
	if err != nil {
		return nil, err
	}
	return &Dataset{Name: name, C: 1, H: rows, W: cols, Classes: slices.Clone(classes), Pixels: pixels, Labels: lab}, nil
}

// checkLabels widens byte labels to int32 after checking each is below
// nclass.
func checkLabels(file string, raw []uint8, nclass int) ([]int32, error) {
	out := make([]int32, len(raw))
	for i, l := range raw {
		if int(l) >= nclass {
			return nil, formatErr(file, "label %d at index %d is out of range for %d classes", l, i, nclass)
		}
		out[i] = int32(l)
	}
	return out, nil
}

// decodeIDXImages decodes an IDX images file from r; size is the byte length
// of r as stored (compressed or not).
func decodeIDXImages(name string, r io.Reader, size int64) (n, rows, cols int, pixels []uint8, err error) {
	dims, pixels, err := decodeIDX(name, r, size, idxImagesMagic)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	return dims[0], dims[1], dims[2], pixels, nil
}

// decodeIDX reads an IDX array of unsigned bytes with the given magic from r,
// gunzipping it if it starts with the gzip magic. size is the length of r in
// bytes; a plain file must be exactly as long as its header says before
// anything is allocated. A gzipped payload's length is only known once
// read, so its buffer grows with the bytes that actually arrive.
func decodeIDX(name string, r io.Reader, size int64, magic uint32) (dims []int, payload []byte, err error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, formatErr(name, "bad gzip header: %v", err)
		}
		return decodeIDXPayload(name, zr, -1, magic)
	}
	return decodeIDXPayload(name, br, size, magic)
}

func decodeIDXPayload(name string, r io.Reader, size int64, magic uint32) ([]int, []byte, error) {
	what := "images"
	if magic == idxLabelsMagic {
		what = "labels"
	}
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, nil, readErr(name, "truncated: no 4-byte IDX magic", err)
	}
	if got := binary.BigEndian.Uint32(head[:]); got != magic {
		if t, ok := idxTypeNames[head[2]]; ok && head[0] == 0 && head[1] == 0 && uint32(head[3]) == magic&0xff {
			return nil, nil, &UnsupportedError{File: name, Msg: fmt.Sprintf(
				"IDX element type 0x%02x (%s); only unsigned bytes (0x08) are read", head[2], t)}
		}
		return nil, nil, formatErr(name, "bad magic 0x%08x (want 0x%08x for IDX %s)", got, magic, what)
	}
	nd := int(magic & 0xff)
	var buf [12]byte
	if _, err := io.ReadFull(r, buf[:4*nd]); err != nil {
		return nil, nil, readErr(name, fmt.Sprintf("truncated: header ends before its %d dimensions", nd), err)
	}
	dims := make([]int, nd)
	total := int64(1)
	for i := range dims {
		v := int64(binary.BigEndian.Uint32(buf[4*i:]))
		if v == 0 {
			return nil, nil, formatErr(name, "header says 0 %s", idxDimNames[nd][i])
		}
		if i > 0 && v > maxIDXSide {
			return nil, nil, formatErr(name, "image side %d exceeds %d", v, maxIDXSide)
		}
		if v > maxIDXBytes/total || v*total > math.MaxInt {
			return nil, nil, formatErr(name, "header dimensions %v claim more than %d bytes", rawDims(buf[:4*nd]), int64(maxIDXBytes))
		}
		total *= v
		dims[i] = int(v)
	}
	desc := fmt.Sprintf("%d labels", dims[0])
	if nd == 3 {
		desc = fmt.Sprintf("%d images of %dx%d", dims[0], dims[1], dims[2])
	}
	hdr := int64(4 + 4*nd)
	first := min(total, firstChunk)
	if size >= 0 {
		switch want := hdr + total; {
		case size < want:
			return nil, nil, formatErr(name, "truncated: header says %s (%d bytes) but the file has %d bytes after the %d-byte header",
				desc, total, size-hdr, hdr)
		case size > want:
			return nil, nil, formatErr(name, "trailing data (%d bytes) after %s", size-want, desc)
		}
		first = total
	}
	payload, err := readExactly(r, total, first)
	if err != nil {
		return nil, nil, readErr(name, fmt.Sprintf("truncated: header says %s (%d bytes) but only %d bytes follow", desc, total, len(payload)), err)
	}
	// Reading past the end makes gzip check its CRC and length, and finds
	// trailing data in streams whose size was not known.
	var one [1]byte
	switch n, err := io.ReadFull(r, one[:]); {
	case n > 0:
		return nil, nil, formatErr(name, "trailing data after %s", desc)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, nil, formatErr(name, "truncated: the gzip stream ends before its checksum")
	case err != io.EOF:
		return nil, nil, readErr(name, "after "+desc, err)
	}
	return dims, payload, nil
}

// rawDims decodes raw big-endian uint32 dimensions for an error message.
func rawDims(raw []byte) []uint32 {
	d := make([]uint32, len(raw)/4)
	for i := range d {
		d[i] = binary.BigEndian.Uint32(raw[4*i:])
	}
	return d
}

// readExactly reads n bytes from r without trusting n for allocation: the
// buffer starts first bytes long and doubles only as bytes arrive, so a
// header that lies costs at most about twice the data actually present. The
// bytes read so far come back with any error.
func readExactly(r io.Reader, n, first int64) ([]byte, error) {
	buf := make([]byte, first)
	got := 0
	for {
		m, err := io.ReadFull(r, buf[got:])
		got += m
		if err != nil {
			return buf[:got], err
		}
		if int64(got) == n {
			return buf, nil
		}
		grow := min(n, 2*int64(len(buf))) - int64(len(buf))
		buf = append(buf, make([]byte, grow)...)
	}
}

// readErr turns an error met while reading outside data into a typed one: a
// short read is a truncated file, described by msg; a failing disk (an
// *fs.PathError) is returned wrapped; and anything else comes from gzip or
// flate finding the stream corrupt. msg is not used then: a flipped byte
// can make gzip stop early, and msg would call that a truncated file.
func readErr(name, msg string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return formatErr(name, "%s", msg)
	case errors.As(err, &pe):
		return fmt.Errorf("data: reading %s: %w", name, err)
	}
	return formatErr(name, "corrupt gzip stream: %v", err)
}

// openSized opens a file and returns its size, with a *MissingError when it
// is not there.
func openSized(name string) (*os.File, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, 0, &MissingError{Path: name, Want: []string{filepath.Base(name)}}
		}
		return nil, 0, fmt.Errorf("data: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("data: %w", err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, 0, formatErr(name, "is a folder, not a file")
	}
	return f, fi.Size(), nil
}
