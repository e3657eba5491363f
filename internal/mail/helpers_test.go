package mail_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"seam/internal/db"
	"seam/internal/mail"
	"seam/internal/store"
)

// gift is a gift-certificate message as the first user of mail sends it.
func gift(to string) mail.Message {
	return mail.Message{
		Kind:    "gift_certificate",
		To:      to,
		Subject: "Ditt presentkort – 100 kr",
		Text:    "Hej!\n\nDin kod: GC-7Q2M-XK4P\nGäller i butiken i Malmö ☃ till 2027-12-31.\n",
		HTML:    `<p>Hej!</p><p>Din kod: <b>GC-7Q2M-XK4P</b></p><p>Gäller i butiken i Malmö ☃ till 2027-12-31.</p>`,
	}
}

// devServer starts a dev mailbox on d, closed when the test ends.
func devServer(t testing.TB, d *db.DB, addr string) *mail.DevServer {
	t.Helper()
	s, err := mail.StartDevServer(context.Background(), d, nil, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sender returns a Sender to the dev mailbox (or any plain SMTP server) at
// addr.
func sender(t testing.TB, addr string) *mail.Sender {
	t.Helper()
	s, err := mail.NewSender(mail.DevSenderConfig(addr))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// freeAddr returns a loopback address on which nothing listens (now).
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// clock is a test clock that moves only when told, starting a second
// ahead of real time so that messages enqueued just before are due.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: db.Now().Add(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// minutes is a deterministic backoff for tests: n minutes after the n-th
// failure.
func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// enqueue commits msgs in one transaction and returns their ids.
func enqueue(t testing.TB, d *db.DB, msgs ...mail.Message) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		ids = nil
		for _, m := range msgs {
			id, err := mail.Enqueue(ctx, tx, m)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func outbox(t testing.TB, d *db.DB, id int64) store.Mail {
	t.Helper()
	m, err := store.MailByID(context.Background(), d.Read(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func attempts(t testing.TB, d *db.DB, id int64) []store.MailAttempt {
	t.Helper()
	as, err := store.MailAttempts(context.Background(), d.Read(), id)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func deliverDue(t testing.TB, w *mail.Worker) int {
	t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// devMails lists what the dev mailbox stored, oldest first, with bodies.
func devMails(t testing.TB, d *db.DB) []store.DevMail {
	t.Helper()
	ctx := context.Background()
	list, err := store.DevMails(ctx, d.Read(), 10_000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.DevMail
	for i := len(list) - 1; i >= 0; i-- {
		m, err := store.DevMailByID(ctx, d.Read(), list[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// smtpServer is a plain go-smtp server for tests. answer decides each
// RCPT TO (n counts them from 1): nil accepts. With hold set, DATA waits
// until hold is closed or the client goes away.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	n    int
	got  [][]byte
	// data is closed at the first DATA.
	data     chan struct{}
	dataOnce sync.Once
}

func newSMTPServer(t testing.TB, addr string, answer func(n int) error, hold chan struct{}) *smtpServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: ln.Addr().String(), data: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &testSession{s: s, answer: answer, hold: hold}, nil
	}))
	srv.Domain = "localhost"
	srv.ErrorLog = discardLog{}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return s
}

func (s *smtpServer) received() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.got...)
}

func (s *smtpServer) rcpts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

type testSession struct {
	s      *smtpServer
	answer func(n int) error
	hold   chan struct{}
}

func (ts *testSession) Reset()                               {}
func (ts *testSession) Logout() error                        { return nil }
func (ts *testSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ts *testSession) Rcpt(_ string, _ *smtp.RcptOptions) error {
	ts.s.mu.Lock()
	ts.s.n++
	n := ts.s.n
	ts.s.mu.Unlock()
	if ts.answer != nil {
		return ts.answer(n)
	}
	return nil
}

func (ts *testSession) Data(r io.Reader) error {
	ts.s.dataOnce.Do(func() { close(ts.s.data) })
	if ts.hold != nil {
		<-ts.hold
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ts.s.mu.Lock()
	ts.s.got = append(ts.s.got, b)
	ts.s.mu.Unlock()
	return nil
}

type discardLog struct{}

func (discardLog) Printf(string, ...any) {}
func (discardLog) Println(...any)        {}

// syncBuffer is a bytes.Buffer safe for the worker's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func jsonLog(buf io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
