package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/retry"
	"seam/internal/store"
	"seam/internal/webhook"
)

// minutes is a deterministic backoff for tests: n minutes after the n-th
// failure.
func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

func TestReceiverThatRecoversGetsTheMessageOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
			switch n {
			case 1:
				http.Error(w, "database on fire", http.StatusInternalServerError)
			case 2:
				hang(n, w, r)
			case 3:
				resetConnection(w)
			}
		})
		const secret = "whsec_7f3a"
		body := []byte(`{"type":"after_sale","order":"9f1c","total":"438.00 SEK","city":"Malmö ☃"}`)
		ids := enqueue(t, d, webhook.Message{Kind: "after_sale", URL: rc.URL + "/hook?shop=retail", Secret: secret,
			ContentType: "application/json; charset=utf-8", Body: body})
		id := ids[0]
		clk := newClock()
		w := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Timeout: 300 * time.Millisecond, Backoff: minutes}}

		for attempt := 1; attempt <= 3; attempt++ {
			if n := deliverDue(t, w); n != 0 {
				t.Fatalf("attempt %d: delivered %d, want a failed attempt", attempt, n)
			}
			got := delivery(t, d, id)
			if got.Status != store.WebhookPending || got.Attempts != attempt || !got.NextAttemptAt.Equal(clk.Now().Add(minutes(attempt))) {
				t.Fatalf("after attempt %d: %s, %d attempts, next at %s; want PENDING, %d, %s",
					attempt, got.Status, got.Attempts, got.NextAttemptAt, attempt, clk.Now().Add(minutes(attempt)))
			}
			// Not due a second before its backoff is over.
			clk.Add(minutes(attempt) - time.Second)
			if n := deliverDue(t, w); n != 0 || len(rc.requests()) != attempt {
				t.Fatalf("sent again %s before the backoff ended", time.Second)
			}
			clk.Add(time.Second)
		}
		if n := deliverDue(t, w); n != 1 {
			t.Fatalf("fourth attempt delivered %d, want 1", n)
		}
		// Delivered means done: nothing more, however late.
		clk.Add(48 * time.Hour)
		if n := deliverDue(t, w); n != 0 {
			t.Fatalf("a delivered message was delivered again")
		}

		reqs := rc.requests()
		if len(reqs) != 4 {
			t.Fatalf("receiver got %d requests, want 4", len(reqs))
		}
		for i, r := range reqs {
			if !bytes.Equal(r.body, body) {
				t.Errorf("request %d body %q, want %q", i+1, r.body, body)
			}
			verifySignature(t, secret, r.header.Get("X-Centra-Signature"), r.body)
			for k, want := range map[string]string{
				"Content-Type":    "application/json; charset=utf-8",
				"User-Agent":      "Seam-Webhooks",
				"X-Seam-Delivery": strconv.FormatInt(id, 10),
			} {
				if got := r.header.Get(k); got != want {
					t.Errorf("request %d %s = %q, want %q", i+1, k, got, want)
				}
			}
		}
		got := delivery(t, d, id)
		if got.Status != store.WebhookDelivered || got.Attempts != 4 || got.DeliveredAt == nil || got.LastError != nil {
			t.Fatalf("delivery = %+v, want DELIVERED after 4 attempts with no error", got)
		}
		attempts, err := store.WebhookAttempts(ctx, d.Read(), id)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			Code  int
			Error string
		}
		var rows []row
		for _, a := range attempts {
			r := row{Error: a.Error}
			if a.StatusCode != nil {
				r.Code = *a.StatusCode
			}
			rows = append(rows, r)
		}
		// The reset shows as "EOF" or "connection reset by peer" depending
		// on timing; any error without a status code is that attempt.
		if len(rows) == 4 && rows[2].Code == 0 && rows[2].Error != "" {
			rows[2].Error = "(network error)"
		}
		want := []row{
			{500, "HTTP 500: database on fire"},
			{0, "no answer within 300ms"},
			{0, "(network error)"},
			{200, ""},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Fatalf("attempts (-want +got):\n%s", diff)
		}
	})
}

func TestNothingIsSentForARolledBackTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rc := newReceiver(t, accept)
		w := &webhook.Worker{DB: d, AllowPrivate: true}
		errRollback := errors.New("the change failed")
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if err := webhook.Enqueue(ctx, tx, message(rc.URL)); err != nil {
				return err
			}
			// PostgreSQL lets another connection look while the change is
			// open (SQLite's one writer would wait for it): nothing yet.
			if d.Engine() == db.Postgres {
				if n := deliverDue(t, w); n != 0 {
					t.Errorf("delivered %d messages of an open transaction", n)
				}
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("transaction: %v", err)
		}
		if n := deliverDue(t, w); n != 0 || len(rc.requests()) != 0 {
			t.Fatalf("delivered %d messages (receiver got %d) of a rolled-back transaction", n, len(rc.requests()))
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM webhook_delivery`); n != 0 {
			t.Fatalf("%d messages of a rolled-back transaction stored", n)
		}
		// The same message committed is sent.
		enqueue(t, d, message(rc.URL))
		if n := deliverDue(t, w); n != 1 {
			t.Fatalf("committed message: delivered %d, want 1", n)
		}
	})
}

func TestMessageOlderThanTheWindowIsFailedAndNotSent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, accept)
		id := enqueue(t, d, message(rc.URL))[0]
		created := delivery(t, d, id).CreatedAt
		clk := newClock()
		clk.Add(25 * time.Hour)
		w := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Window: 24 * time.Hour}}
		if n := deliverDue(t, w); n != 0 {
			t.Fatalf("delivered %d messages older than the window", n)
		}
		clk.Add(48 * time.Hour)
		deliverDue(t, w)
		if n := len(rc.requests()); n != 0 {
			t.Fatalf("receiver got %d requests for a message past its window", n)
		}
		got := delivery(t, d, id)
		if got.Status != store.WebhookFailed || got.Attempts != 0 || got.LastError == nil ||
			!strings.HasPrefix(*got.LastError, "gave up") || !got.GiveUpAt.Equal(created.Add(24*time.Hour)) {
			t.Fatalf("delivery = %+v, want FAILED with no attempt, giving up at created_at + 24h", got)
		}
	})
}

func TestMessageFailingThroughItsWindowIsMarkedFailed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "no", http.StatusServiceUnavailable)
		})
		id := enqueue(t, d, message(rc.URL))[0]
		clk := newClock()
		w := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Window: time.Hour, Backoff: func(int) time.Duration { return 40 * time.Minute }}}
		deliverDue(t, w)
		if got := delivery(t, d, id); got.Status != store.WebhookPending {
			t.Fatalf("after one failure inside the window: %s, want PENDING", got.Status)
		}
		// The second failure's retry would fall past the window.
		clk.Add(40 * time.Minute)
		deliverDue(t, w)
		got := delivery(t, d, id)
		if got.Status != store.WebhookFailed || got.Attempts != 2 || got.LastError == nil || *got.LastError != "HTTP 503: no" {
			t.Fatalf("delivery = %+v, want FAILED after 2 attempts with the last answer as error", got)
		}
		clk.Add(10 * time.Hour)
		deliverDue(t, w)
		if n := len(rc.requests()); n != 2 {
			t.Fatalf("receiver got %d requests, want 2 and none after giving up", n)
		}
	})
}

func TestMessageInFlightIsNotClaimedByAnotherWorker(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		started, release := make(chan struct{}), make(chan struct{})
		rc := newReceiver(t, func(n int, _ http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				close(started)
				<-release
			}
		})
		id := enqueue(t, d, message(rc.URL))[0]
		clk := newClock()
		a := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now}}
		b := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now}}
		done := make(chan int)
		go func() {
			n, err := a.DeliverDue(ctx)
			if err != nil {
				t.Error(err)
			}
			done <- n
		}()
		<-started
		// Half a minute into the first worker's POST the message is still
		// its own.
		clk.Add(30 * time.Second)
		if n := deliverDue(t, b); n != 0 || len(rc.requests()) != 1 {
			t.Errorf("second worker delivered %d; receiver got %d requests, want 1", n, len(rc.requests()))
		}
		close(release)
		if n := <-done; n != 1 {
			t.Fatalf("first worker delivered %d, want 1", n)
		}
		if got := delivery(t, d, id); got.Status != store.WebhookDelivered || got.Attempts != 1 {
			t.Fatalf("delivery = %s after %d attempts, want DELIVERED after 1", got.Status, got.Attempts)
		}
	})
}

func TestWorkerWhoseLeaseRanOutDoesNotOverwriteTheNextClaim(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		started, release := make(chan struct{}), make(chan struct{})
		rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				close(started)
				<-release
				http.Error(w, "late", http.StatusInternalServerError)
			}
		})
		id := enqueue(t, d, message(rc.URL))[0]
		clk := newClock()
		a := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Backoff: minutes}}
		b := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: clk.Now, Backoff: minutes}}
		done := make(chan int)
		go func() {
			n, err := a.DeliverDue(ctx)
			if err != nil {
				t.Error(err)
			}
			done <- n
		}()
		<-started
		// The first worker's lease (a minute) runs out: the message is
		// anyone's again, and the second worker delivers it.
		clk.Add(2 * time.Minute)
		if n := deliverDue(t, b); n != 1 {
			t.Fatalf("second worker delivered %d after the lease ran out, want 1", n)
		}
		close(release)
		if n := <-done; n != 0 {
			t.Fatalf("first worker counted %d deliveries, want 0", n)
		}
		// The first worker's late 500 is kept as an attempt but does not
		// undo the delivery.
		got := delivery(t, d, id)
		if got.Status != store.WebhookDelivered || got.Attempts != 1 {
			t.Fatalf("delivery = %s after %d attempts, want DELIVERED after 1", got.Status, got.Attempts)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM webhook_attempt WHERE delivery_id = $1`, id); n != 2 {
			t.Fatalf("%d attempts recorded, want both POSTs", n)
		}
	})
}

func TestReceiverThatIsDownDoesNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		down := newReceiver(t, hang)
		up := newReceiver(t, accept)
		var msgs []webhook.Message
		for range 10 {
			msgs = append(msgs, message(down.URL))
		}
		for range 3 {
			msgs = append(msgs, message(up.URL))
		}
		ids := enqueue(t, d, msgs...)
		clk := newClock()
		w := &webhook.Worker{DB: d, AllowPrivate: true, Batch: 5, Policy: retry.Policy{Now: clk.Now, Timeout: 200 * time.Millisecond, Backoff: minutes}}

		// The first pass claims five of the down receiver's messages (the
		// oldest), tries one, and moves all its due messages a backoff step
		// on; the second pass therefore reaches the other receiver.
		deliverDue(t, w)
		if n := deliverDue(t, w); n != 3 {
			t.Fatalf("second pass delivered %d, want the 3 messages of the receiver that is up", n)
		}
		if diff := cmp.Diff(ids[10:], deliveryIDs(up.requests())); diff != "" {
			t.Errorf("up receiver's messages out of order (-want +got):\n%s", diff)
		}
		if n := len(down.requests()); n != 1 {
			t.Fatalf("down receiver got %d requests in one pass, want 1", n)
		}
		for i, id := range ids[:10] {
			got := delivery(t, d, id)
			wantAttempts := 0
			if i == 0 {
				wantAttempts = 1
			}
			if got.Status != store.WebhookPending || got.Attempts != wantAttempts || !got.NextAttemptAt.Equal(clk.Now().Add(time.Minute)) {
				t.Errorf("down message %d: %s, %d attempts, next %s; want PENDING, %d, %s",
					i, got.Status, got.Attempts, got.NextAttemptAt, wantAttempts, clk.Now().Add(time.Minute))
			}
		}
		// A minute on, the oldest goes first again, and alone.
		clk.Add(time.Minute)
		deliverDue(t, w)
		if diff := cmp.Diff([]int64{ids[0], ids[0]}, deliveryIDs(down.requests())); diff != "" {
			t.Errorf("down receiver's requests (-want +got):\n%s", diff)
		}
	})
}

func TestRejectedMessageDoesNotHoldUpTheNextToTheSameReceiver(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				http.Error(w, `{"error":"unknown order"}`, http.StatusUnprocessableEntity)
			}
		})
		ids := enqueue(t, d, message(rc.URL), message(rc.URL), message(rc.URL))
		w := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: newClock().Now, Backoff: minutes}}
		if n := deliverDue(t, w); n != 2 {
			t.Fatalf("delivered %d, want the 2 messages after the rejected one", n)
		}
		if diff := cmp.Diff(ids, deliveryIDs(rc.requests())); diff != "" {
			t.Errorf("requests out of order (-want +got):\n%s", diff)
		}
		got := delivery(t, d, ids[0])
		if got.Status != store.WebhookPending || got.LastError == nil || *got.LastError != `HTTP 422: {"error":"unknown order"}` {
			t.Fatalf("rejected message = %+v, want PENDING with the answer as error", got)
		}
	})
}

func TestHugeAnswerDoesNotHoldTheWorker(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				http.NewResponseController(w).Flush()
			}
		})
		id := enqueue(t, d, message(rc.URL))[0]
		w := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: newClock().Now, Backoff: minutes, Timeout: 2 * time.Second}}
		deliverDue(t, w)
		got := delivery(t, d, id)
		if got.LastError == nil || !strings.HasPrefix(*got.LastError, "HTTP 502: xxx") || len(*got.LastError) > 1024 {
			t.Fatalf("last error = %v, want a short excerpt of the 502 answer", got.LastError)
		}
	})
}

