// Package netguard keeps server-side fetches of user-given URLs (webhooks,
// after-sale calls, product media) off loopback, link-local (cloud
// metadata at 169.254.169.254), private and other non-public networks. The
// check runs in the dialer's Control hook, on the address actually being
// connected to after DNS resolution, so a name that resolves (or later
// rebinds) to a private address cannot pass.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrNotPublic is the kind of error a refused connection has.
var ErrNotPublic = errors.New("not a public address")

// blocked are the non-public ranges beyond what netip.Addr's predicates
// name (loopback, private, link-local, multicast, unspecified).
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: may reach any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4 address
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// Public reports whether addr is a public unicast address that a
// server-side fetch may connect to.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// Control is a net.Dialer Control function that refuses to connect to an
// address that is not Public. address is the resolved "ip:port".
func Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("connect to %s: cannot check the address: %w", address, ErrNotPublic)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("connect to %s refused: %w (loopback, private, link-local and reserved networks are not reached; "+
			"start seam serve with --webhook-allow-private to allow them)", ap.Addr(), ErrNotPublic)
	}
	return nil
}

// Dialer returns a dialer that connects only to public addresses, or to
// any address when allowPrivate is set.
func Dialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = Control
	}
	return d
}

// Transport returns an HTTP transport whose connections go through
// Dialer(allowPrivate). It uses no proxy from the environment, since a
// proxy would make the dialer check the proxy's address instead of the
// receiver's.
func Transport(allowPrivate bool) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = Dialer(allowPrivate).DialContext
	return t
}
