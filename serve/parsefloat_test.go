package serve

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// checkParseFloat32 holds parseFloat32 to strconv, the reference: where
// it answers, it answers the same bits.
func checkParseFloat32(t *testing.T, s string) bool {
	t.Helper()
	got, ok := parseFloat32([]byte(s))
	if !ok {
		return false
	}
	want, err := strconv.ParseFloat(s, 32)
	if err != nil {
		t.Fatalf("parseFloat32(%q) = %v, but strconv refuses it: %v", s, got, err)
	}
	if math.Float32bits(got) != math.Float32bits(float32(want)) {
		t.Fatalf("parseFloat32(%q) = %v (%#x), strconv %v (%#x)", s, got, math.Float32bits(got), float32(want), math.Float32bits(float32(want)))
	}
	return true
}

func TestParseFloat32(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"0", true}, {"-0", true}, {"1", true}, {"-2.5", true}, {"0.5294118", true}, {"3e2", true}, {"1E-7", true},
		{"0.000123", true}, {"1234567890123456", true}, {"123456789012345678", false}, {"1e22", true}, {"0e999", true},
		// Left to strconv: JSON forbids them, or they need its care.
		{"", false}, {"-", false}, {"01", false}, {"1.", false}, {".5", false}, {"1e", false}, {"1e+", false},
		{"+1", false}, {"1e99999", false}, {"12345678901234567890", false}, {"1e-30", false}, {"1e39", false},
		{"3.4028236e38", false}, {"1-2", false},
		// 1 + 2^-24 is halfway between the float32 values 1 and 1 + 2^-23.
		{"1.000000059604644775390625", false},
	} {
		if ok := checkParseFloat32(t, c.s); ok != c.ok {
			t.Errorf("parseFloat32(%q): ok %v, want %v", c.s, ok, c.ok)
		}
	}
	// Numbers as encoders write them, and random digit strings; every one
	// is checked against strconv, and most must take the fast path.
	r := rand.New(rand.NewPCG(7, 7))
	fast := 0
	const n = 200000
	for i := range n {
		var s string
		switch i % 4 {
		case 0:
			s = strconv.FormatFloat(float64(r.Float32()), 'g', -1, 32)
		case 1:
			s = strconv.FormatFloat(float64(float32(r.NormFloat64()*1000)), 'e', r.IntN(10), 32)
		case 2:
			s = strconv.FormatFloat(r.Float64()*math.Pow(10, float64(r.IntN(30)-15)), 'g', r.IntN(19)+1, 64)
		default:
			b := []byte(strconv.FormatUint(r.Uint64()>>r.IntN(64), 10))
			if p := r.IntN(len(b) + 1); p > 0 && p < len(b) {
				b = append(b[:p], append([]byte{'.'}, b[p:]...)...)
			}
			s = string(b) + "e" + strconv.Itoa(r.IntN(40)-20)
		}
		if checkParseFloat32(t, s) {
			fast++
		}
	}
	if fast < n*3/4 {
		t.Errorf("only %d of %d numbers took the fast path", fast, n)
	}
	// Exact float32 midpoints written out in full, and their neighbours.
	for range 1000 {
		f := r.Float32() + 1
		mid := float64(f) + math.Pow(2, -24) // halfway to the next float32 in [1, 2)
		for _, v := range []float64{mid, math.Nextafter(mid, 2), math.Nextafter(mid, 0)} {
			checkParseFloat32(t, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
}

func FuzzParseFloat32(f *testing.F) {
	for _, s := range []string{"0", "-0.5", "1e22", "0.011764706", "1.000000059604644775390625", "9007199254740993", "01", "1e-7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkParseFloat32(t, s) })
}

func BenchmarkParseFloat32(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	nums := make([][]byte, 1024)
	for i := range nums {
		nums[i] = strconv.AppendFloat(nil, float64(r.Float32()), 'g', -1, 32)
	}
	b.Run("fast", func(b *testing.B) {
		for i := range b.N {
			parseFloat32(nums[i%len(nums)])
		}
	})
	b.Run("strconv", func(b *testing.B) {
		for i := range b.N {
			strconv.ParseFloat(string(nums[i%len(nums)]), 32)
		}
	})
}
