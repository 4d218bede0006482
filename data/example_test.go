package data_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/convnet/convnet/data"
)

// Open with no argument loads MNIST from the GoMNIST module: no download.
func ExampleOpen() {
	train, test, err := data.Open("mnist", data.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Name, train.Len(), train.C, train.H, train.W)
	fmt.Println(test.Name, test.Len(), test.Classes)
	// Output:
	// mnist-train 60000 1 28 28
	// mnist-test 10000 [0 1 2 3 4 5 6 7 8 9]
}

// An epoch of shuffled, augmented batches, the same for the same seed.
func ExampleLoader() {
	d := &data.Dataset{C: 1, H: 2, W: 2, Pixels: make([]uint8, 10*4), Labels: make([]int32, 10)}
	rng := rand.New(rand.NewPCG(1, 2))
	l := data.NewLoader(d.Len(), 4, rng)
	x := make([]float32, 4*d.Size())
	labels := make([]int, 4)
	for idx := l.Next(); idx != nil; idx = l.Next() {
		n := len(idx)
		d.Batch(idx, x[:n*d.Size()], labels[:n], &data.Augment{Pad: 1, Flip: true}, rng)
		fmt.Println(n, "examples")
	}
	// Output:
	// 4 examples
	// 4 examples
	// 2 examples
}
