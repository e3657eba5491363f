package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"seam/internal/netguard"
)

// DefaultFetchTimeout bounds fetching a picture by URL, from the first
// byte of the connection to the last byte of the body.
const DefaultFetchTimeout = 30 * time.Second

// errPrivate is why a dial to a loopback, private or otherwise internal
// address was refused.
var errPrivate = errors.New("private address")

// publicOnly refuses connections to addresses that are not public
// (netguard.Public: loopback, private, link-local such as the cloud
// metadata at 169.254.169.254, CGNAT, reserved). It runs on the address
// actually dialled, after DNS, so a name that resolves to such an address
// (or is re-bound to one) is refused too.
func publicOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	if !netguard.Public(ap.Addr()) {
		return fmt.Errorf("%s: %w", ap.Addr().Unmap(), errPrivate)
	}
	return nil
}

// client returns the HTTP client that fetches pictures.
func (l *Library) client() *http.Client {
	l.once.Do(func() {
		d := &net.Dialer{Timeout: 10 * time.Second}
		if !l.AllowPrivateURLs {
			d.Control = publicOnly
		}
		l.http = &http.Client{
			Transport: &http.Transport{
				// No proxy from the environment: it would dial for us,
				// past the address check.
				Proxy:                 nil,
				DialContext:           d.DialContext,
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: 15 * time.Second,
				MaxIdleConns:          4,
				IdleConnTimeout:       30 * time.Second,
			},
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 5 {
					return errors.New("more than 5 redirects")
				}
				if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
					return fmt.Errorf("a redirect to a %s URL", req.URL.Scheme)
				}
				return nil
			},
		}
	})
	return l.http
}

// fetch downloads a picture: http or https only, public addresses only
// (unless AllowPrivateURLs), at most MaxBytes, within FetchTimeout. Its
// errors are BadImageErrors saying what went wrong.
func (l *Library) fetch(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad("The URL must be an absolute http or https URL.")
	}
	if u.User != nil {
		return nil, bad("The URL must not carry a user name or password.")
	}
	timeout := l.FetchTimeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, bad("The URL cannot be fetched: %v.", err)
	}
	req.Header.Set("Accept", "image/jpeg, image/png, image/webp")
	req.Header.Set("User-Agent", "Seam media fetcher")
	resp, err := l.client().Do(req)
	if err != nil {
		switch {
		case errors.Is(err, errPrivate):
			return nil, bad("The URL points at a loopback or private address, which Seam does not fetch from.")
		case errors.Is(err, context.DeadlineExceeded):
			return nil, bad("Fetching the URL took longer than %s.", timeout)
		}
		return nil, bad("The URL could not be fetched: %v.", unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, bad("Fetching the URL answered HTTP %d, not 200.", resp.StatusCode)
	}
	if resp.ContentLength > MaxBytes {
		return nil, bad("The file at the URL is %d bytes; the limit is %d bytes (20 MB).", resp.ContentLength, MaxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBytes+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return nil, bad("Fetching the URL took longer than %s.", timeout)
		}
		return nil, bad("Reading the file at the URL failed: %v.", err)
	}
	if len(data) > MaxBytes {
		return nil, bad("The file at the URL is over %d bytes (20 MB).", MaxBytes)
	}
	return data, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
