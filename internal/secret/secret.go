// Package secret makes and checks the 256-bit random secrets Seam hands out
// (API tokens, link hashes, share tokens). Only their SHA-256 hashes are
// stored (short human-chosen codes: HMAC-SHA256 under a server key, see
// CodeHash); comparisons run in constant time; a Secret never prints
// itself.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
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

// CodeHash returns the stored form of a short, human-chosen code (a
// voucher or gift certificate code): hex HMAC-SHA256 under the server's
// code key of the code's SHA-256. Without the key, which is kept apart
// from the codes, a dump of the hashes cannot be matched against a
// dictionary. The inner SHA-256 lets hashes stored before the key existed
// (plain SHA-256) be converted without knowing the codes (Rehash).
func CodeHash(key []byte, code string) string {
	sum := sha256.Sum256([]byte(code))
	return codeMAC(key, sum[:])
}

// Rehash converts a plain SHA-256 hex hash of a code into its CodeHash.
func Rehash(key []byte, sha256Hex string) (string, error) {
	sum, err := hex.DecodeString(sha256Hex)
	if err != nil || len(sum) != sha256.Size {
		return "", fmt.Errorf("secret: %q is not a SHA-256 hex hash", sha256Hex)
	}
	return codeMAC(key, sum), nil
}

func codeMAC(key, sum []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(sum)
	return hex.EncodeToString(m.Sum(nil))
}

// NewKey returns 32 random bytes, for a server key.
func NewKey() []byte {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("secret: crypto/rand failed: " + err.Error())
	}
	return b[:]
}
