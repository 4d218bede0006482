package data

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.Decode
	_ "image/png"  // registers the PNG decoder for image.Decode
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A folder dataset is a folder with one subfolder per class holding PNG or
// JPEG images (.png, .jpg, .jpeg, any case, at any depth below the class
// folder), as torchvision's ImageFolder reads. Classes are the subfolder
// names, sorted. If the folder has train/ and test/ (or val/) subfolders
// these are the splits; otherwise a deterministic tenth of each class, evenly
// spaced in file-name order, is held out as the test split.

// maxImagePixels caps the width×height an image header may claim before
// the image is decoded.
const maxImagePixels = 1 << 26

var imageExts = []string{".png", ".jpg", ".jpeg"}

// imageFile is one image of a folder dataset and the index of its class.
type imageFile struct {
	path  string
	label int32
}

// LoadFolder loads a folder dataset, converting every image to opts.C
// channels (1: gray, 3: RGB; default 3) of opts.H×opts.W pixels (default:
// the size of the first training image) by bilinear resampling. When the
// test split is held out, a class with a single image keeps it for training,
// so a folder of such classes has an empty test split.
func LoadFolder(dir string, opts Options) (train, test *Dataset, err error) {
	if err := opts.check(); err != nil {
		return nil, nil, err
	}
	var trainFiles, testFiles []imageFile
	var classes []string
	testDir := ""
	if isDir(filepath.Join(dir, "train")) {
		for _, s := range []string{"test", "val"} {
			if isDir(filepath.Join(dir, s)) {
				testDir = filepath.Join(dir, s)
				break
			}
		}
	}
	if testDir != "" {
		if trainFiles, classes, err = scanClasses(filepath.Join(dir, "train"), nil); err != nil {
			return nil, nil, err
		}
		if testFiles, _, err = scanClasses(testDir, classes); err != nil {
			return nil, nil, err
		}
	} else {
		var all []imageFile
		if all, classes, err = scanClasses(dir, nil); err != nil {
			return nil, nil, err
		}
		trainFiles, testFiles = holdOut(all, len(classes))
	}
	c, h, w := orDefault(opts.C, 3), opts.H, opts.W
	if h == 0 || w == 0 {
		cfg, err := imageConfig(trainFiles[0].path)
		if err != nil {
			return nil, nil, err
		}
		h, w = orDefault(h, cfg.Height), orDefault(w, cfg.Width)
	}
	base := filepath.Base(filepath.Clean(dir))
	if train, err = decodeImages(base+"-train", trainFiles, classes, c, h, w); err != nil {
		return nil, nil, err
	}
	if test, err = decodeImages(base+"-test", testFiles, classes, c, h, w); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// orDefault returns v, or def when v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// scanClasses lists the images of each class subfolder of dir. With classes
// nil the subfolders define the classes; otherwise each subfolder must be
// one of classes (a test split may lack some).
func scanClasses(dir string, classes []string) ([]imageFile, []string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, &MissingError{Path: dir, Hint: "a folder dataset is a folder of class subfolders holding .png/.jpg/.jpeg images"}
	} else if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	define := classes == nil
	var files []imageFile
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		label := len(classes)
		if define {
			classes = append(classes, e.Name())
		} else if label = slices.Index(classes, e.Name()); label < 0 {
			return nil, nil, formatErr(filepath.Join(dir, e.Name()), "class %q is not among the training classes %q", e.Name(), classes)
		}
		sub := filepath.Join(dir, e.Name())
		n := len(files)
		err := filepath.WalkDir(sub, func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(de.Name(), ".") && p != sub {
				if de.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !de.IsDir() && slices.Contains(imageExts, strings.ToLower(filepath.Ext(p))) {
				files = append(files, imageFile{path: p, label: int32(label)})
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("data: %w", err)
		}
		if len(files) == n {
			return nil, nil, formatErr(sub, "class folder holds no .png, .jpg or .jpeg images")
		}
	}
	if len(files) == 0 {
		return nil, nil, formatErr(dir, "no class subfolders: a folder dataset holds one subfolder of .png/.jpg/.jpeg images per class")
	}
	return files, classes, nil
}

// holdOut splits each class's files (in name order) into training and test:
// k = round(n/10) of its n files, at least 1 when n >= 2, evenly spaced,
// go to test: file j does when (j+1)*k/n > j*k/n.
func holdOut(files []imageFile, nclass int) (train, test []imageFile) {
	count := make([]int, nclass)
	for _, f := range files {
		count[f.label]++
	}
	seen := make([]int, nclass)
	for _, f := range files {
		n, j := count[f.label], seen[f.label]
		seen[f.label]++
		k := (n + 5) / 10
		if k == 0 && n >= 2 {
			k = 1
		}
		if (j+1)*k/n > j*k/n {
			test = append(test, f)
		} else {
			train = append(train, f)
		}
	}
	return train, test
}

// decodeImages decodes files into a Dataset of c×h×w examples, in parallel;
// the first failing file, in list order, is the error.
func decodeImages(name string, files []imageFile, classes []string, c, h, w int) (*Dataset, error) {
	d := &Dataset{Name: name, C: c, H: h, W: w, Classes: classes,
		Pixels: make([]uint8, len(files)*c*h*w), Labels: make([]int32, len(files))}
	errs := make([]error, len(files))
	parallelFor(len(files), func(i int) {
		d.Labels[i] = files[i].label
		errs[i] = decodeImage(files[i].path, c, h, w, d.Image(i))
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

// decodeImage decodes the PNG or JPEG file at path into dst as c×h×w CHW
// pixels, checking the size its header claims before decoding it.
func decodeImage(path string, c, h, w int, dst []uint8) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	cfg, err := readImageConfig(path, f)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return decodeFrom(path, f, cfg, c, h, w, dst)
}

// decodeFrom decodes the image in r, whose header cfg has been read and
// checked, into dst as c×h×w CHW pixels.
func decodeFrom(path string, r io.Reader, cfg image.Config, c, h, w int, dst []uint8) error {
	img, _, err := image.Decode(bufio.NewReader(r))
	if err != nil {
		return formatErr(path, "cannot decode image: %v", err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return formatErr(path, "image is %dx%d but its header says %dx%d", b.Dx(), b.Dy(), cfg.Width, cfg.Height)
	}
	native := make([]uint8, c*cfg.Width*cfg.Height)
	imageToCHW(img, c, native)
	resample(native, c, cfg.Height, cfg.Width, dst, h, w)
	return nil
}

// imageConfig reads the header of the image file at path.
func imageConfig(path string) (image.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Config{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	return readImageConfig(path, f)
}

func readImageConfig(path string, r io.Reader) (image.Config, error) {
	cfg, _, err := image.DecodeConfig(bufio.NewReader(r))
	if err != nil {
		return cfg, formatErr(path, "cannot decode image: %v", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxImagePixels/cfg.Height {
		return cfg, formatErr(path, "image size %dx%d is empty or over %d pixels", cfg.Width, cfg.Height, maxImagePixels)
	}
	return cfg, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
