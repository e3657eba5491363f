package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"seam/internal/secret"
)

// DefaultFrom is the sender when the SMTP URL names none.
const DefaultFrom = "Seam <seam@localhost>"

// TLSMode says how a connection to the SMTP server is encrypted.
type TLSMode string

// The TLS modes.
const (
	// STARTTLS upgrades a plain connection, which fails when the server
	// does not offer it: mail submission, port 587.
	STARTTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the first byte: smtps, port 465.
	ImplicitTLS TLSMode = "tls"
	// NoTLS sends in the clear, for a relay on the same host or network and
	// the dev mailbox; a password is never sent this way except to a
	// loopback address.
	NoTLS TLSMode = "none"
)

// Config says where and how a Sender sends. Build it with ParseURL or
// DevSenderConfig. It prints (String, LogValue) without the password.
type Config struct {
	Host string
	Port int
	TLS  TLSMode
	// Username and Password authenticate (SMTP AUTH) when Username is set.
	Username string
	Password secret.Secret
	// Auth names the SASL mechanism as go-mail spells it (plain, login,
	// cram-md5, scram-sha-256, …); empty picks the strongest the server
	// offers, PLAIN and LOGIN only over TLS.
	Auth string
	// From is the From header and the envelope sender: a bare address or
	// "Shop <shop@example.com>".
	From string

	// rootCAs replaces the system's roots when set (tests).
	rootCAs *x509.CertPool
}

// urlParams are the query parameters an SMTP URL may carry.
var urlParams = []string{"from", "tls", "auth"}

