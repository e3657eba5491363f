package gql_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
	"seam/internal/webhook"
)

func TestWebhookSubscriptionOverGraphQLDeliversAndLogs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		ctx := context.Background()
		var mu sync.Mutex
		var bodies [][]byte
		calls := 0
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			bodies = append(bodies, b)
		}))
		t.Cleanup(rc.Close)
		c := gqltest.New(t, d, "erp")

		r := c.MustOK(`mutation($url: String!) { createWebhookSubscription(input: {url: $url, flavour: JSON, objectTypes: ["Store"]}) {
			userErrors { message path } secret webhookSubscription { id url flavour objectTypes actions status cursor createdBy } } }`,
			map[string]any{"url": rc.URL + "/hooks"})
		sec, _ := gqltest.Get(r.Data, "createWebhookSubscription", "secret").(string)
		if !strings.HasPrefix(sec, "whsec_") {
			t.Fatalf("secret %q, want a made whsec_ secret shown once", sec)
		}
		id := gqltest.ID(r.Data, "createWebhookSubscription", "webhookSubscription", "id")
		sub := gqltest.Get(r.Data, "createWebhookSubscription", "webhookSubscription").(map[string]any)
		if sub["flavour"] != "JSON" || sub["status"] != "ACTIVE" || sub["createdBy"] != "erp" || len(sub["actions"].([]any)) != 0 {
			t.Errorf("subscription %v", sub)
		}
		// Two changes that record Store events.
		for _, u := range []string{"https://shop.example/a", ""} {
			c.MustOK(`mutation($u: String!) { setAfterSaleWebhook(store: {id: 1}, url: $u) { userErrors { message } } }`, map[string]any{"u": u})
		}
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true}
		for range 2 {
			if _, err := w.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			dbtest.Exec(t, d, `UPDATE webhook_subscription SET next_attempt_at = created_at`)
		}
		mu.Lock()
		if len(bodies) != 1 {
			t.Fatalf("%d calls accepted, want 1 after one refused", len(bodies))
		}
		var got struct {
			Events []struct {
				ID         int64  `json:"id"`
				ObjectType string `json:"objectType"`
			} `json:"events"`
		}
		if err := json.Unmarshal(bodies[0], &got); err != nil || len(got.Events) != 2 || got.Events[0].ObjectType != "Store" {
			t.Fatalf("body %s (%v)", bodies[0], err)
		}
		mu.Unlock()

		r = c.MustOK(`query($id: Int!) { webhookDeliveries(where: {subscriptionId: [$id]}) { id status responseCode error durationMs attempt
			firstEventId lastEventId eventCount attemptedAt subscription { id } } }`, map[string]any{"id": id})
		log := gqltest.Get(r.Data, "webhookDeliveries").([]any)
		if len(log) != 2 {
			t.Fatalf("delivery log %v, want 2 calls", log)
		}
		newest, oldest := log[0].(map[string]any), log[1].(map[string]any)
		if newest["status"] != "DELIVERED" || newest["responseCode"] != 200.0 || newest["attempt"] != 2.0 || newest["eventCount"] != 2.0 ||
			newest["firstEventId"] != float64(got.Events[0].ID) || newest["lastEventId"] != float64(got.Events[1].ID) ||
			gqltest.Get(newest, "subscription", "id") != float64(id) {
			t.Errorf("newest call %v", newest)
		}
		if oldest["status"] != "FAILED" || oldest["responseCode"] != 503.0 || !strings.Contains(oldest["error"].(string), "503") ||
			oldest["attempt"] != 1.0 || oldest["durationMs"] == nil {
			t.Errorf("oldest call %v", oldest)
		}
		r = c.MustOK(`{ webhookDeliveries(where: {status: [FAILED]}) { id } webhookSubscriptions { id cursor status attempts lastError } }`, nil)
		if n := len(gqltest.Get(r.Data, "webhookDeliveries").([]any)); n != 1 {
			t.Errorf("%d FAILED calls listed, want 1", n)
		}
		if cur := gqltest.Get(r.Data, "webhookSubscriptions", 0, "cursor"); cur != float64(got.Events[1].ID) {
			t.Errorf("cursor %v, want %d", cur, got.Events[1].ID)
		}

		ids := strconv.FormatInt(id, 10)
		r = c.MustOK(`mutation { redeliverWebhookEvents(input: {subscription: `+ids+`, fromEventId: `+strconv.FormatInt(got.Events[0].ID, 10)+`}) {
			userErrors { message } webhookSubscription { cursor status } } }`, nil)
		if cur := gqltest.Get(r.Data, "redeliverWebhookEvents", "webhookSubscription", "cursor"); cur != float64(got.Events[0].ID-1) {
			t.Errorf("cursor after redelivery %v", cur)
		}
		if _, err := w.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(bodies) != 2 || string(bodies[1]) == "" {
			t.Errorf("redelivery made %d accepted calls in all, want 2", len(bodies))
		}
		mu.Unlock()

		r = c.MustOK(`mutation { updateWebhookSubscription(id: `+ids+`, input: {rotateSecret: true, actions: ["UPDATED"]}) {
			userErrors { message } secret webhookSubscription { actions } } }`, nil)
		if s, _ := gqltest.Get(r.Data, "updateWebhookSubscription", "secret").(string); s == sec || !strings.HasPrefix(s, "whsec_") {
			t.Errorf("rotated secret %q", s)
		}
		r = c.Do(`mutation { createWebhookSubscription(input: {url: "ftp://x.example"}) { userErrors { message path } } }`, nil)
		if ue := r.UserErrors("createWebhookSubscription"); len(ue) != 1 || gqltest.Get(ue[0], "path", 1) != "url" {
			t.Errorf("bad url: %v", ue)
		}
		c.MustOK(`mutation { deleteWebhookSubscription(id: `+ids+`) { userErrors { message } } }`, nil)
		r = c.MustOK(`{ webhookSubscriptions { id } webhookDeliveries { id } }`, nil)
		if len(gqltest.Get(r.Data, "webhookSubscriptions").([]any)) != 0 || len(gqltest.Get(r.Data, "webhookDeliveries").([]any)) != 0 {
			t.Errorf("after delete: %v", r.Data)
		}
		r = c.Do(`mutation { deleteWebhookSubscription(id: `+ids+`) { userErrors { message path } } }`, nil)
		if ue := r.UserErrors("deleteWebhookSubscription"); len(ue) != 1 {
			t.Errorf("deleting twice: %v", ue)
		}

		r = c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "pim", Permissions: []string{"Product:read"}})).Do(`{ webhookSubscriptions { id } }`, nil)
		if len(r.Errors) == 0 || !strings.Contains(r.Errors[0]["message"].(string), "Webhook:read") {
			t.Errorf("without Webhook:read: %v", r.Errors)
		}
	})
}

