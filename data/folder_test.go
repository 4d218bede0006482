package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"slices"
	"testing"
)

func solid(w, h int, c color.Color) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	return img
}

func pngBytes(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	red   = color.NRGBA{200, 10, 10, 255}
	green = color.NRGBA{10, 200, 10, 255}
)

// writeFolder writes cat/ with 12 PNGs (8x6 and 5x7, red) and dog/ with 10
// JPEGs (green), plus files and folders the loader must ignore.
func writeFolder(t *testing.T, dir string) {
	for i := range 12 {
		w, h := 8, 6
		if i%2 == 1 {
			w, h = 5, 7
		}
		writeFile(t, filepath.Join(dir, "cat", fmt.Sprintf("img%02d.png", i)), pngBytes(t, solid(w, h, red)))
	}
	for i := range 10 {
		writeFile(t, filepath.Join(dir, "dog", fmt.Sprintf("img%02d.JPG", i)), jpegBytes(t, solid(9, 9, green)))
	}
	writeFile(t, filepath.Join(dir, "cat", "notes.txt"), []byte("not an image"))
	writeFile(t, filepath.Join(dir, ".hidden", "x.png"), pngBytes(t, solid(2, 2, red)))
	writeFile(t, filepath.Join(dir, "README"), []byte("ignored"))
}

// near reports whether every pixel of channel c of every example of d is
// within tol of want.
func near(d *Dataset, c int, want uint8, tol int, label int32) bool {
	hw := d.H * d.W
	for i := range d.Len() {
		if d.Labels[i] != label {
			continue
		}
		for _, p := range d.Image(i)[c*hw : (c+1)*hw] {
			if diff := int(p) - int(want); diff < -tol || diff > tol {
				return false
			}
		}
	}
	return true
}

