package data

import "testing"

func TestLightBackground(t *testing.T) {
	img := func(bg, fg uint8) []uint8 {
		p := make([]uint8, 5*5)
		for i := range p {
			p[i] = bg
		}
		p[12] = fg // the centre pixel: the "digit"
		return p
	}
	if LightBackground(img(0, 255), 5, 5) {
		t.Error("an MNIST-style image (light digit on black) judged light")
	}
	if !LightBackground(img(255, 0), 5, 5) {
		t.Error("a dark digit on white not judged light")
	}
	if LightBackground(nil, 0, 0) {
		t.Error("an empty image judged light")
	}
}