// ParseURL reads an SMTP URL:
//
//	smtp://user:pass@host:587?from=Shop%20<shop@example.com>&tls=starttls
//
// smtp:// uses STARTTLS unless tls= says tls (implicit TLS) or none;
// smtps:// is implicit TLS. The port defaults to 587 for STARTTLS, 465 for
// implicit TLS and 25 for none; from defaults to DefaultFrom; auth (see
// Config.Auth) to the strongest mechanism the server offers. User name and
// password are percent-encoded. Errors never repeat the URL, which may hold
// the password.
func ParseURL(s string) (Config, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return Config{}, errors.New("the SMTP URL does not parse; percent-encode special characters in the user name and password (@ as %40, : as %3A, / as %2F)")
	}
	var c Config
	switch u.Scheme {
	case "smtp":
		c.TLS = STARTTLS
	case "smtps":
		c.TLS = ImplicitTLS
	default:
		return Config{}, fmt.Errorf("the SMTP URL must start with smtp:// or smtps://, not %q", u.Scheme+":")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return Config{}, errors.New("the SMTP URL names no host; write it as smtp://user:password@host:587")
	}
	if (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return Config{}, errors.New("the SMTP URL must not have a path or fragment; write it as smtp://user:password@host:587?from=…")
	}
	c.Host = u.Hostname()
	if u.User != nil {
		c.Username = u.User.Username()
		if p, ok := u.User.Password(); ok {
			if c.Username == "" {
				return Config{}, errors.New("the SMTP URL has a password but no user name")
			}
			c.Password = secret.Secret(p)
		}
	}
	q := u.Query()
	for k, v := range q {
		if !slices.Contains(urlParams, k) {
			return Config{}, fmt.Errorf("the SMTP URL has an unknown parameter %q; it knows %s", k, strings.Join(urlParams, ", "))
		}
		if len(v) > 1 {
			return Config{}, fmt.Errorf("the SMTP URL gives %s more than once", k)
		}
	}
	if q.Has("tls") {
		mode := TLSMode(strings.ToLower(q.Get("tls")))
		switch {
		case mode != STARTTLS && mode != ImplicitTLS && mode != NoTLS:
			return Config{}, fmt.Errorf("the SMTP URL's tls must be starttls, tls or none, not %q", q.Get("tls"))
		case u.Scheme == "smtps" && mode != ImplicitTLS:
			return Config{}, fmt.Errorf("smtps:// always uses TLS from the first byte; for tls=%s write smtp://", mode)
		}
		c.TLS = mode
	}
	switch c.TLS {
	case STARTTLS:
		c.Port = 587
	case ImplicitTLS:
		c.Port = 465
	default:
		c.Port = 25
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Config{}, fmt.Errorf("the SMTP URL's port must be 1 to 65535, not %q", p)
		}
		c.Port = n
	}
	c.From = DefaultFrom
	if q.Has("from") {
		c.From = q.Get("from")
	}
	c.Auth = q.Get("auth")
	if err := c.check(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// DevSenderConfig is the Config that sends to the dev mailbox listening at
// addr (DevServer.Addr): no TLS, no authentication, from DefaultFrom.
func DevSenderConfig(addr string) Config {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return Config{Host: host, Port: n, TLS: NoTLS, From: DefaultFrom}
}

// check tells what makes c unusable.
func (c Config) check() error {
	switch {
	case c.Host == "":
		return errors.New("the SMTP configuration names no host")
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("the SMTP port must be 1 to 65535, not %d", c.Port)
	case c.TLS != STARTTLS && c.TLS != ImplicitTLS && c.TLS != NoTLS:
		return fmt.Errorf("the SMTP TLS mode must be starttls, tls or none, not %q", c.TLS)
	case c.Password != "" && c.Username == "":
		return errors.New("the SMTP configuration has a password but no user name")
	case c.Username != "" && c.TLS == NoTLS && !isLoopback(c.Host):
		return errors.New("the SMTP configuration would send the password unencrypted: use tls=starttls, or smtps://, or a relay on a loopback address")
	}
	if a, err := netmail.ParseAddress(c.From); err != nil || !strings.Contains(a.Address, "@") {
		return fmt.Errorf("the SMTP sender (from) must be an address such as shop@example.com or Shop <shop@example.com>, not %q", c.From)
	}
	if c.Auth != "" {
		if c.Username == "" {
			return errors.New("the SMTP configuration names an auth mechanism but no user name")
		}
		if _, err := c.authType(); err != nil {
			return err
		}
	}
	return nil
}

// authType maps Auth to go-mail's mechanism: the strongest offered when
// empty, and only mechanisms that protect the password over plain
// connections.
func (c Config) authType() (gomail.SMTPAuthType, error) {
	if c.Username == "" {
		return gomail.SMTPAuthNoAuth, nil
	}
	if c.Auth == "" {
		return gomail.SMTPAuthAutoDiscover, nil
	}
	var t gomail.SMTPAuthType
	err := t.UnmarshalString(c.Auth)
	if err != nil || t == gomail.SMTPAuthCustom || t == gomail.SMTPAuthNoAuth ||
		t == gomail.SMTPAuthPlainNoEnc || t == gomail.SMTPAuthLoginNoEnc {
		return "", fmt.Errorf("the SMTP auth mechanism %q is not one Seam uses; use plain, login, cram-md5, scram-sha-1, scram-sha-256 (or -plus), xoauth2, or leave it out to pick the server's strongest", c.Auth)
	}
	return t, nil
}

// String returns c as an SMTP URL with the password replaced by xxxxx.
func (c Config) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	q := url.Values{}
	switch c.TLS {
	case ImplicitTLS:
		u.Scheme = "smtps"
	case NoTLS:
		q.Set("tls", string(c.TLS))
	}
	if c.Username != "" {
		u.User = url.User(c.Username)
		if c.Password != "" {
			u.User = url.UserPassword(c.Username, "xxxxx")
		}
	}
	if c.From != DefaultFrom {
		q.Set("from", c.From)
	}
	if c.Auth != "" {
		q.Set("auth", c.Auth)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// LogValue logs c as String does: without the password.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

func (c Config) addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// isLoopback reports whether host is localhost or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
