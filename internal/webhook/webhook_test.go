package webhook_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/seam"
	"seam/internal/webhook"
)

func TestSignMatchesCentrasWorkedExample(t *testing.T) {
	t.Parallel()
	// Expected value from:
	// printf '12345678.payload=%%7B%%22x%%22%%3A%%22test%%22%%7D' | openssl dgst -sha256 -hmac test123
	const want = "t=12345678,v1=0b9cd84f5d583e5e1aadfb9f160aa8080b51d5b85ff85808d6b75bdac356c549"
	got := webhook.Sign("test123", time.Unix(12345678, 0), []byte("payload=%7B%22x%22%3A%22test%22%7D"))
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestEnqueueRefusesWhatCannotBeSent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ok := webhook.Message{Kind: "after_sale", URL: "https://shop.example/hook", Secret: "s", Body: []byte(`{}`)}
		tests := []struct {
			name  string
			edit  func(*webhook.Message)
			field string
		}{
			{"relative URL", func(m *webhook.Message) { m.URL = "/hook" }, "url"},
			{"ftp URL", func(m *webhook.Message) { m.URL = "ftp://shop.example/hook" }, "url"},
			{"huge URL", func(m *webhook.Message) { m.URL = "https://shop.example/" + strings.Repeat("a", 3000) }, "url"},
			{"no kind", func(m *webhook.Message) { m.Kind = " " }, "kind"},
			{"binary body", func(m *webhook.Message) { m.Body = []byte{'{', 0, 0xff, '}'} }, "body"},
			{"two-line content type", func(m *webhook.Message) { m.ContentType = "text/plain\r\nX-Evil: 1" }, "contentType"},
		}
		for _, tt := range tests {
			m := ok
			tt.edit(&m)
			err := d.Tx(ctx, func(tx *db.Tx) error { return webhook.Enqueue(ctx, tx, m) })
			ue, isUser := seam.AsUserErrors(err)
			if !errors.Is(err, seam.ErrInvalid) || !isUser || ue[0].Path.String() != tt.field {
				t.Errorf("%s: err = %v, want an input error on %s", tt.name, err, tt.field)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM webhook_delivery`); n != 0 {
			t.Fatalf("%d refused messages were stored", n)
		}
		if err := d.Tx(ctx, func(tx *db.Tx) error { return webhook.Enqueue(ctx, tx, ok) }); err != nil {
			t.Fatalf("valid message refused: %v", err)
		}
		if ct := dbtest.String(t, d, `SELECT content_type FROM webhook_delivery`); ct != "application/json" {
			t.Fatalf("content type = %q, want the default application/json", ct)
		}
	})
}
