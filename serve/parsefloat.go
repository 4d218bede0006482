package serve

import "math"

// parseFloat32 is strconv.ParseFloat(string(s), 32) for the numbers infer
// bodies are mostly made of, about three times faster and without the
// string: plain decimals, -?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?, with at
// most 19 significant digits and a value that needs no rounding care. It
// reports ok = false for everything else (other spellings, more digits,
// far exponents, values near the ends of float32's range, the rare values
// whose rounding it cannot settle), and the caller then asks strconv, so
// results never differ (TestParseFloat32, FuzzParseFloat32).
//
// The method is Clinger's fast path: a mantissa m < 2^53 and a power of
// ten 10^k with |k| <= 22 are exact in float64, so m·10^k (or m/10^-k) is
// one correctly rounded operation, r = RN64(v). Rounding r again to
// float32 gives RN32(v) unless r lies exactly halfway between two float32
// values: every such midpoint is a float64, and rounding to nearest is
// monotonic, so v and r are on the same side of every other midpoint.
// When r is a midpoint (its 29 low mantissa bits are 1000…0) the caller
// asks strconv instead.
func parseFloat32(s []byte) (float32, bool) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	var m uint64
	digits, exp := 0, 0
	start := i
	for ; i < len(s) && isDigit(s[i]); i++ {
		if m == 0 && s[i] == '0' {
			continue // leading zeros count for nothing
		}
		m = m*10 + uint64(s[i]-'0')
		digits++
	}
	if i == start || i-start > 1 && s[start] == '0' {
		return 0, false // no digits, or a leading zero JSON forbids
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := i
		for ; i < len(s) && isDigit(s[i]); i++ {
			if m == 0 && s[i] == '0' {
				exp--
				continue
			}
			m = m*10 + uint64(s[i]-'0')
			digits++
			exp--
		}
		if i == frac {
			return 0, false
		}
	}
	if digits > 19 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		e, start := 0, i
		for ; i < len(s) && isDigit(s[i]) && i-start < 4; i++ {
			e = e*10 + int(s[i]-'0')
		}
		if i == start || i < len(s) && isDigit(s[i]) {
			return 0, false // no digits, or too many
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != len(s) {
		return 0, false
	}
	if m == 0 {
		if neg {
			return float32(math.Copysign(0, -1)), true
		}
		return 0, true
	}
	if m >= 1<<53 || exp < -22 || exp > 22 {
		return 0, false
	}
	f := float64(m)
	if exp < 0 {
		f /= pow10[-exp]
	} else {
		f *= pow10[exp]
	}
	// Outside float32's normal range the midpoints sit elsewhere, and near
	// its top the value may round to infinity: strconv decides those.
	if f < 0x1p-126 || f >= math.MaxFloat32 {
		return 0, false
	}
	if math.Float64bits(f)&(1<<29-1) == 1<<28 {
		return 0, false
	}
	if neg {
		f = -f
	}
	return float32(f), true
}

// pow10 holds the powers of ten that float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
