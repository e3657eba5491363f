package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"seam/internal/netguard"
)

func TestPublicRefusesNonPublicRanges(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1": false, "::1": false, "169.254.169.254": false, "10.1.2.3": false, "172.16.0.1": false,
		"192.168.1.1": false, "100.64.0.1": false, "0.0.0.0": false, "::": false, "fe80::1": false, "fc00::1": false,
		"::ffff:127.0.0.1": false, "::ffff:169.254.169.254": false, "64:ff9b::a9fe:a9fe": false, "224.0.0.1": false,
		"255.255.255.255": false, "2002:7f00:1::": false,
		"93.184.216.34": true, "8.8.8.8": true, "2606:4700:4700::1111": true, "::ffff:8.8.8.8": true,
	} {
		if got := netguard.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestGuardedClientCannotReachLoopbackEvenByName connects to a server on
// 127.0.0.1, by address and by a name that resolves to it (as a rebinding
// name would): both are refused at connect time; with allowPrivate they
// get through.
func TestGuardedClientCannotReachLoopbackEvenByName(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, url := range []string{srv.URL, "http://localhost:" + port} {
		guarded := &http.Client{Transport: netguard.Transport(false)}
		_, err := guarded.Get(url)
		if !errors.Is(err, netguard.ErrNotPublic) {
			t.Errorf("GET %s through the guard: %v, want ErrNotPublic", url, err)
		}
		open := &http.Client{Transport: netguard.Transport(true)}
		resp, err := open.Get(url)
		if err != nil {
			t.Errorf("GET %s with private networks allowed: %v", url, err)
			continue
		}
		resp.Body.Close()
	}
	if _, err := netguard.Dialer(false).DialContext(context.Background(), "tcp", "169.254.169.254:80"); !errors.Is(err, netguard.ErrNotPublic) {
		t.Errorf("dial the metadata address: %v, want ErrNotPublic", err)
	}
}
