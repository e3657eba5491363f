package media

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"

	"golang.org/x/image/draw"
	// WebP decoding registers with image.Decode.
	_ "golang.org/x/image/webp"
)

// Limits of an accepted picture, checked before it is decoded.
const (
	// MaxBytes is the largest file accepted, uploaded or fetched.
	MaxBytes = 20 << 20
	// MaxPixels bounds width × height, so that a small file that
	// declares a huge image (a decompression bomb) is refused before its
	// pixels are allocated.
	MaxPixels = 50_000_000
	// MaxSide bounds either side.
	MaxSide = 20_000
)

// formats are the decoders Seam takes, by the name image.DecodeConfig
// gives.
var formats = map[string]string{"jpeg": "JPEG", "png": "PNG", "webp": "WebP"}

// BadImageError says why a file is not a picture Seam takes.
type BadImageError struct{ Reason string }

func (e *BadImageError) Error() string { return e.Reason }

func bad(format string, args ...any) error {
	return &BadImageError{Reason: fmt.Sprintf(format, args...)}
}

// decode checks and decodes a picture: JPEG, PNG or WebP, within the
// size limits. Its dimensions are read from the header first.
func decode(data []byte) (image.Image, string, error) {
	if len(data) == 0 {
		return nil, "", bad("The file is empty.")
	}
	if len(data) > MaxBytes {
		return nil, "", bad("The file is %d bytes; the limit is %d bytes (20 MB).", len(data), MaxBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if _, ok := formats[format]; ok {
			return nil, "", bad("The %s file is damaged: %v.", formats[format], err)
		}
		kind := http.DetectContentType(data)
		if i := strings.IndexByte(kind, ';'); i >= 0 {
			kind = kind[:i]
		}
		return nil, "", bad("The file is not a JPEG, PNG or WebP image (it looks like %s).", kind)
	}
	name, ok := formats[format]
	if !ok {
		return nil, "", bad("The file is a %s image; Seam takes JPEG, PNG and WebP.", strings.ToUpper(format))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, "", bad("The %s image has no pixels (%d×%d).", name, cfg.Width, cfg.Height)
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, "", bad("The %s image is %d×%d pixels; at most %d pixels a side and %d megapixels in all are taken.",
			name, cfg.Width, cfg.Height, MaxSide, MaxPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", bad("The %s file is damaged: %v.", name, err)
	}
	return img, format, nil
}

// fit returns the size of a w×h picture scaled to fit a box, never up.
func fit(w, h, boxW, boxH int) (int, int) {
	if w <= boxW && h <= boxH {
		return w, h
	}
	// Scale by the tighter side, in integers, rounding to nearest.
	if int64(w)*int64(boxH) >= int64(h)*int64(boxW) {
		return boxW, max(1, int((int64(h)*int64(boxW)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(boxH)+int64(h)/2)/int64(h))), boxH
}

// render scales img into a size's box and encodes it: PNG keeps a PNG's
// transparency, everything else becomes a JPEG.
func render(img image.Image, format string, s Size) ([]byte, error) {
	b := img.Bounds()
	w, h := fit(b.Dx(), b.Dy(), s.Width, s.Height)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if format != "png" {
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	}
	if w == b.Dx() && h == b.Dy() {
		// Not scaled: a copy, much cheaper than the kernel.
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	} else {
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	}
	var out bytes.Buffer
	var err error
	if format == "png" {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, dst)
	} else {
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85})
	}
	return out.Bytes(), err
}

// extOf is the file extension a source format is stored with.
func extOf(format string) string {
	if format == "png" {
		return "png"
	}
	return "jpg"
}
