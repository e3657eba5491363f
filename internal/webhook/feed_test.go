package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/retry"
	"seam/internal/seam"
	"seam/internal/store"
	"seam/internal/webhook"
)

var erp = seam.Actor{Name: "erp"}

// subscribe creates a subscription to rc with in's other fields.
func subscribe(t *testing.T, d *db.DB, rawURL string, in webhook.SubscriptionInput) (store.WebhookSubscription, string) {
	t.Helper()
	in.URL = &rawURL
	sub, sec, err := webhook.CreateSubscription(context.Background(), d, erp, in)
	if err != nil {
		t.Fatal(err)
	}
	return sub, sec
}

// record commits n events of objectType and action, one transaction each,
// and returns their ids.
func record(t *testing.T, d *db.DB, n int, objectType, action string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i := range n {
		err := d.Tx(ctx, func(tx *db.Tx) error {
			id, err := event.Record(ctx, tx, event.Event{ObjectType: objectType, ObjectID: strconv.Itoa(1000 + i), Action: action,
				Actor: "test", Payload: map[string]any{"n": i}})
			ids = append(ids, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// feedIDs returns the feed event ids each request carried, in order,
// from the X-Seam-Events header ranges checked against JSON bodies.
func jsonEventIDs(t *testing.T, reqs []request) [][]int64 {
	t.Helper()
	var out [][]int64
	for _, r := range reqs {
		var b struct {
			Events []struct {
				ID int64 `json:"id"`
			} `json:"events"`
		}
		if err := json.Unmarshal(r.body, &b); err != nil {
			t.Fatalf("body %q: %v", r.body, err)
		}
		var ids []int64
		for _, e := range b.Events {
			ids = append(ids, e.ID)
		}
		out = append(out, ids)
	}
	return out
}

func subscription(t *testing.T, d *db.DB, id int64) store.WebhookSubscription {
	t.Helper()
	s, err := store.WebhookSubscriptionByID(context.Background(), d.Read(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func calls(t *testing.T, d *db.DB, subID int64) []store.WebhookCall {
	t.Helper()
	cs, err := store.WebhookCalls(context.Background(), d.Read(), store.WebhookCallFilter{SubscriptionIDs: []int64{subID}}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(cs)
	return cs
}

func deliverFeed(t *testing.T, w *webhook.FeedWorker) int {
	t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func jsonFlavour() *string { s := webhook.FlavourJSON; return &s }

func TestSignatureOfCentrasWorkedExampleMatchesAnIndependentHMAC(t *testing.T) {
	t.Parallel()
	const secret, ts, body = "test123", int64(12345678), "payload=%7B%22x%22%3A%22test%22%7D"
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10) + "." + body))
	independent := hex.EncodeToString(mac.Sum(nil))
	const docs = "0b9cd84f5d583e5e1aadfb9f160aa8080b51d5b85ff85808d6b75bdac356c549"
	if independent != docs {
		t.Fatalf("independent HMAC = %s, want the docs' %s", independent, docs)
	}
	if got, want := webhook.Sign(secret, time.Unix(ts, 0), []byte(body)), "t=12345678,v1="+docs; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestIntegrationAPIFlavourIsCentrasFormEncodedPayload(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rc := newReceiver(t, accept)
		sub, sec := subscribe(t, d, rc.URL+"/hooks", webhook.SubscriptionInput{})
		if !strings.HasPrefix(sec, "whsec_") || len(sec) < 40 {
			t.Fatalf("made secret %q, want a 256-bit whsec_ secret", sec)
		}
		var orderEvent, linkEvent int64
		err := d.Tx(ctx, func(tx *db.Tx) error {
			var err error
			orderEvent, err = event.Record(ctx, tx, event.Event{ObjectType: "Order", ObjectID: "9f1c0a", Action: event.Created, Actor: "checkout",
				Payload: map[string]any{"number": 14}})
			if err != nil {
				return err
			}
			linkEvent, err = event.Record(ctx, tx, event.Event{ObjectType: "PaymentLink", ObjectID: "7", Action: event.Updated, Actor: "erp"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		clk := newClock()
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now}}
		if n := deliverFeed(t, w); n != 2 {
			t.Fatalf("delivered %d events, want 2", n)
		}
		reqs := rc.requests()
		if len(reqs) != 1 {
			t.Fatalf("%d calls, want 1", len(reqs))
		}
		r := reqs[0]
		if ct := r.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %q", ct)
		}
		if !strings.HasPrefix(string(r.body), "payload=%7B%22events%22") {
			t.Errorf("body %q is not payload=<url-encoded JSON>", r.body)
		}
		verifySignature(t, sec, r.header.Get("X-Centra-Signature"), r.body)
		if want := "t=" + strconv.FormatInt(clk.Now().Unix(), 10) + ","; !strings.HasPrefix(r.header.Get("X-Centra-Signature"), want) {
			t.Errorf("signature %q not made at the worker's clock %s", r.header.Get("X-Centra-Signature"), want)
		}
		form, err := url.ParseQuery(string(r.body))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Events []map[string]any `json:"events"`
		}
		if err := json.Unmarshal([]byte(form.Get("payload")), &got); err != nil {
			t.Fatalf("payload %q: %v", form.Get("payload"), err)
		}
		for _, e := range got.Events {
			date, _ := e["date"].(string)
			if _, err := time.Parse("2006-01-02 15:04:05.000000", date); err != nil {
				t.Errorf("date %q is not Centra's 2021-01-29 14:40:58.628033 form", date)
			}
			delete(e, "date")
		}
		want := []map[string]any{
			{"type": "order", "action": "insert", "id": 14.0},
			{"type": "payment_link", "action": "update", "id": 7.0},
		}
		if diff := cmp.Diff(want, got.Events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		if h := r.header.Get("X-Seam-Events"); h != fmt.Sprintf("%d-%d", orderEvent, linkEvent) {
			t.Errorf("X-Seam-Events = %q", h)
		}
		if s := subscription(t, d, sub.ID); s.Cursor != linkEvent {
			t.Errorf("cursor = %d, want %d", s.Cursor, linkEvent)
		}
		if n := deliverFeed(t, w); n != 0 || len(rc.requests()) != 1 {
			t.Errorf("a second pass sent again: %d events", n)
		}
	})
}

func TestJSONFlavourCarriesTheFeedEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, accept)
		sub, sec := subscribe(t, d, rc.URL, webhook.SubscriptionInput{Flavour: jsonFlavour()})
		ids := record(t, d, 2, "Order", event.Updated)
		market := int64(7)
		err := d.Tx(context.Background(), func(tx *db.Tx) error {
			id, err := event.Record(context.Background(), tx, event.Event{MarketID: &market, ObjectType: "Order", ObjectID: "1002",
				Action: event.Updated, Actor: "test", Payload: map[string]any{"n": 2}})
			ids = append(ids, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: newClock().Now}}
		deliverFeed(t, w)
		reqs := rc.requests()
		if len(reqs) != 1 || reqs[0].header.Get("Content-Type") != "application/json" {
			t.Fatalf("calls %d, want 1 application/json", len(reqs))
		}
		verifySignature(t, sec, reqs[0].header.Get("X-Centra-Signature"), reqs[0].body)
		var got struct {
			Subscription int64 `json:"subscription"`
			Events       []struct {
				ID         int64          `json:"id"`
				ObjectType string         `json:"objectType"`
				ObjectID   string         `json:"objectId"`
				Action     string         `json:"action"`
				MarketID   *int64         `json:"marketId"`
				Actor      string         `json:"actor"`
				CreatedAt  time.Time      `json:"createdAt"`
				Payload    map[string]any `json:"payload"`
			} `json:"events"`
		}
		if err := json.Unmarshal(reqs[0].body, &got); err != nil {
			t.Fatal(err)
		}
		if got.Subscription != sub.ID || len(got.Events) != 3 {
			t.Fatalf("body %s", reqs[0].body)
		}
		for i, e := range got.Events {
			if e.ID != ids[i] || e.ObjectType != "Order" || e.ObjectID != strconv.Itoa(1000+i) || e.Action != "UPDATED" ||
				e.Actor != "test" || e.CreatedAt.IsZero() || e.Payload["n"] != float64(i) || (e.MarketID != nil) != (i == 2) {
				t.Errorf("event %d = %+v", i, e)
			}
			if i == 2 && *e.MarketID != market {
				t.Errorf("event %d has marketId %d, want %d", i, *e.MarketID, market)
			}
		}
	})
}

func TestBacklogGoesInCallsOfAtMost100InOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, accept)
		sub, _ := subscribe(t, d, rc.URL, webhook.SubscriptionInput{Flavour: jsonFlavour()})
		ids := record(t, d, 250, "Product", event.Updated)
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: newClock().Now}}
		for range 5 {
			deliverFeed(t, w)
		}
		batches := jsonEventIDs(t, rc.requests())
		var sizes []int
		var all []int64
		for _, b := range batches {
			sizes = append(sizes, len(b))
			all = append(all, b...)
		}
		if diff := cmp.Diff([]int{100, 100, 50}, sizes); diff != "" {
			t.Errorf("batch sizes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(ids, all); diff != "" {
			t.Errorf("events sent (-want +got):\n%s", diff)
		}
		cs := calls(t, d, sub.ID)
		if len(cs) != 3 || cs[0].FirstEventID != ids[0] || cs[0].LastEventID != ids[99] || cs[2].EventCount != 50 ||
			cs[2].Status != store.CallDelivered || *cs[2].StatusCode != 200 {
			t.Errorf("call log %+v", cs)
		}
	})
}

