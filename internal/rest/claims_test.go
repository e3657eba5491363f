package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/store"
)

// The HTTP race proofs run whole checkouts, and a checkout takes other
// locks on its way (the order-number counter, the selection) that may
// serialise the claims by accident. The tests here race each claim's one
// conditional statement on its own, with the CHECK constraints that back
// it switched off, so that the statement alone must hold and a broken one
// is reported as what it is: a claim won too often.
//
// On SQLite every write transaction waits for the one writer, so claims
// never overlap there and its half checks only the condition itself (a
// second claim is refused). The atomicity of the statement is proved by
// the PostgreSQL half, which CI requires.

// claimers is how many transactions race one claim; it stays under the
// PostgreSQL pool's size, since each holds a connection at the barrier.
const claimers = 8

// raceClaim runs claim in claimers transactions at once and returns how
// many won. On PostgreSQL every transaction has begun and read before any
// claims (a barrier), so a claim written as a read and then a write
// reads the same value in all of them.
func raceClaim(t *testing.T, d *db.DB, claim func(ctx context.Context, tx *db.Tx, i int) (bool, error)) int {
	t.Helper()
	ctx := context.Background()
	overlap := d.Engine() == db.Postgres
	var ready sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	won := 0
	var wg sync.WaitGroup
	for i := range claimers {
		ready.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var once sync.Once
			arrive := func() { once.Do(ready.Done) }
			if !overlap {
				arrive()
				<-start
			}
			var ok bool
			err := d.Tx(ctx, func(tx *db.Tx) error {
				if overlap {
					var one int
					if err := tx.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
						return err
					}
					arrive()
					<-start
				}
				var err error
				ok, err = claim(ctx, tx, i)
				return err
			})
			arrive()
			if err != nil {
				t.Errorf("claim %d answered an error instead of winning or losing: %v", i, err)
				return
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	ready.Wait()
	close(start)
	wg.Wait()
	return won
}

// withoutChecks switches off the CHECK constraints of table, so that only
// the conditional statements guard it: dropped on PostgreSQL, ignored by
// SQLite's one write connection.
func withoutChecks(t *testing.T, d *db.DB, table string) {
	t.Helper()
	if d.Engine() == db.SQLite {
		dbtest.Exec(t, d, `PRAGMA ignore_check_constraints = ON`)
		return
	}
	rows, err := d.Read().QueryContext(context.Background(), `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'`, table)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, fmt.Sprintf(`ALTER TABLE %s DROP CONSTRAINT %q`, table, name))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(stmts) == 0 {
		t.Fatalf("table %s has no CHECK constraint to switch off", table)
	}
	dbtest.Exec(t, d, stmts...)
}

// TestVoucherUseHoldsOnItsOwn: 8 transactions at once count a use of a
// voucher with 3 uses, without the checkout's other locks and without the
// CHECK on usages: exactly 3 count.
func TestVoucherUseHoldsOnItsOwn(t *testing.T) {
	t.Parallel()
	const uses = 3
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		dbtest.Load(t, d, demoShop)
		id := makeVoucher(t, d, "THREE", nil)
		dbtest.Exec(t, d, fmt.Sprintf(`UPDATE voucher SET max_usages = %d WHERE id = %d`, uses, id))
		withoutChecks(t, d, "voucher")
		won := raceClaim(t, d, func(ctx context.Context, tx *db.Tx, _ int) (bool, error) { return store.UseVoucher(ctx, tx, id) })
		if won != uses {
			t.Errorf("%d of %d concurrent uses were counted for a voucher with %d uses", won, claimers, uses)
		}
		if n := dbtest.Int(t, d, `SELECT usages FROM voucher WHERE id = `+itoa(id)); n != uses {
			t.Errorf("usages %d, want %d", n, uses)
		}
	})
}

// TestCreditDebitHoldsOnItsOwn: 8 transactions at once take 3.00 off a
// credit balance of 10.00, without the checkout's other locks and without
// the CHECK on the balance: exactly 3 debits go through and 1.00 is left.
func TestCreditDebitHoldsOnItsOwn(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		dbtest.Load(t, d, demoShop)
		id := makeVoucher(t, d, "CREDIT", nil)
		dbtest.Exec(t, d, `UPDATE voucher SET credit_currency = 'EUR', credit_minor = 1000, balance_minor = 1000 WHERE id = `+itoa(id))
		withoutChecks(t, d, "voucher")
		won := raceClaim(t, d, func(ctx context.Context, tx *db.Tx, _ int) (bool, error) {
			ok, _, err := store.DebitCredit(ctx, tx, id, 300)
			return ok, err
		})
		if won != 3 {
			t.Errorf("%d of %d concurrent debits of 3.00 went through on a balance of 10.00, want 3", won, claimers)
		}
		if n := dbtest.Int(t, d, `SELECT balance_minor FROM voucher WHERE id = `+itoa(id)); n != 100 {
			t.Errorf("balance %d, want 100", n)
		}
	})
}

