// Package qr draws QR codes of links as PNG and SVG.
package qr

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Size is the PNG's width and height in pixels.
const Size = 512

// PNG draws text as a QR code PNG (medium error correction, quiet zone
// included).
func PNG(text string) ([]byte, error) {
	png, err := qrcode.Encode(text, qrcode.Medium, Size)
	if err != nil {
		return nil, fmt.Errorf("qr png: %w", err)
	}
	return png, nil
}

// SVG draws text as a QR code SVG: one path of unit squares, scalable, with
// the quiet zone.
func SVG(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr svg: %w", err)
	}
	bits := q.Bitmap()
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`, n, n, Size, Size)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}