func TestStoreTokenSeesOnlyItsStoresWebhookSubscriptions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		r := c.MustOK(`mutation { createWebhookSubscription(input: {url: "https://erp.example/hooks", store: {id: 1}}) {
			userErrors { message } webhookSubscription { id store { id } } } }`, nil)
		id := gqltest.ID(r.Data, "createWebhookSubscription", "webhookSubscription", "id")
		if got := gqltest.Get(r.Data, "createWebhookSubscription", "webhookSubscription", "store", "id"); got != 1.0 {
			t.Errorf("store %v, want 1", got)
		}
		two := int64(2)
		wholesale := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "b2b", All: true, StoreID: &two}))
		r = wholesale.MustOK(`{ webhookSubscriptions { id } }`, nil)
		if n := len(gqltest.Get(r.Data, "webhookSubscriptions").([]any)); n != 0 {
			t.Errorf("a store-2 token lists %d subscriptions of store 1", n)
		}
		r = wholesale.Do(`mutation { redeliverWebhookEvents(input: {subscription: `+strconv.FormatInt(id, 10)+`}) { userErrors { message path } } }`, nil)
		if ue := r.UserErrors("redeliverWebhookEvents"); len(ue) != 1 {
			t.Errorf("a store-2 token redelivered store 1's subscription: %v", ue)
		}
		r = wholesale.MustOK(`mutation { createWebhookSubscription(input: {url: "https://b2b.example/hooks"}) { userErrors { message } webhookSubscription { store { id } } } }`, nil)
		if got := gqltest.Get(r.Data, "createWebhookSubscription", "webhookSubscription", "store", "id"); got != 2.0 {
			t.Errorf("a store-2 token's subscription is limited to store %v, want 2", got)
		}
		r = wholesale.Do(`mutation { createWebhookSubscription(input: {url: "https://b2b.example/hooks", store: {id: 1}}) { userErrors { message path } } }`, nil)
		if ue := r.UserErrors("createWebhookSubscription"); len(ue) != 1 {
			t.Errorf("a store-2 token subscribed to store 1: %v", ue)
		}
	})
}
