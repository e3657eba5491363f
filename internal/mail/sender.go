package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

const (
	// DefaultTimeout bounds one send (connecting, TLS, authentication and
	// the message) when neither the caller's context nor the Worker sets
	// a shorter bound.
	DefaultTimeout = 30 * time.Second
	// userAgent names Seam's mailer in User-Agent and X-Mailer.
	userAgent = "Seam"
	// errorLimit is how much of an error text is kept.
	errorLimit = 512
)

// Sender sends e-mail to one SMTP server, one connection per message. It
// is safe for concurrent use.
type Sender struct {
	cfg  Config
	from *netmail.Address
}

// NewSender returns a Sender for c, or an error saying what makes c
// unusable.
func NewSender(c Config) (*Sender, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	from, err := netmail.ParseAddress(c.From)
	if err != nil {
		return nil, err
	}
	return &Sender{cfg: c, from: from}, nil
}

// Config returns the configuration s sends with; it prints without the
// password.
func (s *Sender) Config() Config { return s.cfg }

// Send sends m once, within ctx and at most DefaultTimeout; it neither
// stores nor retries it. Mail that must not be lost goes through Enqueue.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if err := m.check(); err != nil {
		return err
	}
	if err := s.send(ctx, m, newMessageID()); err != nil {
		return err
	}
	return nil
}

// sendError is a failed send, described without the recipient's address
// or the password.
type sendError struct {
	msg string
	// down is true when the failure says the server, not the message, is
	// the problem: no connection, TLS or authentication failed, or 421.
	down bool
	// timedOut and interrupted say that ctx ended the send.
	timedOut, interrupted bool
}

func (e *sendError) Error() string { return e.msg }

// send sends m with the Message-ID <messageID@the sender's domain>.
func (s *Sender) send(ctx context.Context, m Message, messageID string) *sendError {
	var cancel context.CancelFunc
	if _, ok := ctx.Deadline(); ok {
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
	}
	defer cancel()
	msg, err := s.compose(m, messageID)
	if err != nil {
		return &sendError{msg: s.redact(err.Error(), m.To)}
	}
	client, err := s.client(ctx)
	if err != nil {
		return &sendError{msg: s.redact(err.Error(), m.To), down: true}
	}
	err = client.DialAndSendWithContext(ctx, msg)
	// Accepted is sent, whatever happened on the way out (RSET, QUIT).
	if err == nil || msg.IsDelivered() {
		return nil
	}
	e := &sendError{down: true}
	if se, ok := errors.AsType[*gomail.SendError](err); ok && se.Reason != gomail.ErrConnCheck {
		e.down = se.ErrorCode() == 421
	}
	deadline, _ := ctx.Deadline()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || (ctx.Err() == nil && !time.Now().Before(deadline)):
		// go-mail's own per-command deadline ends at the same moment and
		// may report an i/o timeout just before ctx notices.
		e.timedOut, e.msg = true, "the SMTP server did not finish in time"
	case ctx.Err() != nil:
		e.interrupted, e.msg = true, "interrupted: the send was canceled"
	default:
		e.msg = s.redact(err.Error(), m.To)
	}
	return e
}

// compose builds the MIME message: text, and HTML as its alternative.
func (s *Sender) compose(m Message, messageID string) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(messageID + "@" + domain(s.from.Address))
	msg.SetUserAgent(userAgent)
	// RFC 3834: no vacation replies to machine-sent mail.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// client returns a go-mail client for one send within ctx.
func (s *Sender) client(ctx context.Context) (*gomail.Client, error) {
	timeout := DefaultTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(d), time.Millisecond)
	}
	auth, err := s.cfg.authType()
	if err != nil {
		return nil, err
	}
	policy := gomail.TLSMandatory
	switch s.cfg.TLS {
	case ImplicitTLS:
		// dial already speaks TLS; opportunistic makes go-mail see the
		// TLS connection (and offer PLAIN over it) without a STARTTLS.
		policy = gomail.TLSOpportunistic
	case NoTLS:
		policy = gomail.NoTLS
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(s.tlsConfig()),
		gomail.WithDialContextFunc(s.dial(ctx)),
		gomail.WithSMTPAuth(auth),
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password.Reveal()))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// dial connects to the server, speaking TLS at once for ImplicitTLS.
// go-mail's own deadlines apply to one command at a time; closing the
// connection when ctx ends bounds the whole send.
func (s *Sender) dial(ctx context.Context) gomail.DialContextFunc {
	return func(dctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(dctx, "tcp", s.cfg.addr())
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { raw.Close() })
		if s.cfg.TLS != ImplicitTLS {
			return raw, nil
		}
		tc := tls.Client(raw, s.tlsConfig())
		if err := tc.HandshakeContext(dctx); err != nil {
			raw.Close()
			return nil, err
		}
		return tc, nil
	}
}

func (s *Sender) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: s.cfg.rootCAs}
}

// goMailSuffix matches what go-mail appends to a send error: the
// recipients and the Message-ID, which logs must not carry.
var goMailSuffix = regexp.MustCompile(`, affected (recipient\(s\)|message ID): .*$`)

// redact makes an error text fit for logs and the outbox: without the
// recipient's address (servers echo it), the password, or go-mail's
// suffixes, and short.
func (s *Sender) redact(text, to string) string {
	text = goMailSuffix.ReplaceAllString(text, "")
	if to != "" {
		text = replaceFold(text, to, "<recipient>")
	}
	if p := s.cfg.Password.Reveal(); len(p) >= 4 {
		text = strings.ReplaceAll(text, p, "xxxxx")
	}
	return clip(text, errorLimit)
}

// replaceFold replaces every case-insensitive occurrence of old in s.
func replaceFold(s, old, repl string) string {
	lower, lowerOld := strings.ToLower(s), strings.ToLower(old)
	if len(lower) != len(s) || len(lowerOld) != len(old) {
		// Case mapping changed byte lengths; fall back to exact matches.
		return strings.ReplaceAll(s, old, repl)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lowerOld)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}
