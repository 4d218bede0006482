// Package numfmt formats numbers for the tables and progress lines people
// read: 1234567 as "1,234,567".
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Thousands writes n with a comma between groups of three digits.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ThousandsFloat rounds v to a whole number and writes it as Thousands does.
func ThousandsFloat(v float64) string { return Thousands(int64(math.Round(v))) }
