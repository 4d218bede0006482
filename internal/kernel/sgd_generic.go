//go:build !amd64 || noasm

package kernel

func momentumStep(w, g, b []float32, lr, mu, wd float32) {
	momentumStepGo(w, g, b, lr, mu, wd)
}

func sgdStep(w, g []float32, lr, wd float32) { sgdStepGo(w, g, lr, wd) }

func nesterovStep(w, g, b []float32, lr, mu, wd float32) { nesterovStepGo(w, g, b, lr, mu, wd) }
