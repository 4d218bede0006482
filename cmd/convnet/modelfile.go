package main

import "github.com/convnet/convnet/nn"

// loadModel reads a saved model for eval, predict, summary and the other
// commands that take --model PATH. It is the one place that knows the model
// file formats.
func loadModel(path string) (*nn.Model, error) {
	return nn.LoadModel(path)
}
