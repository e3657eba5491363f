package checkout

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// A voucher code a shopper typed is theirs to see again (storefronts show
// it and remove the voucher with it), but Seam keeps codes only as hashes.
// So the typed code is sealed (AES-GCM) with a key derived from the
// session's token, which Seam itself keeps only as a hash: the session
// that typed a code can read it back, nobody else (servers, operators, a
// copy of the database) can.

func sealKey(token string) []byte {
	k := sha256.Sum256([]byte("seam voucher code\x00" + token))
	return k[:]
}

// SealCode seals a typed code for the session with token; "" without a
// token.
func SealCode(token, code string) string {
	if token == "" {
		return ""
	}
	block, err := aes.NewCipher(sealKey(token))
	if err != nil {
		return ""
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return ""
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(code), nil))
}

// OpenCode reads a sealed code back with the session's token; ok is false
// for another token (or none).
func OpenCode(token, sealed string) (string, bool) {
	if token == "" || sealed == "" {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return "", false
	}
	block, err := aes.NewCipher(sealKey(token))
	if err != nil {
		return "", false
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil || len(raw) < gcm.NonceSize() {
		return "", false
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return "", false
	}
	return string(plain), true
}
