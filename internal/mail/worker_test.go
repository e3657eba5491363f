package mail_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/mail"
	"seam/internal/retry"
	"seam/internal/store"
)

func TestNothingIsSentForARolledBackTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dev := devServer(t, d, "")
		w := &mail.Worker{DB: d, Sender: sender(t, dev.Addr())}
		errRollback := errors.New("the gift certificate could not be issued")
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := mail.Enqueue(ctx, tx, gift("anna@example.com")); err != nil {
				return err
			}
			// PostgreSQL lets another connection look while the change is
			// open (SQLite's one writer would wait for it): nothing yet.
			if d.Engine() == db.Postgres {
				if n := deliverDue(t, w); n != 0 {
					t.Errorf("sent %d messages of an open transaction", n)
				}
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("transaction: %v", err)
		}
		if n := deliverDue(t, w); n != 0 || len(devMails(t, d)) != 0 {
			t.Fatalf("sent %d messages of a rolled-back transaction", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM mail_outbox`); n != 0 {
			t.Fatalf("%d messages of a rolled-back transaction stored", n)
		}
	})
}

func TestCommittedMessageIsDeliveredToTheDevMailbox(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dev := devServer(t, d, "")
		var logs syncBuffer
		w := &mail.Worker{DB: d, Sender: sender(t, dev.Addr()), Log: jsonLog(&logs)}
		m := gift("anna@example.com")
		storeID := int64(1)
		m.StoreID = &storeID
		id := enqueue(t, d, m)[0]
		if n := deliverDue(t, w); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		if n := deliverDue(t, w); n != 0 {
			t.Fatalf("second pass sent %d, want 0: a sent message is done", n)
		}
		got := outbox(t, d, id)
		if got.Status != store.MailSent || got.Attempts != 1 || got.SentAt == nil || got.LastError != nil ||
			got.StoreID == nil || *got.StoreID != 1 || got.Kind != "gift_certificate" {
			t.Fatalf("outbox row = %+v, want SENT after 1 attempt", got)
		}
		as := attempts(t, d, id)
		if len(as) != 1 || as[0].Error != "" {
			t.Fatalf("attempts = %+v, want one without error", as)
		}
		mails := devMails(t, d)
		if len(mails) != 1 {
			t.Fatalf("dev mailbox holds %d messages, want 1", len(mails))
		}
		if mails[0].Subject != m.Subject || mails[0].Text != m.Text || mails[0].HTML != m.HTML || mails[0].To != m.To ||
			mails[0].MessageID != got.MessageID+"@localhost" {
			t.Fatalf("dev mailbox got %+v", mails[0])
		}
		if out := logs.String(); !strings.Contains(out, `"msg":"mail sent"`) || !strings.Contains(out, `"domain":"example.com"`) ||
			strings.Contains(out, "anna@") {
			t.Errorf("log lines:\n%s", out)
		}
	})
}

func TestServerThatIsDownIsRetriedUntilItAnswers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addr := freeAddr(t)
		id := enqueue(t, d, gift("anna@example.com"))[0]
		clk := newClock()
		w := &mail.Worker{DB: d, Sender: sender(t, addr), Policy: retry.Policy{Now: clk.Now, Backoff: minutes}}
		for attempt := 1; attempt <= 2; attempt++ {
			if n := deliverDue(t, w); n != 0 {
				t.Fatalf("attempt %d sent %d with nothing listening", attempt, n)
			}
			got := outbox(t, d, id)
			if got.Status != store.MailPending || got.Attempts != attempt || !got.NextAttemptAt.Equal(clk.Now().Add(minutes(attempt))) ||
				got.LastError == nil || !strings.Contains(*got.LastError, "refused") {
				t.Fatalf("after attempt %d: %+v; want PENDING, retry in %s, connection refused", attempt, got, minutes(attempt))
			}
			// Not due a second before its backoff is over.
			clk.Add(minutes(attempt) - time.Second)
			deliverDue(t, w)
			if n := len(attempts(t, d, id)); n != attempt {
				t.Fatalf("tried again before the backoff ended: %d attempts", n)
			}
			clk.Add(time.Second)
		}
		devServer(t, d, addr) // the server comes back
		if n := deliverDue(t, w); n != 1 {
			t.Fatalf("third attempt sent %d, want 1", n)
		}
		got := outbox(t, d, id)
		if got.Status != store.MailSent || got.Attempts != 3 || got.LastError != nil {
			t.Fatalf("outbox row = %+v, want SENT after 3 attempts", got)
		}
		var errs []bool
		for _, a := range attempts(t, d, id) {
			errs = append(errs, a.Error != "")
		}
		if diff := cmp.Diff([]bool{true, true, false}, errs); diff != "" {
			t.Errorf("attempts failed (-want +got):\n%s", diff)
		}
		if n := len(devMails(t, d)); n != 1 {
			t.Fatalf("dev mailbox holds %d messages, want 1", n)
		}
	})
}

// errBusy is what a server says when it wants a message later; it echoes
// the recipient, as real servers do.
func errBusy(to string) error {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "<" + to + "> mailbox busy, try later"}
}

func TestRejectedAttemptsAreRecordedAndRetriedWithTheSameMessageID(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		const to = "anna.private@example.com"
		srv := newSMTPServer(t, "", func(n int) error {
			if n <= 2 {
				return errBusy(strings.ToUpper(to))
			}
			return nil
		}, nil)
		var logs syncBuffer
		clk := newClock()
		m := gift(to)
		id := enqueue(t, d, m)[0]
		w := &mail.Worker{DB: d, Sender: sender(t, srv.addr), Log: jsonLog(&logs), Policy: retry.Policy{Now: clk.Now, Backoff: minutes}}
		for attempt := 1; attempt <= 2; attempt++ {
			if n := deliverDue(t, w); n != 0 {
				t.Fatalf("attempt %d sent %d, want a rejection", attempt, n)
			}
			clk.Add(minutes(attempt))
		}
		if n := deliverDue(t, w); n != 1 {
			t.Fatalf("third attempt sent %d, want 1", n)
		}
		got := outbox(t, d, id)
		if got.Status != store.MailSent || got.Attempts != 3 {
			t.Fatalf("outbox row = %+v, want SENT after 3 attempts", got)
		}
		as := attempts(t, d, id)
		if len(as) != 3 {
			t.Fatalf("%d attempts recorded, want 3", len(as))
		}
		for i, a := range as[:2] {
			if !strings.Contains(a.Error, "451") || !strings.Contains(a.Error, "mailbox busy") || strings.Contains(strings.ToLower(a.Error), "anna.private") {
				t.Errorf("attempt %d error %q: want the 451 answer without the address", i+1, a.Error)
			}
		}
		rcvd := srv.received()
		if len(rcvd) != 1 || !bytes.Contains(rcvd[0], []byte("Message-ID: <"+got.MessageID+"@localhost>")) {
			t.Fatalf("server got %d messages, want 1 with Message-ID %s", len(rcvd), got.MessageID)
		}
		out := logs.String()
		if strings.Count(out, "mail attempt failed") != 2 || !strings.Contains(out, `"domain":"example.com"`) {
			t.Errorf("logs lack the two failed attempts:\n%s", out)
		}
		for _, secret := range []string{"anna.private", "ANNA.PRIVATE", "GC-7Q2M-XK4P", "presentkort"} {
			if strings.Contains(out, secret) {
				t.Errorf("logs contain %q:\n%s", secret, out)
			}
		}
	})
}

func TestMessageOlderThanTheWindowIsFailedAndNotSent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dev := devServer(t, d, "")
		id := enqueue(t, d, gift("anna@example.com"))[0]
		created := outbox(t, d, id).CreatedAt
		clk := newClock()
		clk.Add(25 * time.Hour)
		w := &mail.Worker{DB: d, Sender: sender(t, dev.Addr()), Policy: retry.Policy{Now: clk.Now}}
		if n := deliverDue(t, w); n != 0 {
			t.Fatalf("sent %d messages older than the window", n)
		}
		clk.Add(48 * time.Hour)
		deliverDue(t, w)
		if n := len(devMails(t, d)); n != 0 {
			t.Fatalf("dev mailbox got %d messages past their window", n)
		}
		got := outbox(t, d, id)
		if got.Status != store.MailFailed || got.Attempts != 0 || got.LastError == nil ||
			*got.LastError != "gave up: not sent within 24h0m0s" || !got.GiveUpAt.Equal(created.Add(24*time.Hour)) {
			t.Fatalf("outbox row = %+v, want FAILED with no attempt, giving up at created_at + 24h", got)
		}
	})
}

func TestMessageFailingThroughItsWindowIsMarkedFailed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := newSMTPServer(t, "", func(int) error {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}, nil)
		id := enqueue(t, d, gift("nobody@example.com"))[0]
		clk := newClock()
		w := &mail.Worker{DB: d, Sender: sender(t, srv.addr),
			Policy: retry.Policy{Now: clk.Now, Window: time.Hour, Backoff: func(int) time.Duration { return 40 * time.Minute }}}
		deliverDue(t, w)
		if got := outbox(t, d, id); got.Status != store.MailPending {
			t.Fatalf("after one failure inside the window: %s, want PENDING", got.Status)
		}
		// The second failure's retry would fall past the window.
		clk.Add(40 * time.Minute)
		deliverDue(t, w)
		got := outbox(t, d, id)
		if got.Status != store.MailFailed || got.Attempts != 2 || got.LastError == nil || !strings.Contains(*got.LastError, "550") || !strings.Contains(*got.LastError, "5.1.1 no such user") {
			t.Fatalf("outbox row = %+v (last error %q), want FAILED after 2 attempts with the last answer as error", got, deref(got.LastError))
		}
		clk.Add(10 * time.Hour)
		deliverDue(t, w)
		if n := srv.rcpts(); n != 2 {
			t.Fatalf("server saw %d attempts, want 2 and none after giving up", n)
		}
	})
}

func TestServerThatIsDownCostsOneAttemptPerPass(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var msgs []mail.Message
		for range 6 {
			msgs = append(msgs, gift("anna@example.com"))
		}
		ids := enqueue(t, d, msgs...)
		clk := newClock()
		w := &mail.Worker{DB: d, Sender: sender(t, freeAddr(t)), Policy: retry.Policy{Now: clk.Now, Backoff: minutes}}
		deliverDue(t, w)
		for i, id := range ids {
			got := outbox(t, d, id)
			want := 0
			if i == 0 {
				want = 1
			}
			if got.Status != store.MailPending || got.Attempts != want || !got.NextAttemptAt.Equal(clk.Now().Add(time.Minute)) {
				t.Errorf("message %d: %s, %d attempts, next %s; want PENDING, %d, %s", i, got.Status, got.Attempts, got.NextAttemptAt, want, clk.Now().Add(time.Minute))
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM mail_attempt`); n != 1 {
			t.Fatalf("%d attempts in one pass against a server that is down, want 1", n)
		}
	})
}

