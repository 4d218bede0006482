package data

import (
	"bytes"
	"compress/gzip"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestIDXRoundTrip(t *testing.T) {
	for _, gz := range []bool{false, true} {
		dir := tempDir(t)
		img, lab := tinyImagesFile(), tinyLabelsFile()
		suffix := ""
		if gz {
			img, lab, suffix = gzipBytes(img), gzipBytes(lab), ".gz"
		}
		ip := writeFile(t, filepath.Join(dir, "i"+suffix), img)
		lp := writeFile(t, filepath.Join(dir, "l"+suffix), lab)
		d, err := LoadIDX("tiny", ip, lp, mnistClasses)
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if d.Len() != 3 || d.C != 1 || d.H != 2 || d.W != 3 {
			t.Fatalf("gz=%v: %d examples of %dx%dx%d", gz, d.Len(), d.C, d.H, d.W)
		}
		if !bytes.Equal(d.Pixels, tinyPixels) || !slices.Equal(d.Labels, []int32{0, 9, 4}) {
			t.Errorf("gz=%v: pixels %v labels %v", gz, d.Pixels, d.Labels)
		}
		if !bytes.Equal(d.Image(1), tinyPixels[6:12]) {
			t.Errorf("Image(1) = %v", d.Image(1))
		}
	}
}

// TestOpenIDXDir mixes gzipped and plain files in one folder, as the spec
// allows, and checks both spellings of the argument.
func TestOpenIDXDir(t *testing.T) {
	dir := tempDir(t)
	writeFile(t, filepath.Join(dir, idxTrainImages+".gz"), gzipBytes(tinyImagesFile()))
	writeFile(t, filepath.Join(dir, idxTrainLabels), tinyLabelsFile())
	writeFile(t, filepath.Join(dir, idxTestImages), tinyImagesFile())
	writeFile(t, filepath.Join(dir, idxTestLabels+".gz"), gzipBytes(tinyLabelsFile()))
	for spec, classes := range map[string][]string{"mnist:" + dir: mnistClasses, "fashion:" + dir: fashionClasses} {
		train, test, err := Open(spec, Options{})
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if train.Len() != 3 || test.Len() != 3 || !slices.Equal(train.Classes, classes) {
			t.Errorf("%s: %d/%d examples, classes %q", spec, train.Len(), test.Len(), train.Classes)
		}
	}
}

func TestIDXMissingFile(t *testing.T) {
	dir := tempDir(t)
	writeFile(t, filepath.Join(dir, idxTrainImages), tinyImagesFile())
	_, _, err := Open("mnist:"+dir, Options{})
	wantErr[*MissingError](t, err, filepath.Join(dir, idxTrainLabels), idxTrainLabels+".gz", idxTestImages)
}

func TestIDXErrors(t *testing.T) {
	good := tinyImagesFile()
	truncGz := gzipBytes(good)
	badCRC := gzipBytes(good)
	badCRC[len(badCRC)-8] ^= 0xff
	cases := []struct {
		name   string
		images []byte
		labels []byte
		want   []string
	}{
		{"empty", nil, nil, []string{"truncated: no 4-byte IDX magic"}},
		{"labels as images", tinyLabelsFile(), nil, []string{"bad magic 0x00000801 (want 0x00000803 for IDX images)"}},
		{"images as labels", nil, good, []string{"bad magic 0x00000803 (want 0x00000801 for IDX labels)"}},
		{"png magic", []byte("\x89PNG\r\n\x1a\n"), nil, []string{"bad magic 0x89504e47"}},
		{"short header", good[:9], nil, []string{"header ends before its 3 dimensions"}},
		{"truncated", good[:len(good)-1], nil, []string{"truncated", "3 images of 2x3 (18 bytes)", "file has 17 bytes"}},
		{"trailing", append(slices.Clip(good), 7), nil, []string{"trailing data (1 bytes)"}},
		{"truncated gz payload", gzipBytes(good[:len(good)-5]), nil, []string{"truncated", "only 13 bytes follow"}},
		{"truncated gz stream", truncGz[:len(truncGz)-10], nil, []string{"truncated: the gzip stream ends before its checksum"}},
		{"truncated gz deflate", truncGz[:len(truncGz)-20], nil, []string{"truncated"}},
		{"gz checksum", badCRC, nil, []string{"corrupt gzip stream: gzip: invalid checksum"}},
		{"trailing gz", gzipBytes(append(slices.Clip(good), 1, 2)), nil, []string{"trailing data"}},
		{"zero rows", idxBytes(0x803, []uint32{3, 0, 3}, nil), nil, []string{"header says 0 rows"}},
		{"zero count", idxBytes(0x803, []uint32{0, 2, 3}, nil), nil, []string{"header says 0 images"}},
		{"huge side", idxBytes(0x803, []uint32{1, 1 << 20, 1}, nil), nil, []string{"image side 1048576 exceeds"}},
		{"huge total", idxBytes(0x803, []uint32{0xffffffff, 28, 28}, nil), nil, []string{"claim more than 4294967296 bytes"}},
		{"count disagrees", nil, idxBytes(0x801, []uint32{2}, []byte{1, 2}), []string{"2 labels but", "holds 3 images"}},
		{"label out of range", nil, idxBytes(0x801, []uint32{3}, []byte{1, 10, 2}), []string{"label 10 at index 1 is out of range for 10 classes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempDir(t)
			if c.images == nil && c.labels != nil {
				c.images = good
			}
			if c.labels == nil {
				c.labels = tinyLabelsFile()
			}
			ip := writeFile(t, filepath.Join(dir, "images"), c.images)
			lp := writeFile(t, filepath.Join(dir, "labels"), c.labels)
			_, err := LoadIDX("x", ip, lp, mnistClasses)
			wantErr[*FormatError](t, err, c.want...)
			t.Log(err)
		})
	}
}

// TestIDXCorruptGzipIsNotTruncated flips one byte inside a gzipped IDX
// file. The stream is stored uncompressed so that the flipped byte is known:
// a header count of 3 images made 7 is caught by gzip's checksum only after
// the 18 pixel bytes run out, and a broken stored-block length by flate at
// once; both are corruption, and saying "truncated" would send the user
// looking for a short download.
func TestIDXCorruptGzipIsNotTruncated(t *testing.T) {
	good := tinyImagesFile()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	zw.Write(good)
	zw.Close()
	at := bytes.Index(buf.Bytes(), good) // the stored block's data; its length's complement is the 2 bytes before
	if at < 2 {
		t.Fatal("no stored block in the gzip stream")
	}
	for _, c := range []struct {
		name string
		flip int
		want string
	}{
		{"count", at + 7, "corrupt gzip stream: gzip: invalid checksum"},
		{"block length", at - 2, "corrupt gzip stream: flate: corrupt input"},
	} {
		gz := bytes.Clone(buf.Bytes())
		gz[c.flip] ^= 4
		_, _, _, _, err := ReadIDXImages(writeFile(t, filepath.Join(tempDir(t), "images.gz"), gz))
		wantErr[*FormatError](t, err, c.want)
		if strings.Contains(err.Error(), "truncated") {
			t.Errorf("%s: %v, want no mention of truncation", c.name, err)
		}
	}
}

func TestIDXUnsupportedType(t *testing.T) {
	p := writeFile(t, filepath.Join(tempDir(t), "f"), idxBytes(0x0d03, []uint32{1, 1, 1}, make([]byte, 4)))
	_, _, _, _, err := ReadIDXImages(p)
	wantErr[*UnsupportedError](t, err, "IDX element type 0x0d (float32)")
}

// TestIDXLyingHeaderAllocatesLittle gives a gzipped file whose header claims
// 4 GiB minus a little: the reader must fail having allocated about what the
// file really holds, not what the header says.
func TestIDXLyingHeaderAllocatesLittle(t *testing.T) {
	file := gzipBytes(idxBytes(0x803, []uint32{5000000, 28, 28}, make([]byte, 1000)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, _, _, err := decodeIDXImages("lying.gz", bytes.NewReader(file), int64(len(file)))
	runtime.ReadMemStats(&after)
	wantErr[*FormatError](t, err, "only 1000 bytes follow")
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("allocated %d bytes for a %d-byte file", got, len(file))
	}
	// The same header unzipped is rejected from the file size alone.
	plain := idxBytes(0x803, []uint32{5000000, 28, 28}, make([]byte, 1000))
	runtime.ReadMemStats(&before)
	_, _, _, _, err = decodeIDXImages("lying", bytes.NewReader(plain), int64(len(plain)))
	runtime.ReadMemStats(&after)
	wantErr[*FormatError](t, err, "truncated", "file has 1000 bytes")
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("allocated %d bytes for a %d-byte file", got, len(plain))
	}
}