func TestLogsCarryNoBodyOrSecret(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			body := make([]byte, 100)
			n, _ := r.Body.Read(body)
			http.Error(w, "could not parse "+string(body[:n]), http.StatusInternalServerError)
		})
		var logs syncBuffer
		m := webhook.Message{Kind: "after_sale", URL: rc.URL + "/hooks/tok_PATHSECRET?key=QUERYSECRET", Secret: "whsec_SIGNSECRET",
			Body: []byte(`{"email":"BODYSECRET@example.com"}`)}
		enqueue(t, d, m)
		clk := newClock()
		w := &webhook.Worker{DB: d, AllowPrivate: true, Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Policy: retry.Policy{Now: clk.Now, Backoff: minutes, Window: 2 * time.Minute}}
		deliverDue(t, w)
		clk.Add(5 * time.Minute)
		deliverDue(t, w)
		out := logs.String()
		if !strings.Contains(out, "webhook attempt failed") || !strings.Contains(out, "given up") {
			t.Fatalf("logs lack the failure and the giving up:\n%s", out)
		}
		for _, s := range []string{"PATHSECRET", "QUERYSECRET", "SIGNSECRET", "BODYSECRET"} {
			if strings.Contains(out, s) {
				t.Errorf("logs contain %s:\n%s", s, out)
			}
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the worker's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunDeliversUntilStopped(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rc := newReceiver(t, accept)
		enqueue(t, d, message(rc.URL))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		w := &webhook.Worker{DB: d, AllowPrivate: true}
		go func() {
			w.Run(ctx, 10*time.Millisecond)
			close(done)
		}()
		dbtest.Eventually(t, "the receiver to get a request", func() bool { return len(rc.requests()) > 0 })
		cancel()
		select {
		case <-done:
		case <-dbtest.Deadline(t).Done():
			t.Fatal("Run did not return after its context ended")
		}
		if n := len(rc.requests()); n != 1 {
			t.Fatalf("receiver got %d requests, want 1", n)
		}
	})
}

// TestTwoWorkersDeliverEachMessageExactlyOnce runs two workers, each with
// its own connection pool as two seam serve processes would have, over the
// same outbox at once.
func TestTwoWorkersDeliverEachMessageExactlyOnce(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		d := dbtest.SQLite(t)
		twoWorkers(t, d, d)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := dbtest.PostgresURL(t)
		var pools []*db.DB
		for range 2 {
			d, err := db.Open(context.Background(), url, "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			pools = append(pools, d)
		}
		twoWorkers(t, pools[0], pools[1])
	})
}

func twoWorkers(t *testing.T, d1, d2 *db.DB) {
	const total = 200
	var (
		mu        sync.Mutex
		accepted  = map[string]int{}
		inFlight  = map[string]bool{}
		refused   = map[string]bool{}
		overlaps  int
		countByID = map[string]int{}
	)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Seam-Delivery")
		mu.Lock()
		if inFlight[id] {
			overlaps++
		}
		inFlight[id] = true
		countByID[id]++
		// Every tenth message is refused once, to send it round again.
		refuse := strings.HasSuffix(id, "0") && !refused[id]
		if refuse {
			refused[id] = true
		}
		mu.Unlock()
		time.Sleep(time.Duration(rand.N(2000)) * time.Microsecond)
		mu.Lock()
		inFlight[id] = false
		if !refuse {
			accepted[id]++
		}
		mu.Unlock()
		if refuse {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	var msgs []webhook.Message
	for i := range total {
		msgs = append(msgs, message(rc.URL+"/shop/"+strconv.Itoa(i%4)))
	}
	ids := enqueue(t, d1, msgs...)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fast := func(int) time.Duration { return time.Millisecond }
	var wg sync.WaitGroup
	for _, d := range []*db.DB{d1, d2} {
		w := &webhook.Worker{DB: d, AllowPrivate: true, Batch: 10, Policy: retry.Policy{Backoff: fast}}
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := w.DeliverDue(ctx); err != nil {
					t.Error(err)
					return
				}
				var pending int64
				if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_delivery WHERE status = 'PENDING'`).Scan(&pending); err != nil {
					t.Error(err)
					return
				}
				if pending == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("workers did not finish within a minute")
	}
	mu.Lock()
	defer mu.Unlock()
	if overlaps != 0 {
		t.Errorf("%d times a message was POSTed while another POST of it was in flight", overlaps)
	}
	for _, id := range ids {
		key := strconv.FormatInt(id, 10)
		wantRequests := 1
		if refused[key] {
			wantRequests = 2
		}
		if accepted[key] != 1 || countByID[key] != wantRequests {
			t.Errorf("message %d accepted %d times in %d requests, want once in %d", id, accepted[key], countByID[key], wantRequests)
		}
	}
	if n := dbtest.Int(t, d1, `SELECT COUNT(*) FROM webhook_delivery WHERE status = 'DELIVERED'`); n != total {
		t.Errorf("%d messages DELIVERED, want %d", n, total)
	}
	if n, want := dbtest.Int(t, d1, `SELECT COUNT(*) FROM webhook_attempt`), int64(total+len(refused)); n != want {
		t.Errorf("%d attempts recorded, want %d", n, want)
	}
}