func TestReceiverDownForFiveAttemptsGetsEveryEventOnceInOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n <= 5 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
		sub, _ := subscribe(t, d, rc.URL, webhook.SubscriptionInput{Flavour: jsonFlavour()})
		clk := newClock()
		step := func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Backoff: step}}
		want := record(t, d, 30, "Order", event.Created)
		for attempt := 1; attempt <= 5; attempt++ {
			if n := deliverFeed(t, w); n != 0 {
				t.Fatalf("attempt %d delivered %d events to a receiver that is down", attempt, n)
			}
			// More events come while the receiver is down.
			want = append(want, record(t, d, 7, "Order", event.Updated)...)
			clk.Add(step(attempt) - time.Second)
			if n := deliverFeed(t, w); n != 0 || len(rc.requests()) != attempt {
				t.Fatalf("called again before the backoff of attempt %d ended", attempt)
			}
			clk.Add(time.Second)
		}
		for range 3 {
			deliverFeed(t, w)
		}
		reqs := rc.requests()
		var got []int64
		for _, b := range jsonEventIDs(t, reqs[5:]) {
			got = append(got, b...)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events accepted after the receiver came back (-want +got):\n%s", diff)
		}
		// The failed calls all carried the first batch, oldest first.
		for i, b := range jsonEventIDs(t, reqs[:5]) {
			if b[0] != want[0] {
				t.Errorf("failed call %d started at event %d, want %d", i+1, b[0], want[0])
			}
		}
		cs := calls(t, d, sub.ID)
		for i, c := range cs[:5] {
			if c.Status != store.CallFailed || c.StatusCode == nil || *c.StatusCode != 503 || c.Attempt != i+1 {
				t.Errorf("call %d = %+v, want FAILED 503 attempt %d", i+1, c, i+1)
			}
		}
		if c := cs[5]; c.Status != store.CallDelivered || c.Attempt != 6 {
			t.Errorf("first call after recovery = %+v", c)
		}
		s := subscription(t, d, sub.ID)
		if s.Status != store.SubscriptionActive || s.Attempts != 0 || s.RetryingSince != nil || s.Cursor != want[len(want)-1] {
			t.Errorf("subscription after recovery = %+v", s)
		}
	})
}

