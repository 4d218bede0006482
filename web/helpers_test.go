package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/train"
)

// tinySpec is a small conv net for 1×12×12 images of 10 classes.
const tinySpec = "conv(4,3,pad=1) relu maxpool(2) conv(6,3) relu flatten dense(10)"

// tinyData makes n 1×12×12 images of 10 classes: class k is a bright bar
// at row k, with noise, so a model can learn it in a few steps.
func tinyData(n int, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	ds := &data.Dataset{Name: "tiny", C: 1, H: 12, W: 12, Classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
		Pixels: make([]uint8, n*144), Labels: make([]int32, n)}
	for i := range n {
		k := i % 10
		ds.Labels[i] = int32(k)
		img := ds.Image(i)
		for p := range img {
			img[p] = uint8(rng.IntN(40))
		}
		for x := range 12 {
			img[(k+1)*12+x] = 200 + uint8(rng.IntN(55))
		}
	}
	return ds
}

func tinyModel(t testing.TB) *nn.Model {
	t.Helper()
	ds := tinyData(1, 0)
	m, err := nn.NewModel(tinySpec, []int{1, 12, 12}, ds.Classes, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(1)
	return m
}

// pngOf encodes a w×h gray image with a white vertical stroke on black.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := h / 4; y < 3*h/4; y++ {
		img.SetGray(w/2, y, color.Gray{255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// feed plays a training run into hub without training: steps, epochs,
// health and snapshots, as train.Run's callbacks would.
func feed(hub *Hub, m *nn.Model, epochs, stepsPerEpoch int) {
	step := 0
	for e := 1; e <= epochs; e++ {
		for range stepsPerEpoch {
			step++
			hub.Step(train.StepInfo{Type: "step", Epoch: e, Step: step, Loss: 2.3 / float64(step), Acc: 0.5, LR: 0.05, ImgPerSec: 1000})
			hub.Snapshot(e, step, step%5 == 0, false)
		}
		hub.Epoch(train.EpochInfo{Type: "epoch", Epoch: e, Step: step, TrainLoss: 1, TrainAcc: 0.6, TestLoss: 1.1, TestAcc: 0.55})
		hub.Snapshot(e, step, true, true)
		hub.Health(train.HealthInfo{Type: "health", Epoch: e, Step: step})
	}
}
