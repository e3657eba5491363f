package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"seam/internal/loadtest"
)

func TestLinkRaceSellsTheLinkOnce(t *testing.T) {
	t.Parallel()
	url, token := startSeam(t)
	rep, err := loadtest.RunLinkRace(context.Background(), loadtest.LinkRaceConfig{
		Target: loadtest.Target{URL: url, Token: token}, Units: 10, Buyers: 50})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Log("\n" + out.String())
	if rep.Orders != 1 || rep.RefusedUsed+rep.RefusedStock != 49 || len(rep.Errors) != 0 {
		t.Errorf("%d orders, %d + %d refused, errors %v; want 1 order and 49 refused", rep.Orders, rep.RefusedUsed, rep.RefusedStock, rep.Errors)
	}
	if rep.Claimed != 50 || rep.Copies != 50 {
		t.Errorf("%d claims made %d copies; want 50 and 50", rep.Claimed, rep.Copies)
	}
	if rep.Link.Status != "USED" || rep.Link.OrderNumber != rep.Order.Number || rep.Link.UsedAt == "" {
		t.Errorf("the link after the race %+v; want USED by order number %d", rep.Link, rep.Order.Number)
	}
	if want := (loadtest.StockLevels{Physical: 10, Allocated: 1, FreeToAllocate: 9}); rep.Stock != want {
		t.Errorf("stock after the race %+v; want %+v", rep.Stock, want)
	}
	if rep.Failed() || len(rep.Invariants) != 6 {
		t.Errorf("invariants %+v; want 6, all held", rep.Invariants)
	}
	calls := map[string]int{}
	for _, c := range rep.Calls {
		calls[c.Call] = c.Count
	}
	for _, call := range []string{"claim", "attach", "address", "payment"} {
		if calls[call] != 50 {
			t.Errorf("%d %s calls; want 50", calls[call], call)
		}
	}
	for _, re := range []string{
		`setup: set store 1's payment link template to https://loadtest\.example/selection/%basket%/%hash%\n`,
		`setup: selection \S+ of 1 × \d+-\d+ at 100 SEK to SE, payment link \d+ with locked quantities\n`,
		`orders\s+1  \(1 distinct; first: number \d+, `,
		`refused\s+49  \(410: \d+ link used, \d+ sold out\)`,
		`failed\s+0\n`,
		`claims: 50 answered a copy, 50 distinct`,
		`link \d+ after the race: USED at \S+ by order number \d+`,
		`stock after the race: physical 10, allocated 1, free to allocate 9`,
		`race\s+\S+\s+[\d.]+ buyers/s paying at once`,
		`payment\s+50 `,
		`ok    exactly one order \(1 answered, 1 distinct, among 50 buyers\)`,
		`ok    the stock was taken once \(allocated 1 of 10 units\)`,
	} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("report does not match %s", re)
		}
	}
}