func TestSubscriptionFailingThroughItsWindowIsMarkedFailingAndCanBeRedelivered(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		down := true
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if down {
				w.WriteHeader(http.StatusInternalServerError)
			}
		})
		sub, _ := subscribe(t, d, rc.URL, webhook.SubscriptionInput{Flavour: jsonFlavour(), ObjectTypes: []string{"Order"}})
		want := record(t, d, 3, "Order", event.Created)
		clk := newClock()
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Backoff: retry.Backoff}}
		elapsed := time.Duration(0)
		for range 200 {
			deliverFeed(t, w)
			if subscription(t, d, sub.ID).Status == store.SubscriptionFailing {
				break
			}
			clk.Add(time.Hour)
			elapsed += time.Hour
		}
		s := subscription(t, d, sub.ID)
		if s.Status != store.SubscriptionFailing {
			t.Fatalf("status after %s of failures = %s, want FAILING", elapsed, s.Status)
		}
		if elapsed < 71*time.Hour || elapsed > 73*time.Hour {
			t.Errorf("marked FAILING after %s of retries, want about 72h", elapsed)
		}
		if s.Cursor != sub.Cursor || s.LastError == nil || !strings.Contains(*s.LastError, "500") {
			t.Errorf("failing subscription lost its place or its error: %+v", s)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'WebhookSubscription' AND actor = 'webhooks'`); n != 1 {
			t.Errorf("%d events for the subscription marked FAILING, want 1", n)
		}
		mu.Lock()
		down = false
		mu.Unlock()
		before := len(rc.requests())
		clk.Add(24 * time.Hour)
		if n := deliverFeed(t, w); n != 0 || len(rc.requests()) != before {
			t.Fatal("a FAILING subscription was called before redelivery")
		}
		if _, err := webhook.Redeliver(ctx, d, erp, sub.ID, nil); err != nil {
			t.Fatal(err)
		}
		if n := deliverFeed(t, w); n != 3 {
			t.Fatalf("redelivery delivered %d events, want 3", n)
		}
		last := jsonEventIDs(t, rc.requests()[before:])
		if diff := cmp.Diff([][]int64{want}, last); diff != "" {
			t.Errorf("redelivered (-want +got):\n%s", diff)
		}
		// From an event on: what was delivered goes again.
		if _, err := webhook.Redeliver(ctx, d, erp, sub.ID, &want[1]); err != nil {
			t.Fatal(err)
		}
		if n := deliverFeed(t, w); n != 2 {
			t.Fatalf("redelivery from event %d delivered %d events, want 2", want[1], n)
		}
		_, err := webhook.Redeliver(ctx, d, erp, sub.ID, new(int64(999999)))
		if ue, ok := seam.AsUserErrors(err); !ok || ue[0].Path.String() != "input.fromEventId" {
			t.Errorf("redeliver from a future event: %v, want an input error", err)
		}
	})
}

// TestUpdatingAFailingSubscriptionStartsItAgain: an update while a
// subscription retries makes it due now with a fresh window; once it is
// FAILING (its receiver moved), correcting its URL starts it again at once,
// from its cursor, at the new URL.
func TestUpdatingAFailingSubscriptionStartsItAgain(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		gone := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
		moved := newReceiver(t, func(int, http.ResponseWriter, *http.Request) {})
		sub, _ := subscribe(t, d, gone.URL, webhook.SubscriptionInput{Flavour: jsonFlavour()})
		want := record(t, d, 3, "Order", event.Created)
		clk := newClock()
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Window: time.Hour,
			Backoff: func(int) time.Duration { return 20 * time.Minute }}}

		deliverFeed(t, w)
		if s := subscription(t, d, sub.ID); s.Attempts != 1 || s.RetryingSince == nil || !s.NextAttemptAt.After(clk.Now()) {
			t.Fatalf("after a failed call: %+v, want retrying later", s)
		}
		up, _, err := webhook.UpdateSubscription(ctx, d, erp, sub.ID, webhook.SubscriptionInput{ObjectTypes: []string{"Order"}})
		if err != nil {
			t.Fatal(err)
		}
		s := subscription(t, d, sub.ID)
		if up.Attempts != 0 || s.Attempts != 0 || s.RetryingSince != nil || s.LastError != nil || s.NextAttemptAt.After(clk.Now()) ||
			s.Cursor != sub.Cursor {
			t.Fatalf("after an update while retrying: %+v, want due now, a fresh window, the same cursor", s)
		}
		if n := len(gone.requests()); n != 1 {
			t.Fatalf("%d calls before the next pass, want 1", n)
		}
		deliverFeed(t, w)
		if n := len(gone.requests()); n != 2 {
			t.Fatalf("%d calls after the update's pass, want 2: the update did not make it due", n)
		}

		for range 10 {
			if subscription(t, d, sub.ID).Status == store.SubscriptionFailing {
				break
			}
			clk.Add(20 * time.Minute)
			deliverFeed(t, w)
		}
		if s := subscription(t, d, sub.ID); s.Status != store.SubscriptionFailing {
			t.Fatalf("status %s after the window, want FAILING", s.Status)
		}
		u := moved.URL + "/hooks"
		up, _, err = webhook.UpdateSubscription(ctx, d, erp, sub.ID, webhook.SubscriptionInput{URL: &u})
		if err != nil {
			t.Fatal(err)
		}
		if up.Status != store.SubscriptionActive || up.URL != u {
			t.Fatalf("after correcting the URL: %+v, want ACTIVE at the new URL", up)
		}
		if n := deliverFeed(t, w); n != 3 {
			t.Fatalf("delivered %d events after the URL was corrected, want 3", n)
		}
		if diff := cmp.Diff([][]int64{want}, jsonEventIDs(t, moved.requests())); diff != "" {
			t.Errorf("the new URL got (-want +got):\n%s", diff)
		}
		if s := subscription(t, d, sub.ID); s.Status != store.SubscriptionActive || s.Cursor < want[2] || s.Attempts != 0 {
			t.Errorf("after delivery: %+v", s)
		}
	})
}

// TestUpdateDuringAFailingCallIsNotUndone: a subscription changed while
// a worker's call to it is in flight starts again; the call's failure,
// answered after the change, is not recorded over the restart.
func TestUpdateDuringAFailingCallIsNotUndone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		arrived, answer := make(chan struct{}), make(chan struct{})
		rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 2 {
				close(arrived)
				<-answer
			}
			w.WriteHeader(http.StatusInternalServerError)
		})
		sub, _ := subscribe(t, d, rc.URL, webhook.SubscriptionInput{Flavour: jsonFlavour()})
		record(t, d, 1, "Order", event.Created)
		clk := newClock()
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Backoff: func(int) time.Duration { return time.Minute }}}
		deliverFeed(t, w)
		clk.Add(time.Minute)
		done := make(chan error, 1)
		go func() {
			_, err := w.DeliverDue(ctx)
			done <- err
		}()
		<-arrived
		u := rc.URL + "/fixed"
		if _, _, err := webhook.UpdateSubscription(ctx, d, erp, sub.ID, webhook.SubscriptionInput{URL: &u}); err != nil {
			t.Fatal(err)
		}
		close(answer)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		s := subscription(t, d, sub.ID)
		if s.Status != store.SubscriptionActive || s.Attempts != 0 || s.RetryingSince != nil || s.LastError != nil || s.NextAttemptAt.After(clk.Now()) {
			t.Errorf("after a call that failed across an update: %+v, want the update's fresh start", s)
		}
	})
}

// TestDeliveryLogIsPrunedAfterItsRetention: the feed worker deletes calls
// older than its retention, once an hour by its clock, in batches until
// none is left.
func TestDeliveryLogIsPrunedAfterItsRetention(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, func(int, http.ResponseWriter, *http.Request) {})
		sub, _ := subscribe(t, d, rc.URL, webhook.SubscriptionInput{Flavour: jsonFlavour()})
		clk := newClock()
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now}, Retention: 24 * time.Hour}
		logged := func() int64 {
			return dbtest.Int(t, d, `SELECT COUNT(*) FROM webhook_call WHERE subscription_id = $1`, sub.ID)
		}
		// old adds n calls made in 2020.
		old := func(n int) {
			dbtest.Exec(t, d, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < `+strconv.Itoa(n)+`)
				INSERT INTO webhook_call (subscription_id, first_event_id, last_event_id, event_count, status, duration_ms, attempt, attempted_at)
				SELECT `+strconv.FormatInt(sub.ID, 10)+`, 1, 1, 1, 'DELIVERED', 1, 1, '2020-01-01 00:00:00+00:00' FROM n`)
		}
		old(12_000)
		record(t, d, 1, "Order", event.Created)
		if n := deliverFeed(t, w); n != 1 {
			t.Fatalf("delivered %d, want 1", n)
		}
		if n := logged(); n != 1 {
			t.Fatalf("%d calls logged after the first pass, want the new one: 12,000 old calls were not all pruned", n)
		}
		// Within the hour the worker does not prune again.
		old(3)
		clk.Add(59 * time.Minute)
		record(t, d, 1, "Order", event.Created)
		deliverFeed(t, w)
		if n := logged(); n != 5 {
			t.Fatalf("%d calls logged within the hour, want 5 (2 new, 3 old kept until the next prune)", n)
		}
		// An hour on, calls older than a day go; the day's stay.
		clk.Add(2 * time.Minute)
		deliverFeed(t, w)
		if n := logged(); n != 2 {
			t.Fatalf("%d calls logged after the next prune, want the 2 of the last day", n)
		}
		clk.Add(25 * time.Hour)
		deliverFeed(t, w)
		if n := logged(); n != 0 {
			t.Fatalf("%d calls logged 25 h later, want 0", n)
		}
	})
}

