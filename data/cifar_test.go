package data

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// cifarFile builds n CIFAR records whose label is (first+i)%10 and whose
// pixels are (first+i+j)%256.
func cifarFile(first, n int) []byte {
	var b []byte
	for i := range n {
		b = append(b, byte((first+i)%10))
		for j := range cifarPixels {
			b = append(b, byte(first+i+j))
		}
	}
	return b
}

// writeCIFAR writes a tiny CIFAR-10 folder: 2 records per training batch,
// 3 test records.
func writeCIFAR(t *testing.T, dir string) {
	for i, f := range cifarTrainFiles {
		writeFile(t, filepath.Join(dir, f), cifarFile(2*i, 2))
	}
	writeFile(t, filepath.Join(dir, cifarTestFiles[0]), cifarFile(100, 3))
}

func TestCIFAR10(t *testing.T) {
	root := tempDir(t)
	dir := filepath.Join(root, cifarSubdir) // as the archive unpacks
	writeCIFAR(t, dir)
	names := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n"
	writeFile(t, filepath.Join(dir, cifarMeta), []byte(names))
	train, test, err := Open("cifar10:"+root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 10 || test.Len() != 3 || train.C != 3 || train.H != 32 || train.W != 32 {
		t.Fatalf("%d/%d examples of %dx%dx%d", train.Len(), test.Len(), train.C, train.H, train.W)
	}
	if train.Name != "cifar10-train" || !slices.Equal(train.Classes, strings.Fields(names)) {
		t.Errorf("name %q classes %q", train.Name, train.Classes)
	}
	want := cifarFile(0, 10)
	for i := range 10 {
		rec := want[i*cifarRecord : (i+1)*cifarRecord]
		if train.Labels[i] != int32(rec[0]) || !bytes.Equal(train.Image(i), rec[1:]) {
			t.Fatalf("example %d differs from its record", i)
		}
	}
	if test.Labels[2] != 2 || test.Image(2)[0] != 102 {
		t.Errorf("test example 2: label %d first pixel %d", test.Labels[2], test.Image(2)[0])
	}
	// Without the meta file the standard names are used.
	os.Remove(filepath.Join(dir, cifarMeta))
	train, _, err = LoadCIFAR10(dir)
	if err != nil || train.Classes[0] != "airplane" || train.Classes[9] != "truck" {
		t.Errorf("default classes %q, %v", train.Classes, err)
	}
}

func TestCIFAR10Errors(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(dir string)
		check func(t *testing.T, err error)
	}{
		{"missing batch", func(dir string) { os.Remove(filepath.Join(dir, "data_batch_3.bin")) },
			func(t *testing.T, err error) { wantErr[*MissingError](t, err, "data_batch_3.bin", "binary version") }},
		{"size", func(dir string) { writeFile(t, filepath.Join(dir, "test_batch.bin"), cifarFile(0, 2)[:5000]) },
			func(t *testing.T, err error) {
				wantErr[*FormatError](t, err, "test_batch.bin", "size 5000 is not a multiple of the 3073-byte CIFAR record")
			}},
		{"empty", func(dir string) { writeFile(t, filepath.Join(dir, "data_batch_1.bin"), nil) },
			func(t *testing.T, err error) { wantErr[*FormatError](t, err, "data_batch_1.bin", "empty file") }},
		{"label", func(dir string) {
			b := cifarFile(0, 2)
			b[cifarRecord] = 10
			writeFile(t, filepath.Join(dir, "data_batch_2.bin"), b)
		}, func(t *testing.T, err error) {
			wantErr[*FormatError](t, err, "data_batch_2.bin", "label 10 in record 1 is out of range for 10 classes")
		}},
		{"meta", func(dir string) { writeFile(t, filepath.Join(dir, cifarMeta), []byte("cat\ndog\n")) },
			func(t *testing.T, err error) {
				wantErr[*FormatError](t, err, cifarMeta, "lists 2 class names, want 10")
			}},
		{"nothing", func(dir string) { os.RemoveAll(dir) },
			func(t *testing.T, err error) {
				wantErr[*MissingError](t, err, "a CIFAR-10 folder holds data_batch_1.bin")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempDir(t)
			writeCIFAR(t, dir)
			c.spoil(dir)
			_, _, err := Open("cifar10:"+dir, Options{})
			c.check(t, err)
			t.Log(err)
		})
	}
}

func TestCIFARTruncatedRead(t *testing.T) {
	// The size said 2 records but the reader holds 1.5: a file that shrank
	// between the size check and the read.
	b := cifarFile(0, 2)
	err := readCIFAR("f.bin", bytes.NewReader(b[:cifarRecord+100]), make([]uint8, 2*cifarPixels), make([]int32, 2), 10)
	wantErr[*FormatError](t, err, "truncated in record 1 of 2")
	err = readCIFAR("f.bin", bytes.NewReader(b), make([]uint8, cifarPixels), make([]int32, 1), 10)
	wantErr[*FormatError](t, err, "trailing data after 1 records")
}
