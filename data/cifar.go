package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The CIFAR-10 binary version, as described at
// https://www.cs.toronto.edu/~kriz/cifar.html: each file is a run of
// 3073-byte records, one label byte (0..9) followed by 3072 pixel bytes, the
// 1024 red, then 1024 green, then 1024 blue values of a 32x32 image, rows top
// to bottom. data_batch_1.bin to data_batch_5.bin hold the 50000 training
// images, test_batch.bin the 10000 test images, and batches.meta.txt names
// the classes, one per line. The archive unpacks into cifar-10-batches-bin/.
const (
	cifarSide    = 32
	cifarPixels  = 3 * cifarSide * cifarSide
	cifarRecord  = 1 + cifarPixels
	cifarSubdir  = "cifar-10-batches-bin"
	cifarMeta    = "batches.meta.txt"
	maxMetaBytes = 1 << 16
)

// cifarHint says what a CIFAR-10 folder holds.
var cifarHint = "a CIFAR-10 folder holds " + strings.Join(cifarTrainFiles, ", ") + " and " + cifarTestFiles[0] +
	" (the binary version), directly or in " + cifarSubdir + "/"

var (
	cifarTrainFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	cifarTestFiles  = []string{"test_batch.bin"}
	cifar10Classes  = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
)

// LoadCIFAR10 loads the CIFAR-10 training (50000) and test (10000) sets
// from the binary files in dir or in dir/cifar-10-batches-bin. Class names
// come from batches.meta.txt when it is there.
func LoadCIFAR10(dir string) (train, test *Dataset, err error) {
	if _, err := os.Stat(filepath.Join(dir, cifarTrainFiles[0])); errors.Is(err, os.ErrNotExist) {
		if fi, err := os.Stat(filepath.Join(dir, cifarSubdir)); err == nil && fi.IsDir() {
			dir = filepath.Join(dir, cifarSubdir)
		}
	}
	if !isDir(dir) {
		return nil, nil, &MissingError{Path: dir, Hint: cifarHint}
	}
	classes, err := readCIFARMeta(filepath.Join(dir, cifarMeta))
	if err != nil {
		return nil, nil, err
	}
	if train, err = loadCIFARFiles("cifar10-train", dir, cifarTrainFiles, classes); err != nil {
		return nil, nil, err
	}
	if test, err = loadCIFARFiles("cifar10-test", dir, cifarTestFiles, classes); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// loadCIFARFiles reads the named files of dir into one Dataset. Every file's
// size is checked before the pixels of all of them are allocated.
func loadCIFARFiles(name, dir string, files []string, classes []string) (*Dataset, error) {
	paths := make([]string, len(files))
	counts := make([]int, len(files))
	total := 0
	for i, f := range files {
		paths[i] = filepath.Join(dir, f)
		fi, err := os.Stat(paths[i])
		if errors.Is(err, os.ErrNotExist) {
			return nil, &MissingError{Path: paths[i], Hint: cifarHint}
		} else if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if counts[i], err = cifarRecords(paths[i], fi.Size()); err != nil {
			return nil, err
		}
		total += counts[i]
	}
	d := &Dataset{Name: name, C: 3, H: cifarSide, W: cifarSide, Classes: classes,
		Pixels: make([]uint8, total*cifarPixels), Labels: make([]int32, total)}
	at := 0
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		n := counts[i]
		err = readCIFAR(p, f, d.Pixels[at*cifarPixels:(at+n)*cifarPixels], d.Labels[at:at+n], len(classes))
		f.Close()
		if err != nil {
			return nil, err
		}
		at += n
	}
	return d, nil
}

// cifarRecords returns how many records a file of size bytes holds.
func cifarRecords(file string, size int64) (int, error) {
	switch {
	case size == 0:
		return 0, formatErr(file, "empty file")
	case size%cifarRecord != 0:
		return 0, formatErr(file, "size %d is not a multiple of the %d-byte CIFAR record (1 label + %d pixels)",
			size, cifarRecord, cifarPixels)
	}
	return int(size / cifarRecord), nil
}

// readCIFAR reads len(labels) records from r, which must end after them,
// into pixels (CHW per image) and labels, each label below nclass.
func readCIFAR(file string, r io.Reader, pixels []uint8, labels []int32, nclass int) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for i := range labels {
		lab, err := br.ReadByte()
		if err == nil {
			_, err = io.ReadFull(br, pixels[i*cifarPixels:(i+1)*cifarPixels])
		}
		if err != nil {
			return readErr(file, fmt.Sprintf("truncated in record %d of %d", i, len(labels)), err)
		}
		if int(lab) >= nclass {
			return formatErr(file, "label %d in record %d is out of range for %d classes", lab, i, nclass)
		}
		labels[i] = int32(lab)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		if err == nil {
			return formatErr(file, "trailing data after %d records", len(labels))
		}
		return readErr(file, "checking the end of the file", err)
	}
	return nil
}

// readCIFARMeta reads the class names of batches.meta.txt, one per line,
// or returns the standard CIFAR-10 names if the file is absent.
func readCIFARMeta(path string) ([]string, error) {
	f, size, err := openSized(path)
	var missing *MissingError
	if errors.As(err, &missing) {
		return slices.Clone(cifar10Classes), nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > maxMetaBytes {
		return nil, formatErr(path, "%d bytes is too long for a list of class names", size)
	}
	raw, err := io.ReadAll(io.LimitReader(f, maxMetaBytes))
	if err != nil {
		return nil, fmt.Errorf("data: reading %s: %w", path, err)
	}
	var names []string
	for line := range strings.Lines(string(raw)) {
		if s := strings.TrimSpace(line); s != "" {
			names = append(names, s)
		}
	}
	if len(names) != len(cifar10Classes) {
		return nil, formatErr(path, "lists %d class names, want %d", len(names), len(cifar10Classes))
	}
	return names, nil
}