func TestSlowServerIsCutOffAndRetried(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		hold := make(chan struct{})
		srv := newSMTPServer(t, "", nil, hold)
		t.Cleanup(func() { close(hold) })
		id := enqueue(t, d, gift("anna@example.com"))[0]
		clk := newClock()
		w := &mail.Worker{DB: d, Sender: sender(t, srv.addr), Policy: retry.Policy{Now: clk.Now, Backoff: minutes, Timeout: 300 * time.Millisecond}}
		t0 := time.Now()
		deliverDue(t, w)
		if took := time.Since(t0); took > 5*time.Second {
			t.Errorf("a pass against a server that hangs took %s", took)
		}
		got := outbox(t, d, id)
		if got.Status != store.MailPending || got.Attempts != 1 || got.LastError == nil ||
			*got.LastError != "the SMTP server did not finish within 300ms" || !got.NextAttemptAt.Equal(clk.Now().Add(time.Minute)) {
			t.Fatalf("outbox row = %+v (last error %q), want PENDING after a timed-out attempt, retry in 1m", got, deref(got.LastError))
		}
	})
}

func TestStoppingTheWorkerMidSendRecordsTheAttemptAndRetriesAtOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		hold := make(chan struct{})
		srv := newSMTPServer(t, "", nil, hold)
		t.Cleanup(func() { close(hold) })
		id := enqueue(t, d, gift("anna@example.com"))[0]
		clk := newClock()
		w := &mail.Worker{DB: d, Sender: sender(t, srv.addr), Policy: retry.Policy{Now: clk.Now, Backoff: minutes}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			w.Run(ctx, time.Hour)
			close(done)
		}()
		<-srv.data
		cancel()
		select {
		case <-done:
		case <-dbtest.Deadline(t).Done():
			t.Fatal("Run did not return after its context ended")
		}
		got := outbox(t, d, id)
		if got.Status != store.MailPending || got.Attempts != 1 || got.LastError == nil ||
			*got.LastError != "interrupted: the worker stopped" || !got.NextAttemptAt.Equal(clk.Now()) {
			t.Fatalf("outbox row = %+v, want PENDING, due now, after an interrupted attempt", got)
		}
	})
}