func TestLinkRaceKeepsTheStoresTemplate(t *testing.T) {
	t.Parallel()
	url, token := startSeam(t)
	const template = "https://shop.example/pay?basket=%basket%&hash=%hash%"
	graphql(t, url, token, `mutation { updateStore(id: 1, input: {paymentLinkTemplate: "`+template+`"}) { userErrors { message } } }`)
	rep, err := loadtest.RunLinkRace(context.Background(), loadtest.LinkRaceConfig{
		Target: loadtest.Target{URL: url, Token: token}, Units: 1, Buyers: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Setup[1] != "kept store 1's payment link template "+template || rep.Orders != 1 || rep.Failed() {
		t.Errorf("setup %q, %d orders, invariants %+v; want the store's template kept and one order", rep.Setup, rep.Orders, rep.Invariants)
	}
	var after struct {
		Data struct {
			Stores []struct {
				Template string `json:"paymentLinkTemplate"`
			} `json:"stores"`
		} `json:"data"`
	}
	got := graphql(t, url, token, `{ stores(where: {id: [1]}) { paymentLinkTemplate } }`)
	if err := json.Unmarshal([]byte(got), &after); err != nil || len(after.Data.Stores) != 1 || after.Data.Stores[0].Template != template {
		t.Errorf("the store's template after the race: %s", got)
	}
}

func TestLinkRaceWithABadTokenFailsBeforeRacing(t *testing.T) {
	t.Parallel()
	url, _ := startSeam(t)
	_, err := loadtest.RunLinkRace(context.Background(), loadtest.LinkRaceConfig{
		Target: loadtest.Target{URL: url, Token: "seam_it_wrong"}, Units: 1, Buyers: 1})
	if err == nil || !strings.Contains(err.Error(), "Integration API") {
		t.Errorf("err %v; want the Integration API's refusal", err)
	}
}

func TestLinkRaceCatchesAFaultyServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		wrap        func(http.Handler) http.Handler
		fail, holds []string
	}{
		{"a second order", secondOrders,
			[]string{"exactly one order", "the link is USED by that order", "every other buyer got a 410 with a reason"},
			[]string{"nobody got another answer", "the stock was taken once", "every claim made its own copy"}},
		{"a refusal without a reason", reasonless,
			[]string{"every other buyer got a 410 with a reason", "nobody got another answer"},
			[]string{"exactly one order", "the link is USED by that order", "the stock was taken once", "every claim made its own copy"}},
		{"one copy for every claim", oneCopy,
			[]string{"every claim made its own copy"},
			[]string{"the stock was taken once"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, token := startWrapped(t, tc.wrap)
			rep, err := loadtest.RunLinkRace(context.Background(), loadtest.LinkRaceConfig{
				Target: loadtest.Target{URL: url, Token: token}, Units: 10, Buyers: 8})
			if err != nil {
				t.Fatal(err)
			}
			held := map[string]bool{}
			for _, inv := range rep.Invariants {
				held[inv.Name] = inv.Held
			}
			for _, name := range tc.fail {
				if v, ok := held[name]; !ok || v {
					t.Errorf("%q held or is missing; want it to fail", name)
				}
			}
			for _, name := range tc.holds {
				if !held[name] {
					t.Errorf("%q failed; want it to hold", name)
				}
			}
			if t.Failed() {
				var out bytes.Buffer
				rep.Print(&out)
				t.Log("\n" + out.String())
			}
		})
	}
}

// secondOrders stands in for a Seam that sells a used link again: a payment
// refused with 410 is answered as a success with a made-up order.
func secondOrders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/checkout/payment" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusGone {
			copyAnswer(w, rec)
			return
		}
		io.WriteString(w, `{"action":"success","order":{"order":"fake-`+r.Header.Get("API-Token")+`","number":999999}}`)
	})
}

// reasonless stands in for a Seam that refuses a payment without saying
// why.
func reasonless(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/checkout/payment" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusGone {
			copyAnswer(w, rec)
			return
		}
		w.WriteHeader(http.StatusGone)
		io.WriteString(w, `{"errors":{}}`)
	})
}

// oneCopy stands in for a Seam whose claims all answer the first claim's
// copy, each in its own session.
func oneCopy(h http.Handler) http.Handler {
	var mu sync.Mutex
	first := ""
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/checkout/payment-links/") {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var env map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &env) != nil {
			copyAnswer(w, rec)
			return
		}
		sel := env["selection"].(map[string]any)
		mu.Lock()
		if first == "" {
			first = sel["selection"].(string)
		}
		sel["selection"] = first
		mu.Unlock()
		body, _ := json.Marshal(env)
		rec.Body.Reset()
		rec.Body.Write(body)
		copyAnswer(w, rec)
	})
}

// graphql runs a document against the Integration API and returns the
// answer.
func graphql(t *testing.T, url, token, query string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(raw), `"message"`) {
		t.Fatalf("%s: HTTP %d %s", query, resp.StatusCode, raw)
	}
	return string(raw)
}
