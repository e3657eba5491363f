package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// Sealer encrypts values that must be stored for a while but read back
// in full (a queued e-mail that carries a gift certificate code), with
// AES-256-GCM under a key derived from a server key for one purpose, so
// that a copy of the database without the server key holds nothing
// usable. Each sealed value is bound to a context (for example the row it
// belongs to): it opens only with the same context, so it cannot be moved
// to another row.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer derives the purpose's key from the server key as
// HMAC-SHA256(serverKey, "seam seal "+purpose): a different purpose gets
// an unrelated key, and the server key itself never encrypts.
func NewSealer(serverKey []byte, purpose string) (Sealer, error) {
	if len(serverKey) < 32 {
		return Sealer{}, errors.New("secret: a server key has at least 32 bytes")
	}
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte("seam seal " + purpose))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return Sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Sealer{}, err
	}
	return Sealer{aead: aead}, nil
}

// Seal encrypts plain bound to context: URL-safe base64 of a random
// 96-bit nonce followed by the ciphertext and its tag.
func (s Sealer) Seal(plain, context string) string {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte(context)))
}

// ErrUnseal says a sealed value does not open: it was sealed under another
// key or context, or it was changed.
var ErrUnseal = errors.New("secret: the sealed value does not open with this key and context")

// Open decrypts what Seal made with the same key and context.
func (s Sealer) Open(sealed, context string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize()+s.aead.Overhead() {
		return "", ErrUnseal
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(context))
	if err != nil {
		return "", ErrUnseal
	}
	return string(plain), nil
}