func TestRunSendsUntilStopped(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dev := devServer(t, d, "")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		w := &mail.Worker{DB: d, Sender: sender(t, dev.Addr())}
		go func() {
			w.Run(ctx, 10*time.Millisecond)
			close(done)
		}()
		id := enqueue(t, d, gift("anna@example.com"))[0]
		dbtest.Eventually(t, "the message to be sent", func() bool { return outbox(t, d, id).Status == store.MailSent })
		cancel()
		select {
		case <-done:
		case <-dbtest.Deadline(t).Done():
			t.Fatal("Run did not return after its context ended")
		}
		if n := len(devMails(t, d)); n != 1 {
			t.Fatalf("dev mailbox holds %d messages, want 1", n)
		}
	})
}

// TestTwoWorkersSendEachMessageExactlyOnce runs two workers, each with its
// own connection pool as two seam serve processes would have, over the
// same outbox at once.
func TestTwoWorkersSendEachMessageExactlyOnce(t *testing.T) {
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
	const total = 100
	dev := devServer(t, d1, "")
	var msgs []mail.Message
	for range total {
		msgs = append(msgs, gift("anna@example.com"))
	}
	ids := enqueue(t, d1, msgs...)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sent []int
	)
	for _, d := range []*db.DB{d1, d2} {
		w := &mail.Worker{DB: d, Sender: sender(t, dev.Addr()), Batch: 10}
		wg.Go(func() {
			n := 0
			defer func() {
				mu.Lock()
				sent = append(sent, n)
				mu.Unlock()
			}()
			for ctx.Err() == nil {
				k, err := w.DeliverDue(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				n += k
				var pending int64
				if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_outbox WHERE status = 'PENDING'`).Scan(&pending); err != nil {
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
	t.Logf("the two workers sent %v", sent)
	if sent[0]+sent[1] != total {
		t.Errorf("workers counted %v sent, want %d in all", sent, total)
	}
	byID := map[string]int{}
	for _, m := range devMails(t, d1) {
		byID[m.MessageID]++
	}
	for _, id := range ids {
		m := outbox(t, d1, id)
		if n := byID[m.MessageID+"@localhost"]; n != 1 || m.Status != store.MailSent || m.Attempts != 1 {
			t.Errorf("message %d: received %d times, %s after %d attempts; want once, SENT, 1", id, n, m.Status, m.Attempts)
		}
	}
	if n := len(byID); n != total {
		t.Errorf("dev mailbox holds %d distinct messages, want %d", n, total)
	}
	if n := dbtest.Int(t, d1, `SELECT COUNT(*) FROM mail_attempt`); n != total {
		t.Errorf("%d attempts recorded, want %d", n, total)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestFailedMessageCanBeQueuedAgainAndIsSentWithoutItsBodyKept: a message
// the worker gave up on is not lost: retrying queues it with a new window,
// it is sent, and once SENT the outbox no longer holds its bodies (a gift
// certificate's code lives on only as a hash).
func TestFailedMessageCanBeQueuedAgainAndIsSentWithoutItsBodyKept(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dev := devServer(t, d, "")
		ids := enqueue(t, d, gift("anna@example.com"), gift("bo@example.com"))
		clk := newClock()
		clk.Add(25 * time.Hour)
		w := &mail.Worker{DB: d, Sender: sender(t, dev.Addr()), Policy: retry.Policy{Now: clk.Now}}
		deliverDue(t, w)
		if got := outbox(t, d, ids[0]); got.Status != store.MailFailed {
			t.Fatalf("status %s past the window, want FAILED", got.Status)
		}
		ctx := context.Background()
		var n int64
		err := d.Tx(ctx, func(tx *db.Tx) (err error) {
			n, err = store.RetryFailedMails(ctx, tx, &ids[0], clk.Now(), clk.Now().Add(mail.DefaultWindow))
			return err
		})
		if err != nil || n != 1 {
			t.Fatalf("RetryFailedMails(id) = %d, %v; want 1", n, err)
		}
		if sent := deliverDue(t, w); sent != 1 {
			t.Fatalf("sent %d after the retry, want 1", sent)
		}
		got := outbox(t, d, ids[0])
		if got.Status != store.MailSent || got.Text != "" || got.HTML != "" {
			t.Errorf("after sending: %s, text %q, html %q; want SENT with the bodies emptied", got.Status, got.Text, got.HTML)
		}
		mails := devMails(t, d)
		if len(mails) != 1 || !strings.Contains(mails[0].Text, "GC-7Q2M-XK4P") {
			t.Errorf("the dev mailbox got %d messages, want the retried one with its code", len(mails))
		}
		if got := outbox(t, d, ids[1]); got.Status != store.MailFailed || got.Text == "" {
			t.Errorf("the other failed message: %s, text kept %v; want FAILED with its text, ready for a retry", got.Status, got.Text != "")
		}
	})
}
