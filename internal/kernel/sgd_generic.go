//go:build !amd64 || noasm

package kernel

func momentumStep(w, g, b []float32, lr, mu, wd float32) {
	momentumStepGo(w, g, b, lr, mu, wd)
}