func TestFilterPassesOnlyItsObjectTypesAndActions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, accept)
		sub, _ := subscribe(t, d, rc.URL, webhook.SubscriptionInput{Flavour: jsonFlavour(), ObjectTypes: []string{"Order", "Order"},
			Actions: []string{"CREATED", "COMPLETED"}})
		if diff := cmp.Diff([]string{"Order"}, sub.ObjectTypes); diff != "" {
			t.Errorf("object types not deduped: %s", diff)
		}
		var want []int64
		want = append(want, record(t, d, 2, "Order", event.Created)...)
		record(t, d, 2, "Order", event.Updated)
		record(t, d, 2, "Product", event.Created)
		want = append(want, record(t, d, 1, "Order", event.Completed)...)
		last := record(t, d, 3, "PaymentLink", event.Updated)
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: newClock().Now}}
		deliverFeed(t, w)
		got := jsonEventIDs(t, rc.requests())
		if diff := cmp.Diff([][]int64{want}, got); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
		if s := subscription(t, d, sub.ID); s.Cursor != last[2] {
			t.Errorf("cursor %d: filtered-out events after the batch not passed over (want %d)", s.Cursor, last[2])
		}
		for _, tt := range []struct {
			in    webhook.SubscriptionInput
			field string
		}{
			{webhook.SubscriptionInput{ObjectTypes: []string{"order"}}, "input.objectTypes.0"},
			{webhook.SubscriptionInput{Actions: []string{"CREATED", "made"}}, "input.actions.1"},
			{webhook.SubscriptionInput{Flavour: new("XML")}, "input.flavour"},
			{webhook.SubscriptionInput{Secret: new("")}, "input.secret"},
		} {
			u := rc.URL
			tt.in.URL = &u
			_, _, err := webhook.CreateSubscription(context.Background(), d, erp, tt.in)
			if ue, ok := seam.AsUserErrors(err); !ok || ue[0].Path.String() != tt.field {
				t.Errorf("%+v: %v, want an input error on %s", tt.in, err, tt.field)
			}
		}
		for _, bad := range []string{"/hooks", "ftp://x.example/", "https://user:pw@x.example/"} {
			_, _, err := webhook.CreateSubscription(context.Background(), d, erp, webhook.SubscriptionInput{URL: &bad})
			if ue, ok := seam.AsUserErrors(err); !ok || ue[0].Path.String() != "input.url" {
				t.Errorf("url %q: %v, want an input error on input.url", bad, err)
			}
		}
	})
}

