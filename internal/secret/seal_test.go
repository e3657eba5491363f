package secret_test

import (
	"errors"
	"strings"
	"testing"

	"seam/internal/secret"
)

// TestSealedValueOpensOnlyWithItsKeyPurposeAndContext: a sealed value
// does not show its plain text, opens with the same key, purpose and
// context, and with nothing else.
func TestSealedValueOpensOnlyWithItsKeyPurposeAndContext(t *testing.T) {
	t.Parallel()
	key := secret.NewKey()
	s, err := secret.NewSealer(key, "mail-outbox")
	if err != nil {
		t.Fatal(err)
	}
	const plain = "Your code:\n    GC7Q2MXK4PABCDEF\n"
	sealed := s.Seal(plain, "msg-1/text")
	if strings.Contains(sealed, "GC7Q2MXK4PABCDEF") || sealed == s.Seal(plain, "msg-1/text") {
		t.Errorf("sealed %q shows the code or is not randomised", sealed)
	}
	if got, err := s.Open(sealed, "msg-1/text"); err != nil || got != plain {
		t.Errorf("Open = %q, %v; want the plain text", got, err)
	}
	other, _ := secret.NewSealer(secret.NewKey(), "mail-outbox")
	purpose, _ := secret.NewSealer(key, "something-else")
	tampered := []byte(sealed)
	tampered[len(tampered)-3] ^= 1
	for name, open := range map[string]func() (string, error){
		"other key":     func() (string, error) { return other.Open(sealed, "msg-1/text") },
		"other purpose": func() (string, error) { return purpose.Open(sealed, "msg-1/text") },
		"other context": func() (string, error) { return s.Open(sealed, "msg-2/text") },
		"tampered":      func() (string, error) { return s.Open(string(tampered), "msg-1/text") },
		"not base64":    func() (string, error) { return s.Open("plain text!", "msg-1/text") },
		"empty":         func() (string, error) { return s.Open("", "msg-1/text") },
	} {
		if got, err := open(); !errors.Is(err, secret.ErrUnseal) || got != "" {
			t.Errorf("%s: Open = %q, %v; want ErrUnseal", name, got, err)
		}
	}
	if _, err := secret.NewSealer(key[:16], "x"); err == nil {
		t.Error("NewSealer took a 16-byte server key")
	}
}
