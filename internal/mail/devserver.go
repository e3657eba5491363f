package mail

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"seam/internal/db"
	"seam/internal/store"
)

const (
	// devMaxMessage bounds one message the dev mailbox takes.
	devMaxMessage = 16 << 20
	// devIdle is how long the dev mailbox waits for a client's next line.
	devIdle = time.Minute
)

// DevServer is the dev mailbox: an SMTP server on a loopback address that
// accepts any message, without authentication, and stores it in dev_mail
// for the dev mailbox page. Seam runs it when no SMTP server is
// configured, so that mail sent in development can be read, and so that
// it never leaves the machine.
type DevServer struct {
	srv    *smtp.Server
	ln     net.Listener
	db     *db.DB
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	served chan struct{}
	stop   func() bool

	mu     sync.Mutex
	closed bool
	busy   sync.WaitGroup // messages being stored
	once   sync.Once
}

// StartDevServer starts the dev mailbox on addr, which must be a loopback
// address; "" means 127.0.0.1 on a free port. It logs one line per message
// received (recipients and subject) and stops on Close or when ctx ends.
func StartDevServer(ctx context.Context, d *db.DB, log *slog.Logger, addr string) (*DevServer, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dev mailbox address %q: %w", addr, err)
	}
	if !isLoopback(host) {
		return nil, fmt.Errorf("the dev mailbox accepts mail from anyone without authentication, so it listens only on a loopback address such as 127.0.0.1:2525, not %q", addr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dev mailbox: listen on %s: %w", addr, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &DevServer{ln: ln, db: d, log: log, served: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &devSession{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.MaxMessageBytes = devMaxMessage
	s.srv.MaxRecipients = 100
	s.srv.ReadTimeout = devIdle
	s.srv.WriteTimeout = devIdle
	s.srv.EnableSMTPUTF8 = true
	s.srv.ErrorLog = smtpLog{log}
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != nil {
			log.Error("dev mailbox stopped", "err", err)
		}
	}()
	s.mu.Lock()
	s.stop = context.AfterFunc(ctx, func() { s.Close() })
	s.mu.Unlock()
	return s, nil
}

// Addr is the address the dev mailbox listens on, host:port.
func (s *DevServer) Addr() string { return s.ln.Addr().String() }

// Close stops the dev mailbox: it closes the listener and every
// connection and returns once messages being stored are stored.
func (s *DevServer) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		stop := s.stop
		s.mu.Unlock()
		if stop != nil {
			stop()
		}
		err = s.srv.Close()
		// srv.Close closes only the listeners Serve has registered; if
		// Serve has not started yet, closing ours makes it return at once.
		s.ln.Close()
		<-s.served
		s.busy.Wait()
		s.cancel()
	})
	return err
}

// begin counts a message being stored; it reports false once the server
// is closing.
func (s *DevServer) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.busy.Add(1)
	return true
}

// store parses and stores one received message.
func (s *DevServer) store(from string, to []string, raw []byte) error {
	p := parseMessage(raw)
	m := store.DevMail{From: clip(from, 1000), To: clip(strings.Join(to, ", "), 10000), MessageID: p.messageID, Subject: p.subject,
		Text: p.text, HTML: p.html, Raw: raw, ReceivedAt: db.Now()}
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	if err := s.db.Tx(ctx, func(tx *db.Tx) error { return store.InsertDevMail(ctx, tx, &m) }); err != nil {
		return err
	}
	s.log.Info("dev mailbox received a message", "dev_mail", m.ID, "to", m.To, "subject", m.Subject)
	return nil
}

// devSession is one SMTP conversation with the dev mailbox.
type devSession struct {
	s    *DevServer
	from string
	to   []string
}

func (ss *devSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *devSession) Logout() error { return nil }

func (ss *devSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *devSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

// errStore answers a message the dev mailbox could not store: a temporary
// failure, so that the sender tries again.
var errStore = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "The dev mailbox could not store the message; try again"}

func (ss *devSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if !ss.s.begin() {
		return errStore
	}
	defer ss.s.busy.Done()
	if err := ss.s.store(ss.from, ss.to, raw); err != nil {
		ss.s.log.Error("dev mailbox could not store a message", "err", err)
		return errStore
	}
	return nil
}

// smtpLog passes go-smtp's own error lines to slog.
type smtpLog struct{ log *slog.Logger }

func (l smtpLog) Printf(format string, v ...any) {
	l.log.Warn("dev mailbox: " + strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (l smtpLog) Println(v ...any) {
	l.log.Warn("dev mailbox: " + strings.TrimSpace(fmt.Sprintln(v...)))
}