func TestCallTimesOutAfterTheConfiguredTimeout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, hang)
		sub, _ := subscribe(t, d, rc.URL, webhook.SubscriptionInput{})
		record(t, d, 1, "Order", event.Created)
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: newClock().Now, Timeout: 50 * time.Millisecond}}
		deliverFeed(t, w)
		cs := calls(t, d, sub.ID)
		if len(cs) != 1 || cs[0].StatusCode != nil || cs[0].Error != "no answer within 50ms" || cs[0].Status != store.CallFailed {
			t.Fatalf("call log %+v, want one FAILED call with no answer within 50ms", cs)
		}
		if s := subscription(t, d, sub.ID); s.Attempts != 1 || s.RetryingSince == nil {
			t.Errorf("subscription after a timeout = %+v", s)
		}
	})
}

// TestTwoFeedWorkersDeliverEachEventOnce runs two workers, each with its
// own connection pool on PostgreSQL as two seam serve processes would
// have, over the same subscriptions while events keep coming.
func TestTwoFeedWorkersDeliverEachEventOnce(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		d := dbtest.SQLite(t)
		twoFeedWorkers(t, d, d)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		u := dbtest.PostgresURL(t)
		var pools []*db.DB
		for range 2 {
			d, err := db.Open(context.Background(), u, "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			pools = append(pools, d)
		}
		twoFeedWorkers(t, pools[0], pools[1])
	})
}

