package gql_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/demo"
	"seam/internal/gql/gqltest"
	"seam/internal/media"
	"seam/internal/payment"
	"seam/internal/server"
)

// mediaShop is the demo shop served with product media in a temporary
// directory; files holds the pictures a test offers by URL.
type mediaShop struct {
	*liveShop
	lib   *media.Library
	files *httptest.Server
	// serve maps a path of files to what it answers.
	serve map[string][]byte
}

func startMediaShop(t *testing.T, d *db.DB, allowPrivate bool) *mediaShop {
	t.Helper()
	dbtest.Load(t, d, demoShop)
	lib, err := media.New(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lib.AllowPrivateURLs = allowPrivate
	test := &payment.Test{Key: []byte("k")}
	svc := checkout.New(d, map[string]payment.Provider{"test": test})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.New(server.Config{DB: d, Log: log, Version: "test", Checkout: svc, TestPayments: test, Media: lib}).Handler())
	t.Cleanup(srv.Close)
	erp := gqltest.New(t, d, "erp")
	erp.URL, erp.HTTP = srv.URL, srv.Client()
	s := &mediaShop{liveShop: &liveShop{t: t, d: d, url: srv.URL, hc: srv.Client(), erp: erp}, lib: lib, serve: map[string][]byte{}}
	s.files = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := s.serve[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(s.files.Close)
	return s
}

func jpegOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngClaiming is a PNG header that declares a w×h image and holds no
// pixels: a decompression bomb's first bytes.
func pngClaiming(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// webp1x1 is a 1×1 lossless WebP.
var webp1x1, _ = base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")

const mediaFields = `id position width height altText sourceUrl sizes { name url } product { id }`

// createByURL adds a picture of product 1 fetched from the test's file
// server.
func (s *mediaShop) createByURL(path string, body []byte) gqltest.Result {
	s.t.Helper()
	s.serve[path] = body
	return s.erp.Do(`mutation($u: String!) { createProductMedia(input: {product: {id: 1}, url: $u, altText: "Tee"}) {
		productMedia { `+mediaFields+` } userErrors { message path } } }`, map[string]any{"u": s.files.URL + path})
}

// upload adds a picture of product 1 as a multipart request.
func (s *mediaShop) upload(name string, body []byte) gqltest.Result {
	s.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	ops, _ := json.Marshal(map[string]any{"query": `mutation($f: Upload!) { createProductMedia(input: {product: {id: 1}, file: $f}) {
		productMedia { ` + mediaFields + ` } userErrors { message path } } }`, "variables": map[string]any{"f": nil}})
	_ = mw.WriteField("operations", string(ops))
	_ = mw.WriteField("map", `{"0": ["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", name)
	_, _ = fw.Write(body)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.erp.Token)
	return s.erp.Send(req)
}

// get fetches a URL with headers.
func (s *mediaShop) get(u string, header ...string) (*http.Response, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func sizeURL(m any, name string) string {
	for _, s := range gqltest.Get(m, "sizes").([]any) {
		if gqltest.Get(s, "name") == name {
			return gqltest.Get(s, "url").(string)
		}
	}
	return ""
}

func TestProductMediaByURLIsResizedServedCachedAndOnProducts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := startMediaShop(t, d, true)
		r := s.createByURL("/tee.jpg", jpegOf(t, 1200, 600))
		m := gqltest.Get(r.Data, "createProductMedia", "productMedia")
		if m == nil {
			t.Fatalf("no picture: %s", r.Raw)
		}
		if gqltest.Get(m, "width") != 1200.0 || gqltest.Get(m, "height") != 600.0 || gqltest.Get(m, "altText") != "Tee" ||
			gqltest.Get(m, "sourceUrl") != s.files.URL+"/tee.jpg" || gqltest.Get(m, "position") != 0.0 {
			t.Errorf("picture = %v", m)
		}
		for _, want := range []struct {
			size string
			w, h int
		}{{"mini", 150, 75}, {"standard", 600, 300}, {"full", 1200, 600}} { // full is never enlarged
			u := sizeURL(m, want.size)
			if !strings.HasPrefix(u, s.url+"/media/") || !strings.HasSuffix(u, "/"+want.size+".jpg") {
				t.Fatalf("%s url = %q", want.size, u)
			}
			resp, body := s.get(u)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("GET %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
			if err != nil || cfg.Width != want.w || cfg.Height != want.h {
				t.Errorf("%s is %d×%d (%v), want %d×%d", want.size, cfg.Width, cfg.Height, err, want.w, want.h)
			}
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
				t.Errorf("Cache-Control = %q", cc)
			}
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			again, body := s.get(u, "If-None-Match", etag)
			if again.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and no body", etag, again.StatusCode, len(body))
			}
			if other, _ := s.get(u, "If-None-Match", `"something-else"`); other.StatusCode != http.StatusOK {
				t.Errorf("another ETag: %d, want 200", other.StatusCode)
			}
		}

		// The Checkout API's product shows it by size.
		_, sel := s.checkoutCall("", "GET", "/selection", nil)
		_, p := s.checkoutCall(sel["token"].(string), "GET", "/products/1", nil)
		if got := gqltest.Get(p, "product", "media", "standard", 0); got != sizeURL(m, "standard") {
			t.Errorf("Checkout API product media = %v, want standard %s", gqltest.Get(p, "product", "media"), sizeURL(m, "standard"))
		}
		_, list := s.checkoutCall(sel["token"].(string), "POST", "/products", map[string]any{"limit": 100})
		without := 0
		for _, q := range gqltest.Get(list, "products").([]any) {
			if gqltest.Get(q, "name") != gqltest.Get(p, "product", "name") {
				if got := fmt.Sprint(gqltest.Get(q, "media")); got != "map[]" {
					t.Errorf("%v has no pictures: media = %s, want {}", gqltest.Get(q, "name"), got)
				}
				without++
			}
		}
		if without == 0 {
			t.Error("no product without pictures listed")
		}
		// And the Integration API's.
		r = s.erp.MustOK(`{ product(id: 1) { media { id sizes { name } } } }`, nil)
		if n := len(gqltest.Get(r.Data, "product", "media").([]any)); n != 1 {
			t.Errorf("product.media has %d pictures, want 1", n)
		}
	})
}

func TestProductMediaMultipartUploadTakesPNGAndWebP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := startMediaShop(t, d, false)
		r := s.upload("logo.png", pngOf(t, 300, 200))
		m := gqltest.Get(r.Data, "createProductMedia", "productMedia")
		if m == nil || r.Status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.Status, r.Raw)
		}
		if gqltest.Get(m, "sourceUrl") != nil || gqltest.Get(m, "width") != 300.0 {
			t.Errorf("picture = %v", m)
		}
		// A PNG stays a PNG (it may be transparent); a small one is not
		// enlarged.
		resp, body := s.get(sizeURL(m, "full"))
		cfg, err := png.DecodeConfig(bytes.NewReader(body))
		if resp.StatusCode != http.StatusOK || err != nil || cfg.Width != 300 || cfg.Height != 200 {
			t.Errorf("full: %d %dx%d %v, want the 300×200 PNG", resp.StatusCode, cfg.Width, cfg.Height, err)
		}

		r = s.upload("dot.webp", webp1x1)
		m = gqltest.Get(r.Data, "createProductMedia", "productMedia")
		if m == nil || gqltest.Get(m, "position") != 1.0 {
			t.Fatalf("webp upload: %s", r.Raw)
		}
		if u := sizeURL(m, "mini"); !strings.HasSuffix(u, "/mini.jpg") {
			t.Errorf("a WebP is served as JPEG, got %s", u)
		}

		// Uploads need the token in the header, never only the cookie.
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("operations", `{"query": "mutation { __typename }"}`)
		_ = mw.WriteField("map", `{}`)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "graphql-access", Value: s.erp.Token})
		if got := s.erp.Send(req); got.Status != http.StatusBadRequest {
			t.Errorf("cookie-only multipart: %d %s, want 400", got.Status, got.Raw)
		}
	})
}

func TestProductMediaRefusesWhatIsNotAPictureSayingWhy(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := startMediaShop(t, d, true)
		var gifData bytes.Buffer
		_ = gif.Encode(&gifData, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White}), nil)
		for _, c := range []struct {
			name string
			body []byte
			want string
		}{
			{"text", []byte("hello, not a picture"), "not a JPEG, PNG or WebP image (it looks like text/plain)"},
			{"gif", gifData.Bytes(), "GIF image; Seam takes JPEG, PNG and WebP"},
			{"decompression bomb", pngClaiming(50_000, 50_000), "50000×50000 pixels"},
			{"too wide", pngClaiming(30_000, 10), "30000×10 pixels"},
			{"damaged jpeg", jpegOf(t, 64, 64)[:300], "JPEG file is damaged"},
			{"empty", []byte{}, "The file is empty"},
			{"over 20 MB", append(jpegOf(t, 8, 8), make([]byte, media.MaxBytes)...), "20971520 bytes (20 MB)"},
		} {
			r := s.createByURL("/"+strings.ReplaceAll(c.name, " ", "-"), c.body)
			ue := r.UserErrors("createProductMedia")
			if len(ue) != 1 || !strings.Contains(fmt.Sprint(ue[0]["message"]), c.want) || fmt.Sprint(ue[0]["path"]) != "[input url]" {
				t.Errorf("%s: userErrors %v, want one on input.url saying %q", c.name, ue, c.want)
			}
			if r.Status != http.StatusOK || gqltest.Get(r.Data, "createProductMedia", "productMedia") != nil {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Raw)
			}
		}
		// An upload is refused the same way, on input.file.
		r := s.upload("x.gif", gifData.Bytes())
		if ue := r.UserErrors("createProductMedia"); len(ue) != 1 || fmt.Sprint(ue[0]["path"]) != "[input file]" {
			t.Errorf("gif upload: %s", r.Raw)
		}
		for _, c := range []struct{ name, query, want string }{
			{"neither", `mutation { createProductMedia(input: {product: {id: 1}}) { userErrors { message path } } }`, "Give the picture as url"},
			{"a 404", `mutation { createProductMedia(input: {product: {id: 1}, url: "` + s.files.URL + `/none"}) { userErrors { message path } } }`, "HTTP 404"},
			{"not http", `mutation { createProductMedia(input: {product: {id: 1}, url: "file:///etc/passwd"}) { userErrors { message path } } }`, "absolute http or https URL"},
			{"no product", `mutation { createProductMedia(input: {product: {id: 9999}, url: "` + s.files.URL + `/x"}) { userErrors { message path } } }`, "Could not find Product with ID 9999"},
		} {
			r := s.erp.Do(c.query, nil)
			if ue := r.UserErrors("createProductMedia"); len(ue) != 1 || !strings.Contains(fmt.Sprint(ue[0]["message"]), c.want) {
				t.Errorf("%s: %s, want %q", c.name, r.Raw, c.want)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM product_media`); n != 0 {
			t.Errorf("%d pictures stored from refused files", n)
		}
	})
}

func TestProductMediaURLFetchRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := startMediaShop(t, d, false)
		for _, u := range []string{s.files.URL + "/tee.jpg", "http://localhost:1/x.jpg", "http://10.0.0.1/x.jpg",
			"http://169.254.169.254/latest/meta-data", "http://[::1]:80/x.jpg"} {
			s.serve["/tee.jpg"] = jpegOf(t, 10, 10)
			r := s.erp.Do(`mutation($u: String!) { createProductMedia(input: {product: {id: 1}, url: $u}) { userErrors { message path } } }`,
				map[string]any{"u": u})
			ue := r.UserErrors("createProductMedia")
			if len(ue) != 1 || !strings.Contains(fmt.Sprint(ue[0]["message"]), "loopback or private address") {
				t.Errorf("%s: %s, want a userError about private addresses", u, r.Raw)
			}
		}
	})
}

func TestProductMediaOrderAndDelete(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := startMediaShop(t, d, true)
		a := gqltest.ID(s.createByURL("/a.jpg", jpegOf(t, 40, 40)).Data, "createProductMedia", "productMedia", "id")
		bRes := s.createByURL("/b.jpg", jpegOf(t, 50, 40))
		b := gqltest.ID(bRes.Data, "createProductMedia", "productMedia", "id")
		bFull := sizeURL(gqltest.Get(bRes.Data, "createProductMedia", "productMedia"), "full")
		if a == 0 || b == 0 {
			t.Fatal("pictures not made")
		}
		r := s.erp.MustOK(fmt.Sprintf(`mutation { setProductMediaOrder(input: {product: {id: 1}, productMedia: [%d, %d]}) {
			product { media { id position } } userErrors { message path } } }`, b, a), nil)
		if got := fmt.Sprint(gqltest.Get(r.Data, "setProductMediaOrder", "product", "media")); got != fmt.Sprintf("[map[id:%d position:0] map[id:%d position:1]]", b, a) {
			t.Errorf("after ordering: %s", got)
		}
		_, sel := s.checkoutCall("", "GET", "/selection", nil)
		_, p := s.checkoutCall(sel["token"].(string), "GET", "/products/1", nil)
		if got := gqltest.Get(p, "product", "media", "full", 0); got != bFull {
			t.Errorf("storefront's first full picture = %v, want %s", got, bFull)
		}
		for _, c := range []struct{ list, want string }{
			{fmt.Sprint(a), "missing: " + fmt.Sprint(b)},
			{fmt.Sprintf("%d, %d, %d", a, b, a), "listed twice"},
			{fmt.Sprintf("%d, %d, 9999", a, b), "ProductMedia 9999 is not a picture of product 1"},
		} {
			r := s.erp.Do(`mutation { setProductMediaOrder(input: {product: {id: 1}, productMedia: [`+c.list+`]}) { userErrors { message path } } }`, nil)
			if ue := r.UserErrors("setProductMediaOrder"); len(ue) == 0 || !strings.Contains(fmt.Sprint(ue), c.want) {
				t.Errorf("order [%s]: %s, want %q", c.list, r.Raw, c.want)
			}
		}

		r = s.erp.MustOK(fmt.Sprintf(`mutation { deleteProductMedia(id: %d) { product { id media { id } } userErrors { message } } }`, b), nil)
		if got := fmt.Sprint(gqltest.Get(r.Data, "deleteProductMedia", "product", "media")); got != fmt.Sprintf("[map[id:%d]]", a) {
			t.Errorf("after delete: %s", got)
		}
		if resp, _ := s.get(bFull); resp.StatusCode != http.StatusNotFound {
			t.Errorf("deleted picture's file: %d, want 404", resp.StatusCode)
		}
		r = s.erp.Do(fmt.Sprintf(`mutation { deleteProductMedia(id: %d) { userErrors { message path } } }`, b), nil)
		if ue := r.UserErrors("deleteProductMedia"); len(ue) != 1 || !strings.Contains(fmt.Sprint(ue[0]["message"]), "Could not find ProductMedia") {
			t.Errorf("second delete: %s", r.Raw)
		}
		// Product:write is needed.
		reader := s.erp.With(gqltest.NewToken(t, d, auth.NewToken{Name: "reader", Permissions: []string{"Product:read"}}))
		r = reader.Do(fmt.Sprintf(`mutation { deleteProductMedia(id: %d) { userErrors { message } } }`, a), nil)
		if len(r.Errors) == 0 || gqltest.Get(r.Errors[0], "extensions", "category") != "authorization" {
			t.Errorf("without Product:write: %s", r.Raw)
		}
	})
}

func TestDemoShopHasAPicturePerProduct(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := startMediaShop(t, d, false)
		if err := demo.Pictures(t.Context(), d, s.lib); err != nil {
			t.Fatal(err)
		}
		_, sel := s.checkoutCall("", "GET", "/selection", nil)
		_, list := s.checkoutCall(sel["token"].(string), "POST", "/products", map[string]any{"limit": 100})
		products := gqltest.Get(list, "products").([]any)
		if len(products) < 20 {
			t.Fatalf("%d products", len(products))
		}
		for _, p := range products {
			u, _ := gqltest.Get(p, "media", "standard", 0).(string)
			if resp, body := s.get(u); resp.StatusCode != http.StatusOK || len(body) == 0 || len(body) > 64<<10 {
				t.Errorf("%v: standard picture %q: %d, %d bytes", gqltest.Get(p, "name"), u, resp.StatusCode, len(body))
			}
		}
	})
}
