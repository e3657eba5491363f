package admin_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/media"
	seampkg "seam/internal/seam"
)

// TestCatalogShowsEachProductsPicturesAsThumbnails adds a picture to a
// demo product through the domain function createProductMedia uses and
// checks that the catalog list and the product's page show its mini
// size, lazy-loaded, with the alt text escaped, and that the thumbnail
// is served.
func TestCatalogShowsEachProductsPicturesAsThumbnails(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		lib, err := media.New(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		s := startSeamWith(t, d, lib)
		var b bytes.Buffer
		img := image.NewRGBA(image.Rect(0, 0, 40, 50))
		for i := range img.Pix {
			img.Pix[i] = 200
		}
		img.Set(3, 3, color.Black)
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		id, alt := int64(1), `Front <b>"view"</b>`
		m, err := lib.Create(t.Context(), d, seamActor("test"), media.CreateInput{Product: &seampkg.Ref{ID: &id}, File: &b, AltText: &alt}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		c, _ := signedInClient(t, s)
		get := func(path string) (int, string, string) {
			t.Helper()
			resp, err := c.Get(s.url + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
		}
		want := `<img class="%s" src="/media/` + m.Key + `/mini.` + m.Ext + `" alt="Front &lt;b&gt;&#34;view&#34;&lt;/b&gt;" loading="lazy"`
		for _, page := range []struct{ path, class string }{{"/admin/catalog", "thumb"}, {"/admin/catalog/1/stock", "thumb-large"}} {
			code, _, body := get(page.path)
			if code != http.StatusOK {
				t.Fatalf("%s answered %d", page.path, code)
			}
			if w := strings.Replace(want, "%s", page.class, 1); !strings.Contains(body, w) {
				t.Errorf("%s does not show the picture as %s", page.path, w)
			}
			if strings.Contains(body, `<b>"view"`) {
				t.Errorf("%s shows the alt text unescaped", page.path)
			}
		}
		// Only product 1 has a picture: the list has one thumbnail, and
		// the other products say they have none.
		_, _, list := get("/admin/catalog")
		if n := len(regexp.MustCompile(`<img class="thumb" `).FindAllString(list, -1)); n != 1 {
			t.Errorf("the catalog shows %d thumbnails; want 1", n)
		}
		if !strings.Contains(list, `<span class="muted">none</span>`) {
			t.Error("products without pictures are not marked")
		}
		_, _, other := get("/admin/catalog/2/stock")
		if strings.Contains(other, "<img") || !strings.Contains(other, "No pictures.") {
			t.Error("product 2's page shows a picture it does not have")
		}
		if code, typ, body := get("/media/" + m.Key + "/mini." + m.Ext); code != http.StatusOK || !strings.HasPrefix(typ, "image/") || len(body) == 0 {
			t.Errorf("the thumbnail answered %d %q, %d bytes", code, typ, len(body))
		}
	})
}
