package secret

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestNewSecretsAreLongRandomAndRedacted(t *testing.T) {
	t.Parallel()
	a, b := New("seam_it_"), New("seam_it_")
	if a == b {
		t.Fatal("two secrets are equal")
	}
	if !strings.HasPrefix(a.Reveal(), "seam_it_") || len(a.Reveal()) != len("seam_it_")+43 {
		t.Fatalf("secret %q has the wrong shape", a.Reveal())
	}
	if s := fmt.Sprint(a); strings.Contains(s, a.Reveal()[8:]) {
		t.Errorf("fmt prints the secret: %s", s)
	}
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "token", a)
	if strings.Contains(sb.String(), a.Reveal()[8:]) {
		t.Errorf("slog prints the secret: %s", sb.String())
	}
}

func TestHashMatchesOnlyTheSameSecret(t *testing.T) {
	t.Parallel()
	a := New("")
	if !Equal(a.Hash(), Hash(a.Reveal())) {
		t.Error("hash of the same secret differs")
	}
	if Equal(a.Hash(), Hash(a.Reveal()+"x")) {
		t.Error("hash of another secret matches")
	}
}

func TestCodeHashIsKeyedAndRehashMatchesIt(t *testing.T) {
	t.Parallel()
	k1, k2 := NewKey(), NewKey()
	if CodeHash(k1, "SUMMER10") == CodeHash(k2, "SUMMER10") {
		t.Error("two keys give the same hash: the key is not used")
	}
	if CodeHash(k1, "SUMMER10") == Hash("SUMMER10") {
		t.Error("CodeHash is the plain SHA-256")
	}
	got, err := Rehash(k1, Hash("SUMMER10"))
	if err != nil || got != CodeHash(k1, "SUMMER10") {
		t.Errorf("Rehash of the old hash = %s, %v; want CodeHash %s", got, err, CodeHash(k1, "SUMMER10"))
	}
	if _, err := Rehash(k1, "not hex"); err == nil {
		t.Error("Rehash accepted a value that is not a SHA-256 hash")
	}
}
