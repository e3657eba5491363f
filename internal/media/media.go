// Package media holds product pictures: it takes a JPEG, PNG or WebP file
// (uploaded, or fetched by URL with size, time and address limits), checks
// it before decoding, resizes it once into the configured named sizes and
// stores the files under the data directory, where /media/... serves them.
package media

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Size is a named box a picture is scaled to fit, never enlarged.
type Size struct {
	Name          string
	Width, Height int
}

// DefaultSizes are the sizes made when none are configured.
var DefaultSizes = []Size{{"mini", 150, 150}, {"standard", 600, 600}, {"full", 1600, 1600}}

var sizeName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// ParseSizes reads "mini=150x150,standard=600x600,full=1600x1600".
func ParseSizes(s string) ([]Size, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultSizes, nil
	}
	var out []Size
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name, box, ok := strings.Cut(strings.TrimSpace(part), "=")
		ws, hs, ok2 := strings.Cut(box, "x")
		w, err1 := strconv.Atoi(ws)
		h, err2 := strconv.Atoi(hs)
		switch {
		case !ok || !ok2 || err1 != nil || err2 != nil:
			return nil, fmt.Errorf("media size %q is not name=WIDTHxHEIGHT", part)
		case !sizeName.MatchString(name):
			return nil, fmt.Errorf("media size name %q must be lower-case letters, digits, - or _", name)
		case seen[name]:
			return nil, fmt.Errorf("media size %q is named twice", name)
		case w < 1 || h < 1 || w > 8000 || h > 8000:
			return nil, fmt.Errorf("media size %q must be 1 to 8000 pixels a side", part)
		}
		seen[name] = true
		out = append(out, Size{name, w, h})
	}
	if len(out) > 10 {
		return nil, fmt.Errorf("at most 10 media sizes, got %d", len(out))
	}
	return out, nil
}

// Library stores pictures in Dir (the data directory's media folder).
type Library struct {
	// Dir holds one folder per picture.
	Dir string
	// Sizes are made of every new picture.
	Sizes []Size
	// AllowPrivateURLs lets createProductMedia fetch from loopback and
	// private addresses: for development and tests only.
	AllowPrivateURLs bool
	// FetchTimeout bounds fetching one URL (DefaultFetchTimeout if 0).
	FetchTimeout time.Duration

	once sync.Once
	http *http.Client
}

// New returns a library in dir with sizes (DefaultSizes if nil); it
// creates dir.
func New(dir string, sizes []Size) (*Library, error) {
	if sizes == nil {
		sizes = DefaultSizes
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("media directory: %w", err)
	}
	return &Library{Dir: dir, Sizes: sizes}, nil
}

// Prefix is where pictures are served.
const Prefix = "/media/"

// Path is the URL path of a picture's size: /media/<key>/<size>.<ext>.
func Path(key, size, ext string) string { return Prefix + key + "/" + size + "." + ext }

var keyPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// File returns the file behind a URL path's key and file name, or false
// when they cannot name one.
func (l *Library) File(key, name string) (string, bool) {
	size, ext, ok := strings.Cut(name, ".")
	if !ok || !keyPattern.MatchString(key) || !sizeName.MatchString(size) || (ext != "jpg" && ext != "png") {
		return "", false
	}
	return filepath.Join(l.Dir, key, name), true
}

// written is a picture's files on disk.
type written struct {
	key, ext      string
	sizes         []string
	width, height int
}

// write decodes data and stores every size under a new key.
func (l *Library) write(data []byte) (written, error) {
	img, format, err := decode(data)
	if err != nil {
		return written{}, err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return written{}, err
	}
	w := written{key: hex.EncodeToString(b), ext: extOf(format), width: img.Bounds().Dx(), height: img.Bounds().Dy()}
	dir := filepath.Join(l.Dir, w.key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return written{}, fmt.Errorf("media folder: %w", err)
	}
	for _, s := range l.Sizes {
		out, err := render(img, format, s)
		if err != nil {
			_ = os.RemoveAll(dir)
			return written{}, fmt.Errorf("encode %s: %w", s.Name, err)
		}
		if err := writeFile(filepath.Join(dir, s.Name+"."+w.ext), out); err != nil {
			_ = os.RemoveAll(dir)
			return written{}, err
		}
		w.sizes = append(w.sizes, s.Name)
	}
	return w, nil
}

// writeFile writes through a temporary file, so that a reader never sees
// half a picture.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write picture: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write picture: %w", err)
	}
	return nil
}

// remove deletes a picture's files.
func (l *Library) remove(key string) error {
	if !keyPattern.MatchString(key) {
		return nil
	}
	return os.RemoveAll(filepath.Join(l.Dir, key))
}
