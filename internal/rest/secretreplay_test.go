package rest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
	"seam/internal/secret"
)

// TestIdempotentReplayKeepsNoSecret makes a payment link, a voucher with a
// chosen code and a webhook subscription with a generated secret in one
// Integration API request with an Idempotency-Key: the first answer shows
// the three secrets, the kept answer (and so the replay and a dump of the
// idempotency table) holds a marker instead of each.
func TestIdempotentReplayKeepsNoSecret(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		startAPI(t, d)
		o := newOperator(t, d)
		sel := o.selection(1, 0)
		doc := `mutation {
			link: createPaymentLink(input: {selection: "` + sel + `", lockQuantities: true}) { paymentLink { url qrCodeUrl } userErrors { message } }
			voucher: createVoucher(input: {name: "Summer", status: ACTIVE, startAt: "2024-01-01", stopAt: "2030-01-01", method: CODE,
				code: "summer-sale-2026", type: DISCOUNT, entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1},
				actions: [{result: {selectedProducts: {discount: {percentOff: 10}}}}]}) { voucher { code } userErrors { message } }
			hook: createWebhookSubscription(input: {url: "https://erp.example/hook", flavour: JSON, objectTypes: ["Order"]}) { secret userErrors { message } }
		}`
		post := func() gqltest.Result {
			body, _ := json.Marshal(map[string]any{"query": doc})
			req, err := http.NewRequest(http.MethodPost, o.gq.URL+"/graphql", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+o.gq.Token)
			req.Header.Set("Idempotency-Key", "secrets-1")
			return o.gq.Send(req)
		}
		first := post()
		url, _ := gqltest.Get(first.Data, "link", "paymentLink", "url").(string)
		code, _ := gqltest.Get(first.Data, "voucher", "voucher", "code").(string)
		hook, _ := gqltest.Get(first.Data, "hook", "secret").(string)
		hash := url[strings.LastIndex(url, "/")+1:]
		if first.Status != http.StatusOK || len(hash) < 40 || code != "summer-sale-2026" || !strings.HasPrefix(hook, "whsec_") {
			t.Fatalf("first answer: %s", first.Raw)
		}
		kept := dbtest.String(t, d, `SELECT body FROM idempotency_key WHERE key = 'secrets-1'`)
		replay := post()
		if replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the repeat was not a replay: %s", replay.Raw)
		}
		for name, s := range map[string]string{"payment link hash": hash, "voucher code": code, "webhook secret": hook} {
			if strings.Contains(kept, s) {
				t.Errorf("the kept answer holds the %s in plain text: %s", name, kept)
			}
			if strings.Contains(string(replay.Raw), s) {
				t.Errorf("the replay shows the %s again", name)
			}
		}
		for _, path := range [][]any{{"voucher", "voucher", "code"}, {"hook", "secret"}} {
			if got := gqltest.Get(replay.Data, path...); got != secret.ShownOnce {
				t.Errorf("replay %v = %v, want the marker %q", path, got, secret.ShownOnce)
			}
		}
		if got, _ := gqltest.Get(replay.Data, "link", "paymentLink", "url").(string); !strings.HasSuffix(got, "/"+secret.ShownOnce) {
			t.Errorf("replay url = %q, want the hash replaced by the marker", got)
		}
	})
}