func twoFeedWorkers(t *testing.T, d1, d2 *db.DB) {
	const subs, rounds, perRound = 4, 20, 15
	var (
		mu       sync.Mutex
		got      = map[string][]int64{}
		inFlight = map[string]bool{}
		overlaps int
		refused  = map[string]bool{}
	)
	var rc *receiver
	rc = newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		sub := r.Header.Get("X-Seam-Subscription")
		evs := r.Header.Get("X-Seam-Events")
		mu.Lock()
		if inFlight[sub] {
			overlaps++
		}
		inFlight[sub] = true
		// Every subscription's second call is refused once, to send it
		// round again.
		refuse := len(got[sub]) > 0 && !refused[sub]
		if refuse {
			refused[sub] = true
		}
		mu.Unlock()
		time.Sleep(time.Millisecond)
		var b struct {
			Events []struct {
				ID int64 `json:"id"`
			} `json:"events"`
		}
		mu.Lock()
		defer mu.Unlock()
		inFlight[sub] = false
		if refuse {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if err := json.Unmarshal(rc.requests()[n-1].body, &b); err != nil {
			t.Errorf("call %s: %v", evs, err)
		}
		for _, e := range b.Events {
			got[sub] = append(got[sub], e.ID)
		}
	})
	var ids []int64
	for i := range subs {
		sub, _ := subscribe(t, d1, rc.URL+"/"+strconv.Itoa(i), webhook.SubscriptionInput{Flavour: jsonFlavour(), ObjectTypes: []string{"Order"}})
		ids = append(ids, sub.ID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var want []int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for range rounds {
			want = append(want, record(t, d1, perRound, "Order", event.Created)...)
		}
	})
	fast := func(int) time.Duration { return time.Millisecond }
	done := make(chan struct{})
	for _, d := range []*db.DB{d1, d2} {
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true, EventsPerCall: 10, Policy: retry.Policy{Backoff: fast}}
		wg.Go(func() {
			for ctx.Err() == nil {
				n, err := w.DeliverDue(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					time.Sleep(2 * time.Millisecond)
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	// Wait for the writer, then for every subscription to catch up.
	for ctx.Err() == nil {
		mu.Lock()
		n := 0
		for _, id := range ids {
			n += len(got[strconv.FormatInt(id, 10)])
		}
		mu.Unlock()
		if n >= subs*rounds*perRound {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(done)
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("workers did not deliver everything within a minute")
	}
	mu.Lock()
	defer mu.Unlock()
	if overlaps != 0 {
		t.Errorf("%d times a subscription was called while another call to it was in flight", overlaps)
	}
	for _, id := range ids {
		if diff := cmp.Diff(want, got[strconv.FormatInt(id, 10)]); diff != "" {
			t.Errorf("subscription %d accepted (-want +got):\n%s", id, diff)
		}
	}
}
