package rest

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"seam/internal/checkout"
)

// tryCode runs try (a lookup of a voucher or gift certificate code) as a
// code attempt of the caller's session, selection and (unless a storefront
// server with the shared secret calls, for many shoppers from one address)
// IP address; over a limit it is a 429 with Retry-After.
func (c *call) tryCode(try func() error) error {
	a := checkout.Attempter{Session: c.caller.Session, Selection: c.selection}
	if !c.caller.Server {
		a.IP = clientIP(c.r, c.h.ClientIPHeader)
	}
	return c.h.svc.TryCode(c.ctx, a, try)
}

// clientIP is the address a request came from: the last address of
// header (set by the operator's proxy, e.g. X-Forwarded-For, where the
// last entry is the one the proxy saw) when header is configured and
// present, else the connection's. An IPv6 client counts as its /64, which
// one subscriber usually holds whole.
func clientIP(r *http.Request, header string) string {
	raw := ""
	if header != "" {
		if v := r.Header.Values(header); len(v) > 0 {
			parts := strings.Split(v[len(v)-1], ",")
			raw = strings.TrimSpace(parts[len(parts)-1])
		}
	}
	if raw == "" {
		raw = r.RemoteAddr
		if host, _, err := net.SplitHostPort(raw); err == nil {
			raw = host
		}
	}
	addr, err := netip.ParseAddr(strings.Trim(raw, "[]"))
	if err != nil {
		return "unknown"
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}
