package resttest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"seam/internal/rest/resttest"
)

// recorder is a testing.TB that keeps what Errorf reports.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) reported() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

// fake answers every path with a fixed status and body.
func fake(t *testing.T, status int, body string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, tr http.RoundTripper, req *http.Request) {
	t.Helper()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

const emptyError = `{"token":null,"selection":null,"paymentMethods":[],"shippingMethods":[],"errors":{"route":"No such call."}}`

func TestValidatorChecksTrafficAgainstTheDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		answer  string
		method  string
		path    string
		body    string
		outside bool
		// want are substrings of the reports, in order; none: no report.
		want []string
	}{
		{name: "answer of the wrong shape", status: 200, answer: `{"token":5}`, method: "GET", path: "/api/checkout/selection",
			want: []string{"GET /api/checkout/selection → 200: the answer does not match"}},
		{name: "undocumented status", status: 418, answer: `{}`, method: "GET", path: "/api/checkout/countries",
			want: []string{"status is not supported"}},
		{name: "request of the wrong shape", status: 404, answer: strings.Replace(emptyError, `"route"`, `"notFound"`, 1),
			method: "POST", path: "/api/checkout/vouchers", body: `{"voucher":5}`,
			want: []string{"POST /api/checkout/vouchers → 404: the request does not match"}},
		{name: "server call without the shared secret", status: 403, answer: strings.Replace(emptyError, `"route"`, `"authorization"`, 1),
			method: "GET", path: "/api/checkout/selections/abc/receipt", want: []string{"security requirement"}},
		{name: "marked request that breaks the document", status: 400, answer: strings.Replace(emptyError, `"route"`, `"quantity"`, 1),
			method: "POST", path: "/api/checkout/items/1-2/quantity/0", outside: true},
		{name: "marked request the document allows", status: 200, answer: `{}`, method: "GET", path: "/api/checkout/markets",
			outside: true, want: []string{"marked OutsideContract, but openapi.yaml allows it", "the answer does not match"}},
		{name: "documented route the server lacks", status: 404, answer: emptyError, method: "GET", path: "/api/checkout/receipt",
			want: []string{"the server has no such route"}},
		{name: "path outside the document", status: 200, answer: `{"data":null}`, method: "POST", path: "/graphql", body: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fake(t, tt.status, tt.answer)
			rec := &recorder{TB: t}
			tr := resttest.Validator(rec, nil)
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if tt.outside {
				req = resttest.OutsideContract(req)
			}
			send(t, tr, req)
			got := rec.reported()
			if len(got) != len(tt.want) {
				t.Fatalf("reported %d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("report %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestUnexercisedListsOperationsNotCalled(t *testing.T) {
	t.Parallel()
	srv := fake(t, 200, `{"token":null,"markets":[]}`)
	rec := &recorder{TB: t}
	tr := resttest.Validator(rec, nil)
	before := tr.Unexercised()
	req, _ := http.NewRequest("GET", srv.URL+"/api/checkout/markets", nil)
	send(t, tr, req)
	if errs := rec.reported(); len(errs) > 0 {
		t.Fatalf("valid exchange reported: %v", errs)
	}
	after := tr.Unexercised()
	if !slices.Contains(before, "GET /markets") || slices.Contains(after, "GET /markets") || len(after) != len(before)-1 {
		t.Errorf("Unexercised before a call has GET /markets: %v; after it does not, with one fewer (%d, %d)",
			slices.Contains(before, "GET /markets"), len(before), len(after))
	}
}
