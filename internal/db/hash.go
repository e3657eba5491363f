package db

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strconv"
)

// SchemaVersion identifies the migrations compiled into this binary: a
// short hash of the migration files and the reference data version. Test
// helpers name their template databases after it.
func SchemaVersion() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	h.Write([]byte(strconv.Itoa(referenceVersion) + isoCountries + leadingCountries))
	h.Write([]byte("code key " + strconv.Itoa(codeKeyVersion)))
	h.Write([]byte("mail seal " + strconv.Itoa(mailSealVersion)))
	h.Write([]byte("hook seal " + strconv.Itoa(hookSealVersion)))
	return hex.EncodeToString(h.Sum(nil))[:12]
}
