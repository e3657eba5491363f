package qr_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"seam/internal/qr"
)

func TestPNGAndSVG(t *testing.T) {
	t.Parallel()
	const link = "https://shop.example/selection/0123456789abcdef/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
	raw, err := qr.PNG(link)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != qr.Size || b.Dy() != qr.Size {
		t.Errorf("PNG is %v, want %d×%d", b, qr.Size, qr.Size)
	}
	svg, err := qr.SVG(link)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, "<svg ") || !strings.HasSuffix(s, "</svg>") || strings.Count(s, "h1v1h-1z") < 200 {
		t.Errorf("SVG does not look like a QR code: %.200s…", s)
	}
	other, _ := qr.SVG(link + "x")
	if bytes.Equal(svg, other) {
		t.Error("two links drew the same SVG")
	}
	if _, err := qr.PNG(strings.Repeat("x", 5000)); err == nil {
		t.Error("text too long for a QR code should fail")
	}
}
