package mail_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/mail"
	"seam/internal/seam"
)

func TestSentMessageArrivesInTheDevMailboxWithItsParts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dev := devServer(t, d, "")
		s := sender(t, dev.Addr())
		long := strings.Repeat("å", mail.MaxSubject)
		tests := []struct {
			name string
			m    mail.Message
		}{
			{"gift certificate", gift("anna@example.com")},
			{"ascii", mail.Message{Kind: "test", To: "bo@example.se", Subject: "Your order 1042", Text: "Thanks.", HTML: "<p>Thanks.</p>"}},
			{"text only", mail.Message{Kind: "test", To: "bo@example.se", Subject: "Plain", Text: "No HTML here.\nTwo lines."}},
			{"longest subject", mail.Message{Kind: "test", To: "bo@example.se", Subject: long, Text: "x"}},
			{"emoji and symbols", mail.Message{Kind: "test", To: "bo@example.se", Subject: "🎁 Presentkort: 100 kr = 9,50 € (ca.) <ok> & \"klart\"",
				Text: "Rad med = och ?= och =?utf-8?q?inte_kodat?=\n" + strings.Repeat("lång rad ", 40), HTML: "<p style=\"color: red\">=3D</p>"}},
		}
		for _, tc := range tests {
			if err := s.Send(ctx, tc.m); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		got := devMails(t, d)
		if len(got) != len(tests) {
			t.Fatalf("dev mailbox holds %d messages, want %d", len(got), len(tests))
		}
		for i, tc := range tests {
			g := got[i]
			type parts struct{ From, To, Subject, Text, HTML string }
			want := parts{"seam@localhost", tc.m.To, tc.m.Subject, tc.m.Text, tc.m.HTML}
			if diff := cmp.Diff(want, parts{g.From, g.To, g.Subject, g.Text, g.HTML}); diff != "" {
				t.Errorf("%s: stored message (-want +got):\n%s", tc.name, diff)
			}
			if !strings.HasSuffix(g.MessageID, "@localhost") || !bytes.Contains(g.Raw, []byte("Message-ID: <"+g.MessageID+">")) {
				t.Errorf("%s: message id %q not in the raw message", tc.name, g.MessageID)
			}
			if !bytes.Contains(g.Raw, []byte("Auto-Submitted: auto-generated")) || !bytes.Contains(g.Raw, []byte("From: \"Seam\" <seam@localhost>")) {
				t.Errorf("%s: raw message lacks its From or Auto-Submitted header:\n%s", tc.name, g.Raw)
			}
		}
	})
}

func TestSendRefusesAnInvalidMessageBeforeConnecting(t *testing.T) {
	t.Parallel()
	s := sender(t, freeAddr(t))
	m := gift("Anna <anna@example.com>")
	err := s.Send(context.Background(), m)
	if !errors.Is(err, seam.ErrInvalid) || !strings.Contains(err.Error(), "to:") {
		t.Fatalf("Send = %v, want an input error about to", err)
	}
}

func TestDevServerListensOnlyOnLoopback(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:2525", "[::]:0"} {
		if s, err := mail.StartDevServer(context.Background(), d, nil, addr); err == nil {
			s.Close()
			t.Errorf("StartDevServer(%q) listened; want it refused", addr)
		} else if !strings.Contains(err.Error(), "loopback") {
			t.Errorf("StartDevServer(%q) = %v, want an error naming loopback", addr, err)
		}
	}
	s := devServer(t, d, "localhost:0")
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") && !strings.HasPrefix(s.Addr(), "[::1]:") {
		t.Errorf("localhost:0 listens on %s", s.Addr())
	}
}

func TestDevServerKeepsAMessageItCannotRead(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dev := devServer(t, d, "")
		raw := "Subject: =?x-unknown?q?=FF=FE?=\r\nContent-Type: multipart/mixed\r\n\r\n\x00\xff not MIME at all\r\n"
		c, err := smtp.Dial(dev.Addr())
		if err != nil {
			t.Fatal(err)
		}
		err = c.SendMail("tool@example.com", []string{"a@example.com", "b@example.com"}, strings.NewReader(raw))
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := devMails(t, d)
		if len(got) != 1 {
			t.Fatalf("dev mailbox holds %d messages, want 1", len(got))
		}
		g := got[0]
		if g.From != "tool@example.com" || g.To != "a@example.com, b@example.com" || g.Text != "" || g.HTML != "" {
			t.Errorf("stored %+v", g)
		}
		if !bytes.Equal(g.Raw, []byte(raw)) {
			t.Errorf("raw = %q, want the bytes sent", g.Raw)
		}
	})
}

func TestClosedDevServerRefusesConnections(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	dev, err := mail.StartDevServer(ctx, d, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	s := sender(t, dev.Addr())
	if err := s.Send(ctx, gift("anna@example.com")); err != nil {
		t.Fatal(err)
	}
	cancel() // ends the server as Close does, in the background
	dbtest.Eventually(t, "the dev mailbox to stop listening after its context ended", func() bool {
		c, err := net.Dial("tcp", dev.Addr())
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	if err := dev.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
