package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// Templates are the pages of one surface: each page file parsed together
// with the layout and the shared partials, so that every page defines
// "content" (and "title") and renders inside the same layout.
type Templates struct {
	pages map[string]*template.Template
}

// ParseTemplates reads layout.html, every _*.html partial and every other
// *.html page from dir of fsys. A page is named by its file name without
// .html.
func ParseTemplates(fsys fs.FS, dir string, funcs template.FuncMap) (*Templates, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, path.Join(dir, "layout.html"))
	if err != nil {
		return nil, err
	}
	if partials, _ := fs.Glob(fsys, path.Join(dir, "_*.html")); len(partials) > 0 {
		if base, err = base.ParseFS(fsys, partials...); err != nil {
			return nil, err
		}
	}
	files, err := fs.Glob(fsys, path.Join(dir, "*.html"))
	if err != nil {
		return nil, err
	}
	t := &Templates{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		c, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t.pages[name], err = c.ParseFS(fsys, f); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
	}
	return t, nil
}

// Has reports whether a page exists.
func (t *Templates) Has(page string) bool { _, ok := t.pages[page]; return ok }

// Render executes a page in its layout into a buffer, then writes it with
// status and the security headers; a template error writes nothing and is
// returned, so that the caller can answer 500 cleanly. With fragment set
// (an htmx request for part of a page) only the named template of the
// page is executed.
func (t *Templates) Render(w http.ResponseWriter, status int, page, fragment string, data any) error {
	tpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	name := "layout.html"
	if fragment != "" {
		name = fragment
	}
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	SecureHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}
