package kernel

// Loops over arrays laid end to end: a model's parameters, their gradients
// or their optimizer state, stepped or summed as one run of elements. The
// graph's gradient sum and the optimizers' steps spread the same run in the
// same chunks, so that each thread steps the part of the gradients it
// summed, still in its cache: they share Spread to keep it so.

// SpreadMin is the fewest elements of such a loop worth spreading over the
// threads; below it a hand-off to another thread costs more than it saves.
const SpreadMin = 1 << 15

// Spread runs t over units [0, n) of a loop that touches size elements: in
// one piece on the calling goroutine below SpreadMin elements, else with
// Parallel.
func Spread(size, n int, t Task) {
	if size < SpreadMin {
		t.Run(0, 0, n)
		return
	}
	Parallel(n, t)
}

// Spans calls f(i, a, b) for each array i that elements [lo, hi) of arrays
// laid end to end reach, ends[i] being the elements of arrays 0..i: [a, b)
// is the part of array i they cover. Arrays the range misses or
// that are empty get no call.
func Spans(ends []int, lo, hi int, f func(i, a, b int)) {
	start := 0
	for i, end := range ends {
		if a, b := max(lo, start), min(hi, end); a < b {
			f(i, a-start, b-start)
		}
		start = end
	}
}
