package rest

import (
	"net/http"
	"os"
	"strings"

	"seam/internal/checkout"
	"seam/internal/media"
)

// MediaHandler serves product pictures at /media/<key>/<size>.<ext>. A
// picture's files never change (a new picture gets a new key), so they
// are cached for a year and their ETag is their name; If-None-Match
// answers 304.
func MediaHandler(lib *media.Library) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Pictures are read with GET.", http.StatusMethodNotAllowed)
			return
		}
		rest := strings.TrimPrefix(r.URL.Path, media.Prefix)
		key, name, _ := strings.Cut(rest, "/")
		path, ok := lib.File(key, name)
		if !ok {
			http.Error(w, "No such picture.", http.StatusNotFound)
			return
		}
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, "No such picture.", http.StatusNotFound)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			http.Error(w, "No such picture.", http.StatusNotFound)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", `"`+key+"-"+name+`"`)
		h.Set("X-Content-Type-Options", "nosniff")
		if strings.HasSuffix(name, ".png") {
			h.Set("Content-Type", "image/png")
		} else {
			h.Set("Content-Type", "image/jpeg")
		}
		http.ServeContent(w, r, "", st.ModTime(), f)
	})
}

// mediaOf is a product's pictures as the Checkout API shows them: image
// URLs by size name ({"standard": ["…/1.jpg"], "mini": […]}). It is the
// one place that builds a product's media; a product without pictures has
// an empty object, never null.
func mediaOf(p checkout.Product) map[string][]string {
	if p.Media == nil {
		return map[string][]string{}
	}
	return p.Media
}