// linkAndOrder makes an operator's selection with a payment link and a
// shopper's order (any order: the claims below only name it).
func linkAndOrder(t *testing.T, d *db.DB) (linkID int64, selection string, orderID int64) {
	t.Helper()
	a := startAPI(t, d)
	op := newOperator(t, d)
	l := op.link(op.selection(1, 0), "lockQuantities: true")
	b := a.browser(t)
	b.must(http.StatusOK, "POST", "/items/"+tee, nil)
	hash := b.must(http.StatusOK, "POST", "/payment", pay(shopper)).str("order", "id")
	orderID = dbtest.Int(t, d, `SELECT id FROM orders WHERE hash = $1`, hash)
	linkID = dbtest.Int(t, d, `SELECT id FROM payment_link WHERE selection_id = $1`, l.selection)
	return linkID, l.selection, orderID
}

// TestPaymentLinkIsUsedOnceOnItsOwn: the one-time link's own guard (used
// only while unused) lets one of 8 concurrent uses through, without the
// guard on its selection that also stops a second sale.
func TestPaymentLinkIsUsedOnceOnItsOwn(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		link, _, order := linkAndOrder(t, d)
		now := time.Now()
		won := raceClaim(t, d, func(ctx context.Context, tx *db.Tx, _ int) (bool, error) {
			return store.UsePaymentLink(ctx, tx, link, order, now)
		})
		if won != 1 {
			t.Errorf("a one-time payment link was used %d times by %d concurrent buyers, want once", won, claimers)
		}
	})
}

// TestLinkedSelectionIsSoldOnceOnItsOwn: the guard on a payment link's
// selection (sold only while not removed) lets one of 8 concurrent sales
// through, as it must when two different links of it sell at once.
func TestLinkedSelectionIsSoldOnceOnItsOwn(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		_, selection, _ := linkAndOrder(t, d)
		now := time.Now()
		won := raceClaim(t, d, func(ctx context.Context, tx *db.Tx, _ int) (bool, error) {
			return store.DeleteSelection(ctx, tx, selection, now)
		})
		if won != 1 {
			t.Errorf("a payment link's selection was sold %d times by %d concurrent links, want once", won, claimers)
		}
	})
}

// TestSelectionIsPaidOnceOnItsOwn: of 8 transactions that move one paying
// selection to PAID at once, one does; the others must make no order. The
// HTTP proof (TestPaymentResultMakesOneOrder) also has the selection's row
// lock in its way; this one races the conditional statement alone.
func TestSelectionIsPaidOnceOnItsOwn(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		_, _, order := linkAndOrder(t, d)
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		b.must(http.StatusOK, "POST", "/payment", map[string]any{"termsAndConditions": true, "address": shopper,
			"paymentReturnPage": "https://shop.example/thanks", "paymentFailedPage": "https://shop.example/failed"})
		selection := dbtest.String(t, d, `SELECT id FROM selection WHERE status = 'PAYING'`)
		won := raceClaim(t, d, func(ctx context.Context, tx *db.Tx, _ int) (bool, error) {
			return store.MarkPaid(ctx, tx, selection, order)
		})
		if won != 1 {
			t.Errorf("a paying selection was marked paid %d times by %d concurrent payment results, want once", won, claimers)
		}
	})
}

// TestCaptureNeverExceedsTheAuthorizationOnItsOwn: 8 transactions at once
// book 40 % of an order's authorization each: exactly 2 are booked. The
// HTTP proof (TestConcurrentCapturesNeverExceedTheAuthorization) also has
// the shipments' own guards in its way; this one races the booking alone.
func TestCaptureNeverExceedsTheAuthorizationOnItsOwn(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		_, _, order := linkAndOrder(t, d)
		auth := dbtest.Int(t, d, `SELECT id FROM payment_history WHERE order_id = $1 AND entry_type = 'AUTHORIZATION'`, order)
		value := dbtest.Int(t, d, `SELECT value_minor FROM payment_history WHERE id = $1`, auth)
		part := value * 4 / 10
		won := raceClaim(t, d, func(ctx context.Context, tx *db.Tx, _ int) (bool, error) {
			return store.ClaimCapture(ctx, tx, auth, part)
		})
		if won != 2 {
			t.Errorf("%d of %d concurrent captures of 40 %% of the authorization were booked, want 2", won, claimers)
		}
		if got := dbtest.Int(t, d, `SELECT captured_minor FROM payment_history WHERE id = $1`, auth); got != 2*part {
			t.Errorf("captured %d of %d authorized, want %d", got, value, 2*part)
		}
	})
}
