// Package loadtest drives a running Seam over HTTP the way storefronts and
// integrations do, for a bounded count or time, and reports throughput,
// latency percentiles per call and the invariants it checked. It is what
// `seam loadtest` runs; it talks to Seam only through its public APIs, so
// it measures a real server with its real database.
package loadtest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Target is the server a run drives and how to reach it.
type Target struct {
	// URL is Seam's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Token is an Integration API token, used for the setup a mode needs.
	Token string
	// Timeout bounds each request; zero means 30 seconds.
	Timeout time.Duration
	// Progress, when set, shows a progress bar there (a terminal).
	Progress io.Writer
}

// CheckURL checks that s is an http or https URL with a host, and returns
// it without a trailing slash.
func CheckURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("the URL must look like http://127.0.0.1:8080, got %q", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("the URL is Seam's base URL without a query or fragment, got %q", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// newClient makes an HTTP client that keeps a connection per worker alive,
// so that a run measures Seam rather than TCP handshakes.
func newClient(workers int, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        workers + 16,
		MaxIdleConnsPerHost: workers + 16,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Invariant is one property a run checked.
type Invariant struct {
	Name string
	Held bool
	// Detail gives the counts behind the verdict.
	Detail string
}

func check(name string, held bool, format string, args ...any) Invariant {
	return Invariant{Name: name, Held: held, Detail: fmt.Sprintf(format, args...)}
}

// failed reports whether any invariant did not hold.
func failed(invs []Invariant) bool {
	for _, i := range invs {
		if !i.Held {
			return true
		}
	}
	return false
}

func printInvariants(w io.Writer, invs []Invariant) {
	fmt.Fprintln(w, "\ninvariants:")
	for _, i := range invs {
		verdict := "ok  "
		if !i.Held {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "  %s  %s (%s)\n", verdict, i.Name, i.Detail)
	}
}
