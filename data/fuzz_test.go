package data

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"testing"
)

// checkTyped fails unless err is one of the package's typed errors for bad
// input.
func checkTyped(t *testing.T, err error) {
	t.Helper()
	var fe *FormatError
	var ue *UnsupportedError
	if !errors.As(err, &fe) && !errors.As(err, &ue) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
}

// FuzzIDX decodes arbitrary bytes as IDX images and labels, as they are and
// gzipped; committed seeds are in testdata/fuzz/FuzzIDX.
func FuzzIDX(f *testing.F) {
	f.Add(tinyImagesFile())
	f.Add(tinyLabelsFile())
	f.Add(gzipBytes(tinyLabelsFile()))
	f.Add(idxBytes(0x803, []uint32{0xffffffff, 28, 28}, nil))
	f.Add(idxBytes(0x0d03, []uint32{1, 1, 1}, []byte{0, 0, 0, 0}))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, gzipBytes(b)} {
			for _, magic := range []uint32{idxImagesMagic, idxLabelsMagic} {
				dims, payload, err := decodeIDX("fuzz", bytes.NewReader(in), int64(len(in)), magic)
				if err != nil {
					checkTyped(t, err)
					continue
				}
				n := 1
				for _, d := range dims {
					n *= d
				}
				if len(dims) != int(magic&0xff) || len(payload) != n {
					t.Fatalf("dims %v with %d bytes of payload", dims, len(payload))
				}
				plain := bytes.Equal(in, b) && !bytes.HasPrefix(b, []byte{0x1f, 0x8b})
				if plain && !bytes.Equal(payload, b[len(b)-n:]) {
					t.Fatal("payload is not the file's tail")
				}
			}
		}
	})
}

// FuzzCIFAR reads arbitrary bytes as a CIFAR-10 batch file; committed seeds
// are in testdata/fuzz/FuzzCIFAR.
func FuzzCIFAR(f *testing.F) {
	f.Add(cifarFile(0, 1))
	f.Add(cifarFile(3, 2)[:cifarRecord+7])
	bad := cifarFile(0, 1)
	bad[0] = 10
	f.Add(bad)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := cifarRecords("fuzz", int64(len(b)))
		if err != nil {
			checkTyped(t, err)
			return
		}
		pixels, labels := make([]uint8, n*cifarPixels), make([]int32, n)
		if err := readCIFAR("fuzz", bytes.NewReader(b), pixels, labels, 10); err != nil {
			checkTyped(t, err)
			return
		}
		for i, l := range labels {
			rec := b[i*cifarRecord : (i+1)*cifarRecord]
			if l < 0 || l >= 10 || int32(rec[0]) != l || !bytes.Equal(pixels[i*cifarPixels:(i+1)*cifarPixels], rec[1:]) {
				t.Fatalf("record %d read wrong", i)
			}
		}
	})
}

// FuzzDecodeImage decodes arbitrary bytes as an uploaded image (PNG or
// JPEG): a typed error or c×h×w pixels, never a panic, and a header that
// claims more pixels than allowed is refused before decoding. The
// committed seeds are in testdata/fuzz/FuzzDecodeImage.
func FuzzDecodeImage(f *testing.F) {
	f.Add(tinyPNG())
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range []int{1, 3} {
			pix, err := DecodeImage("fuzz", b, c, 28, 28, 1<<16)
			if err != nil {
				checkTyped(t, err)
				continue
			}
			if len(pix) != c*28*28 {
				t.Fatalf("%d pixels for %d channels", len(pix), c)
			}
		}
	})
}

// tinyPNG is a 3×2 RGB PNG.
func tinyPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 17)
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}
