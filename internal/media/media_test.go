package media

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSizesReadsNamedBoxesAndRefusesBadOnes(t *testing.T) {
	t.Parallel()
	got, err := ParseSizes("thumb=100x80, zoom=2400x2400")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Size{{"thumb", 100, 80}, {"zoom", 2400, 2400}}, got); diff != "" {
		t.Errorf("sizes (-want +got):\n%s", diff)
	}
	if got, _ := ParseSizes(""); len(got) != 3 || got[0].Name != "mini" {
		t.Errorf("empty: %v, want the defaults", got)
	}
	for _, bad := range []string{"mini", "mini=100", "mini=0x10", "Mini=10x10", "a=10x10,a=20x20", "../x=10x10", "big=9000x10"} {
		if _, err := ParseSizes(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestFitKeepsTheAspectAndNeverEnlarges(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ w, h, bw, bh, ww, wh int }{
		{2000, 1000, 600, 600, 600, 300},
		{1000, 2000, 600, 600, 300, 600},
		{300, 200, 600, 600, 300, 200},
		{5000, 1, 100, 100, 100, 1},
		{601, 600, 600, 600, 600, 599},
	} {
		if w, h := fit(c.w, c.h, c.bw, c.bh); w != c.ww || h != c.wh {
			t.Errorf("fit(%d×%d into %d×%d) = %d×%d, want %d×%d", c.w, c.h, c.bw, c.bh, w, h, c.ww, c.wh)
		}
	}
}

func TestPublicOnlyRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	for addr, private := range map[string]bool{
		"127.0.0.1:80": true, "[::1]:443": true, "10.1.2.3:80": true, "192.168.0.1:80": true, "172.16.0.1:80": true,
		"169.254.169.254:80": true, "0.0.0.0:80": true, "100.64.0.1:80": true, "[fd00::1]:80": true, "[::ffff:127.0.0.1]:80": true,
		"93.184.215.14:443": false, "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443": false,
	} {
		err := publicOnly("tcp", addr, nil)
		if got := errors.Is(err, errPrivate); got != private {
			t.Errorf("%s: refused %v (%v), want %v", addr, got, err, private)
		}
	}
}

func TestDecodeRefusesByHeaderBeforeDecoding(t *testing.T) {
	t.Parallel()
	_, _, err := decode([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	var bad *BadImageError
	if !errors.As(err, &bad) {
		t.Fatalf("a GIF: %v, want a BadImageError", err)
	}
}
