// Package secret makes and checks the 256-bit random secrets Seam hands out
// (API tokens, link hashes, share tokens). Only their SHA-256 hashes are
// stored; comparisons run in constant time; a Secret never prints itself.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
)

// Secret is a plain secret value. Its String and LogValue are redacted so
// that it cannot leak into logs by accident; call Reveal to show it once.
type Secret string

// New returns a fresh secret of 256 random bits, URL-safe base64 encoded,
// after prefix (e.g. "seam_it_" for Integration API tokens).
func New(prefix string) Secret {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand.Read never fails on supported platforms.
		panic("secret: crypto/rand failed: " + err.Error())
	}
	return Secret(prefix + base64.RawURLEncoding.EncodeToString(b[:]))
}

// Reveal returns the plain value, for the one time it is shown to its owner.
func (s Secret) Reveal() string { return string(s) }

// Hash returns the hex SHA-256 of the secret, the only form that is stored.
func (s Secret) Hash() string { return Hash(string(s)) }

// String is redacted.
func (s Secret) String() string { return "[redacted]" }

// LogValue is redacted.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Hash returns the hex SHA-256 of a presented plain value.
func Hash(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// Equal compares two hashes (or any two secrets) in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
