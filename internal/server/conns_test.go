package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"seam/internal/dbtest"
)

// TestConnectionsOverTheCapWaitUntilOneCloses: with --max-connections 2,
// two clients that send half a request hold both connections; a third
// request is not served while they do, and is served as soon as one of
// them goes away.
func TestConnectionsOverTheCapWaitUntilOneCloses(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	srv := New(Config{DB: d, Log: slog.New(slog.DiscardHandler), Version: "test", MaxConns: 2})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served })
	addr := ln.Addr().String()

	// Slow clients: a request line and no end of headers.
	var slow []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n"); err != nil {
			t.Fatal(err)
		}
		slow = append(slow, c)
	}
	// Make sure both are accepted: a third request cannot be, until one
	// closes. (The check that it waits can only pass early, never fail
	// on a slow machine.)
	done := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	select {
	case code := <-done:
		t.Fatalf("a third connection was served (%d) while two slow clients held the cap of 2", code)
	case <-time.After(300 * time.Millisecond):
	}
	slow[0].Close()
	if code := <-done; code != http.StatusOK {
		t.Errorf("the waiting request answered %d once a connection closed, want 200", code)
	}
}
