// Package probe looks inside a model: what every layer produced for an
// image (Record), those activation maps and the conv filters as images
// (MapGrid, FilterGrid), where the model looked (Saliency, after Simonyan
// et al. 2014, and GradCAM, after Selvaraju et al. 2017), the health of
// every layer over a set of examples (Measure: sparsity, dead units,
// saturation, activation statistics, weight-gradient norms) with the advice
// a practitioner would give (Advisor), and the cost of each activation
// function (ActivationCost).
//
// Everything here returns values (structs, image.Image) and writes no files,
// so that the CLI and a web server can share it. The functions that run a
// model use its graph's buffers: do not call them on a graph another
// goroutine is running.
package probe
