package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// The four files of an MNIST-style dataset, each possibly followed by .gz.
const (
	idxTrainImages = "train-images-idx3-ubyte"
	idxTrainLabels = "train-labels-idx1-ubyte"
	idxTestImages  = "t10k-images-idx3-ubyte"
	idxTestLabels  = "t10k-labels-idx1-ubyte"
)

var idxFiles = [4]string{idxTrainImages, idxTrainLabels, idxTestImages, idxTestLabels}

// FashionMNISTDir is where Debian's dataset-fashion-mnist package installs
// Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist).
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

var (
	mnistClasses   = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	fashionClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
		"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
)

// LoadMNIST loads the MNIST training (60000) and test (10000) sets from the
// IDX files in dir, gzipped or not; dir "" means MNISTDir().
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	return loadIDXDir(dir, "mnist", mnistClasses, "")
}

// LoadFashionMNIST loads the Fashion-MNIST training and test sets from the
// IDX files in dir, gzipped or not; dir "" means FashionMNISTDir.
func LoadFashionMNIST(dir string) (train, test *Dataset, err error) {
	hint := ""
	if dir == "" {
		dir = FashionMNISTDir
		hint = "install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist), or pass fashion:DIR"
	}
	return loadIDXDir(dir, "fashion", fashionClasses, hint)
}

// loadIDXDir loads the training and test sets of an MNIST-style folder.
func loadIDXDir(dir, name string, classes []string, hint string) (train, test *Dataset, err error) {
	if hint == "" {
		hint = "a " + name + " folder holds " + strings.Join(idxFiles[:], ", ") + ", each optionally gzipped (.gz)"
	}
	var paths [4]string
	for i, base := range idxFiles {
		if paths[i], err = findIDX(dir, base, hint); err != nil {
			return nil, nil, err
		}
	}
	if train, err = LoadIDX(name+"-train", paths[0], paths[1], classes); err != nil {
		return nil, nil, err
	}
	if test, err = LoadIDX(name+"-test", paths[2], paths[3], classes); err != nil {
		return nil, nil, err
	}
	if test.H != train.H || test.W != train.W {
		return nil, nil, formatErr(paths[2], "test images are %dx%d but training images are %dx%d",
			test.H, test.W, train.H, train.W)
	}
	return train, test, nil
}

// findIDX returns dir/base or dir/base.gz, whichever exists.
func findIDX(dir, base, hint string) (string, error) {
	for _, n := range idxNames(base) {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", &MissingError{Path: p, Hint: err.Error()}
		}
	}
	return "", &MissingError{Path: filepath.Join(dir, base), Want: idxNames(base), Hint: hint}
}

func idxNames(base string) []string { return []string{base, base + ".gz"} }

// hasIDX reports whether dir holds the first MNIST-style file.
func hasIDX(dir string) bool {
	_, err := findIDX(dir, idxTrainImages, "")
	return err == nil
}