func TestFolderHoldOut(t *testing.T) {
	dir := tempDir(t)
	writeFolder(t, dir)
	train, test, err := Open("folder:"+dir, Options{C: 3, H: 4, W: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(train.Classes, []string{"cat", "dog"}) || train.C != 3 || train.H != 4 || train.W != 4 {
		t.Fatalf("classes %q shape %dx%dx%d", train.Classes, train.C, train.H, train.W)
	}
	// One of each class is held out: the last in name order.
	if train.Len() != 20 || test.Len() != 2 || !slices.Equal(test.Labels, []int32{0, 1}) {
		t.Fatalf("%d train, %d test with labels %v", train.Len(), test.Len(), test.Labels)
	}
	for _, d := range []*Dataset{train, test} {
		for c, v := range []uint8{200, 10, 10} {
			if !near(d, c, v, 0, 0) {
				t.Errorf("%s: cat channel %d is not %d", d.Name, c, v)
			}
		}
		for c, v := range []uint8{10, 200, 10} {
			if !near(d, c, v, 4, 1) {
				t.Errorf("%s: dog channel %d is not near %d", d.Name, c, v)
			}
		}
	}
	gray, _, err := Open("folder:"+dir, Options{C: 1, H: 3, W: 5})
	if err != nil {
		t.Fatal(err)
	}
	// luma(200, 10, 10) = 0.299*200 + 0.587*10 + 0.114*10 = 66.8
	if gray.C != 1 || gray.H != 3 || gray.W != 5 || !near(gray, 0, 67, 0, 0) {
		t.Errorf("gray: %dx%dx%d, first pixel %d", gray.C, gray.H, gray.W, gray.Pixels[0])
	}
	// Without a size, the first training image's (cat/img00.png, 8x6) is used.
	native, _, err := LoadFolder(dir, Options{})
	if err != nil || native.C != 3 || native.H != 6 || native.W != 8 {
		t.Errorf("default shape %dx%dx%d, %v", native.C, native.H, native.W, err)
	}
}

func TestHoldOutCounts(t *testing.T) {
	for n, wantTest := range map[int]int{1: 0, 2: 1, 9: 1, 10: 1, 14: 1, 15: 2, 100: 10, 1234: 123} {
		files := make([]imageFile, n)
		train, test := holdOut(files, 1)
		if len(test) != wantTest || len(train)+len(test) != n {
			t.Errorf("n=%d: %d train %d test, want %d test", n, len(train), len(test), wantTest)
		}
	}
}

func TestFolderSplits(t *testing.T) {
	dir := tempDir(t)
	for _, c := range []string{"a", "b"} {
		for i := range 3 {
			writeFile(t, filepath.Join(dir, "train", c, fmt.Sprint(i, ".png")), pngBytes(t, solid(4, 4, red)))
		}
	}
	writeFile(t, filepath.Join(dir, "val", "b", "0.jpeg"), jpegBytes(t, solid(4, 4, green)))
	train, test, err := Open("folder:"+dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 6 || test.Len() != 1 || test.Labels[0] != 1 || !slices.Equal(test.Classes, []string{"a", "b"}) {
		t.Errorf("%d train, %d test, test labels %v, classes %q", train.Len(), test.Len(), test.Labels, test.Classes)
	}
	if train.Name != filepath.Base(dir)+"-train" {
		t.Errorf("name %q", train.Name)
	}
}

// hugePNG is a valid 1x1 PNG whose header then claims width x height.
func hugePNG(t *testing.T, width, height uint32) []byte {
	b := pngBytes(t, solid(1, 1, red))
	// IHDR: 8-byte signature, 4-byte length, "IHDR", width, height, ..., CRC.
	binary.BigEndian.PutUint32(b[16:], width)
	binary.BigEndian.PutUint32(b[20:], height)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestFolderErrors(t *testing.T) {
	cases := []struct {
		name  string
		make  func(t *testing.T, dir string)
		check func(t *testing.T, err error)
	}{
		{"empty", func(*testing.T, string) {}, func(t *testing.T, err error) {
			wantErr[*FormatError](t, err, "no class subfolders")
		}},
		{"only files", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a.png"), pngBytes(t, solid(1, 1, red)))
		},
			func(t *testing.T, err error) { wantErr[*FormatError](t, err, "no class subfolders") }},
		{"empty class", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a", "x.png"), pngBytes(t, solid(1, 1, red)))
			writeFile(t, filepath.Join(dir, "b", "x.txt"), nil)
		}, func(t *testing.T, err error) {
			wantErr[*FormatError](t, err, filepath.Join("b")+": invalid format: class folder holds no .png, .jpg or .jpeg images")
		}},
		{"undecodable", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a", "good.png"), pngBytes(t, solid(1, 1, red)))
			writeFile(t, filepath.Join(dir, "a", "zbad.png"), []byte("not a png at all"))
		}, func(t *testing.T, err error) {
			wantErr[*FormatError](t, err, filepath.Join("a", "zbad.png"), "cannot decode image")
		}},
		{"truncated png", func(t *testing.T, dir string) {
			b := pngBytes(t, solid(30, 30, red))
			writeFile(t, filepath.Join(dir, "a", "cut.png"), b[:len(b)-20])
		}, func(t *testing.T, err error) {
			wantErr[*FormatError](t, err, "cut.png", "cannot decode image")
		}},
		{"huge header", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a", "huge.png"), hugePNG(t, 1<<20, 1<<20))
		}, func(t *testing.T, err error) {
			wantErr[*FormatError](t, err, "huge.png", "image size 1048576x1048576 is empty or over")
		}},
		{"unknown test class", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "train", "a", "x.png"), pngBytes(t, solid(1, 1, red)))
			writeFile(t, filepath.Join(dir, "test", "z", "x.png"), pngBytes(t, solid(1, 1, red)))
		}, func(t *testing.T, err error) {
			wantErr[*FormatError](t, err, `class "z" is not among the training classes ["a"]`)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempDir(t)
			c.make(t, dir)
			_, _, err := Open("folder:"+dir, Options{C: 3, H: 2, W: 2})
			c.check(t, err)
			t.Log(err)
		})
	}
	_, _, err := Open("folder:"+filepath.Join(tempDir(t), "nope"), Options{})
	wantErr[*MissingError](t, err, "nope", "class subfolders")
	for _, o := range []Options{{C: 4}, {C: 2}, {H: -1}} {
		if _, _, err = Open("folder:"+tempDir(t), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestReadImage(t *testing.T) {
	dir := tempDir(t)
	p := writeFile(t, filepath.Join(dir, "x.png"), pngBytes(t, solid(7, 5, red)))
	pix, err := ReadImage(p, 3, 2, 3)
	if err != nil || !slices.Equal(pix, []uint8{200, 200, 200, 200, 200, 200, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10}) {
		t.Errorf("ReadImage = %v, %v", pix, err)
	}
	_, err = ReadImage(p, 2, 2, 2)
	wantErr[*UnsupportedError](t, err, "x.png", "1 or 3 channels")
	_, err = ReadImage(p, 1, 0, 2)
	wantErr[*UnsupportedError](t, err, "x.png", "0x2")
	_, err = ReadImage(writeFile(t, filepath.Join(dir, "bad.jpg"), []byte("junk")), 1, 2, 2)
	wantErr[*FormatError](t, err, "bad.jpg", "cannot decode image")
}
