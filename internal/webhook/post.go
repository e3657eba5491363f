package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"seam/internal/netguard"
	"seam/internal/store"
)

const (
	// answerLimit is how much of a receiver's answer is read.
	answerLimit = 4 << 10
	// errorLimit is how much of an error text is kept.
	errorLimit = 512
	// userAgent names Seam's webhook sender to receivers.
	userAgent = "Seam-Webhooks"
)

// The default clients follow no redirects: a receiver that redirects has
// moved, and re-sending a signed POST elsewhere is not the sender's call.
// publicOnly connects only to public addresses (netguard), anyNetwork
// also to loopback and private networks (--webhook-allow-private).
var (
	publicOnly = &http.Client{Transport: netguard.Transport(false), CheckRedirect: noRedirect}
	anyNetwork = &http.Client{Transport: netguard.Transport(true), CheckRedirect: noRedirect}
)

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// client is c, or the default client for allowPrivate when c is nil.
func client(c *http.Client, allowPrivate bool) *http.Client {
	switch {
	case c != nil:
		return c
	case allowPrivate:
		return anyNetwork
	}
	return publicOnly
}

// post sends d once, signed at sentAt, within the worker's timeout. It
// returns the answer's status code (0 when none came) and, unless the
// answer was 2xx, what went wrong, with at most a short excerpt of the
// answer.
func (w *Worker) post(ctx context.Context, d store.WebhookDelivery, sentAt time.Time) (int, string) {
	return send(ctx, client(w.Client, w.AllowPrivate), w.timeout(), outgoing{URL: d.URL, ContentType: d.ContentType, Secret: d.Secret, Body: []byte(d.Body),
		Header: map[string]string{"X-Seam-Delivery": strconv.FormatInt(d.ID, 10)}}, sentAt)
}

// outgoing is one POST to make.
type outgoing struct {
	URL, ContentType string
	// Secret signs Body (X-Centra-Signature); empty sends it unsigned.
	Secret string
	Body   []byte
	// Header holds further headers, such as X-Seam-Delivery.
	Header map[string]string
}

// send POSTs o once, signed at sentAt, within timeout, through client. It returns the answer's status code (0
// when none came) and, unless the answer was 2xx, what went wrong, with
// at most a short excerpt of the answer.
func send(ctx context.Context, c *http.Client, timeout time.Duration, o outgoing, sentAt time.Time) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(o.Body))
	if err != nil {
		return 0, "the URL cannot be requested"
	}
	req.Header.Set("Content-Type", o.ContentType)
	req.Header.Set("User-Agent", userAgent)
	for k, v := range o.Header {
		req.Header.Set(k, v)
	}
	if o.Secret != "" {
		req.Header.Set("X-Centra-Signature", Sign(o.Secret, sentAt, o.Body))
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, describe(ctx, timeout, err)
	}
	defer resp.Body.Close()
	// Read a little (within the timeout), so that a huge or endless answer
	// cannot hold the worker.
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, answerLimit))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, ""
	}
	msg := "HTTP " + strconv.Itoa(resp.StatusCode)
	if s := strings.TrimSpace(string(answer)); s != "" {
		msg += ": " + s
	}
	return resp.StatusCode, clip(msg)
}

// describe says why a POST got no answer, without the URL (whose path or
// query may hold a token).
func describe(ctx context.Context, timeout time.Duration, err error) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "no answer within " + timeout.String()
	case errors.Is(ctx.Err(), context.Canceled):
		return "interrupted: the worker stopped"
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	return clip(err.Error())
}

// clip makes s storable and short: valid UTF-8 without NUL bytes, at most
// errorLimit bytes.
func clip(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= errorLimit {
		return s
	}
	cut := errorLimit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
