package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"seam/internal/dbtest"
	"seam/internal/webhook"
)

func TestServeDeliversTheFeedToItsConfigSubscriptions(t *testing.T) {
	t.Parallel()
	got := make(chan *http.Request, 10)
	bodies := make(chan []byte, 10)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer rc.Close()
	cfg := filepath.Join(t.TempDir(), "webhooks.json")
	file := `{"subscriptions": [{"name": "erp", "url": "` + rc.URL + `/hooks", "secret": "erp-secret",
		"flavour": "JSON", "objectTypes": ["WebhookSubscription"]}]}`
	if err := os.WriteFile(cfg, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	base, out, stop := startServe(t, "--data", t.TempDir(), "--no-demo", "--webhooks-config", cfg)
	defer stop()
	token := tokenRE.FindString(out.String())
	// A subscription made over the API is an event the config's
	// subscription gets.
	r := graphql(t, base, token, `mutation { createWebhookSubscription(input: {url: "https://bi.example/hooks"}) { userErrors { message } webhookSubscription { id } } }`)
	if ue := r["data"].(map[string]any)["createWebhookSubscription"].(map[string]any)["userErrors"].([]any); len(ue) != 0 {
		t.Fatalf("userErrors %v", ue)
	}
	select {
	case req := <-got:
		b := <-bodies
		sig := req.Header.Get("X-Centra-Signature")
		ts, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || sig != webhook.Sign("erp-secret", time.Unix(sec, 0), b) {
			t.Errorf("signature %q does not verify with the config's secret", sig)
		}
		var body struct {
			Events []struct {
				ObjectType string `json:"objectType"`
				Action     string `json:"action"`
			} `json:"events"`
		}
		if err := json.Unmarshal(b, &body); err != nil || len(body.Events) != 1 || body.Events[0].ObjectType != "WebhookSubscription" ||
			body.Events[0].Action != "CREATED" {
			t.Errorf("body %s (%v)", b, err)
		}
	case <-dbtest.Deadline(t).Done():
		t.Fatal("the config subscription got nothing before the test's deadline")
	}
}
