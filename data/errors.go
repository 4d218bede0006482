package data

import (
	"fmt"
	"strings"
)

// FormatError reports outside data that does not follow its format: a bad
// magic number, a truncated file, a header whose sizes make no sense, labels
// out of range, an image that cannot be decoded. File names the offending
// file (or folder).
type FormatError struct {
	File string
	Msg  string
}

func (e *FormatError) Error() string {
	return "data: " + e.File + ": invalid format: " + e.Msg
}

// UnsupportedError reports data that is valid in its format but that this
// package does not read, such as an IDX file of float32 elements.
type UnsupportedError struct {
	File string
	Msg  string
}

func (e *UnsupportedError) Error() string {
	return "data: " + e.File + ": unsupported: " + e.Msg
}

// MissingError reports a dataset file or folder that is not where it was
// looked for. Want lists the names that would have been accepted; Hint says
// what to do about it.
type MissingError struct {
	Path string
	Want []string
	Hint string
}

func (e *MissingError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "data: missing %s", e.Path)
	if len(e.Want) > 0 {
		fmt.Fprintf(&b, " (looked for %s)", strings.Join(e.Want, ", "))
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// SpecError reports a --data argument that names no dataset this package knows.
type SpecError struct {
	Spec string
	Msg  string
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("data: dataset %q: %s", e.Spec, e.Msg)
}

// formatErr is shorthand for a *FormatError with a formatted message.
func formatErr(file, format string, args ...any) error {
	return &FormatError{File: file, Msg: fmt.Sprintf(format, args...)}
}
