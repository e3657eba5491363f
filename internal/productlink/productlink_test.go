package productlink_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/govalues/decimal"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/demo"
	"seam/internal/money"
	"seam/internal/productlink"
	"seam/internal/seam"
	"seam/internal/store"
)

// demoShop is the demo shop that `seam serve` loads, as a test database seed.
var demoShop = &dbtest.Seed{Name: "demo", Load: demo.Load}

func TestMain(m *testing.M) {
	code := m.Run()
	demoShop.Drop()
	os.Exit(code)
}

func TestParseRatesReadsPairsAndRefusesNonsense(t *testing.T) {
	t.Parallel()
	got, err := productlink.ParseRates(" USD:EUR=0.92, usd:sek = 10.5 ,")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range got {
		texts = append(texts, r.String())
	}
	if diff := cmp.Diff([]string{"USD:EUR=0.92", "USD:SEK=10.5"}, texts); diff != "" {
		t.Errorf("rates (-want +got):\n%s", diff)
	}
	if rs, err := productlink.ParseRates(""); err != nil || len(rs) != 0 {
		t.Errorf(`ParseRates("") = %v, %v; want none`, rs, err)
	}
	for _, bad := range []string{"USD:EUR", "USDEUR=0.9", "USD:EUR=abc", "USD:EUR=0", "USD:EUR=-1", "USD:USD=1", "XYZ:EUR=1",
		"USD:EUR=0.9,USD:EUR=0.8", "USD:EUR=0.12345678901"} {
		if _, err := productlink.ParseRates(bad); !errors.Is(err, seam.ErrInvalid) {
			t.Errorf("ParseRates(%q) = %v, want an input error", bad, err)
		}
	}
}

func TestConvertRoundsHalfToEvenToTheCent(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		usd  int64
		rate string
		eur  int64
	}{
		{250000, "0.92", 230000},
		{1999, "0.915", 1829}, // 18.29085
		{1, "0.5", 0},         // 0.005 → 0.00 (to even)
		{3, "0.5", 2},         // 0.015 → 0.02 (to even)
		{5, "0.5", 2},         // 0.025 → 0.02 (to even)
		{7, "0.5", 4},         // 0.035 → 0.04
	} {
		got, err := productlink.Convert(money.New(c.usd, "USD"), productlink.Rate{Base: "USD", Quote: "EUR", Rate: decimal.MustParse(c.rate)})
		if err != nil || got != money.New(c.eur, "EUR") {
			t.Errorf("%d USD cents at %s = %v, %v; want %d EUR cents", c.usd, c.rate, got, err, c.eur)
		}
	}
	if _, err := productlink.Convert(money.New(1, "SEK"), productlink.Rate{Base: "USD", Quote: "EUR", Rate: decimal.One}); err == nil {
		t.Error("converted SEK with a USD rate")
	}
}

func TestUUIDsAre128RandomBitsAndCheckedBeforeLookup(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "92297aed", strings.Repeat("g", 32), strings.Repeat("a", 33), "../../etc/passwd"} {
		if _, err := productlink.ParseUUID(bad); !errors.Is(err, seam.ErrInvalid) {
			t.Errorf("ParseUUID(%q) = %v, want an input error", bad, err)
		}
	}
	if u, err := productlink.ParseUUID(" " + strings.Repeat("AB", 16) + " "); err != nil || u != strings.Repeat("ab", 16) {
		t.Errorf("ParseUUID of upper case = %q, %v", u, err)
	}
}

func TestLinkStatesAreReadInOrder(t *testing.T) {
	t.Parallel()
	now := time.Now()
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	for _, c := range []struct {
		l    store.ProductLink
		want string
	}{
		{store.ProductLink{}, productlink.StateActive},
		{store.ProductLink{ExpiresAt: &future}, productlink.StateActive},
		{store.ProductLink{ExpiresAt: &past}, productlink.StateExpired},
		{store.ProductLink{UsedAt: &past, ExpiresAt: &past}, productlink.StateUsed},
		{store.ProductLink{DeletedAt: &past, UsedAt: &past}, productlink.StateDeleted},
	} {
		if got := productlink.State(c.l, now); got != c.want {
			t.Errorf("State(%+v) = %s, want %s", c.l, got, c.want)
		}
		if (productlink.Problem(c.l, now) == "") != (c.want == productlink.StateActive) {
			t.Errorf("Problem of a %s link = %q", c.want, productlink.Problem(c.l, now))
		}
	}
}

// TestUseOnceLinkSellsToOneOrder calls the sale hook for two orders of one
// use-once link: the second is refused as gone and records nothing, and
// the hook refuses a deleted many-times link too.
func TestUseOnceLinkSellsToOneOrder(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dbtest.Load(t, d, demoShop)
		actor := seam.Actor{Name: "tool"}
		price := func(v string) *string { return &v }
		no := false
		in := productlink.CreateInput{Prices: []productlink.PriceInput{{CurrencyID: ptr(int64(1)), Price: price("100"), IsDiscountPrice: &no}}, UseOnce: true}
		now := time.Now()
		once, err := productlink.Create(ctx, d, actor, 1, in, now)
		if err != nil {
			t.Fatal(err)
		}
		in.UseOnce = false
		many, err := productlink.Create(ctx, d, actor, 1, in, now)
		if err != nil {
			t.Fatal(err)
		}
		// Two orders to sell with (the hook needs real order rows).
		var orders []store.Order
		for i := range 3 {
			o := store.Order{Hash: strings.Repeat(string(rune('a'+i)), 32), Number: int64(9000 + i), StoreID: 1, MarketID: 1, PricelistID: 1,
				Currency: "SEK", Status: store.OrderPending, Email: "a@example.com", Language: "en", Address: "{}", ShippingAddress: "{}",
				ItemsTotal: 10000, GrandTotal: 10000, CreatedAt: db.Now(), UpdatedAt: db.Now()}
			if err := d.Tx(ctx, func(tx *db.Tx) error { return store.InsertOrder(ctx, tx, &o) }); err != nil {
				t.Fatal(err)
			}
			orders = append(orders, o)
		}
		sell := func(linkID int64, o store.Order) error {
			return d.Tx(ctx, func(tx *db.Tx) error {
				return productlink.Sold(ctx, tx, store.Selection{ID: "sel-" + o.Hash, ProductLinkID: &linkID}, o, time.Now())
			})
		}
		if err := sell(once.Link.ID, orders[0]); err != nil {
			t.Fatalf("first sale: %v", err)
		}
		err = sell(once.Link.ID, orders[1])
		if !errors.Is(err, seam.ErrGone) || !strings.Contains(err.Error(), "already used") {
			t.Errorf("second sale of a use-once link: %v, want gone (already used)", err)
		}
		if err := productlink.Usable(ctx, d.Read(), once.Link.ID, time.Now()); !errors.Is(err, seam.ErrGone) {
			t.Errorf("Usable after its sale: %v, want gone", err)
		}
		for i := 1; i <= 2; i++ {
			if err := sell(many.Link.ID, orders[i]); err != nil {
				t.Errorf("sale %d of a many-times link: %v", i, err)
			}
		}
		if err := productlink.Delete(ctx, d, actor, 1, many.UUID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := sell(many.Link.ID, orders[0]); !errors.Is(err, seam.ErrGone) || !strings.Contains(err.Error(), "no longer exists") {
			t.Errorf("sale of a deleted link: %v, want gone (no longer exists)", err)
		}
		sales, err := store.ProductLinkSales(ctx, d.Read(), once.Link.ID)
		if err != nil || len(sales) != 1 || sales[0].OrderID != orders[0].ID {
			t.Errorf("sales of the use-once link: %+v, %v; want the first order's", sales, err)
		}
		l, err := store.GetProductLink(ctx, d.Read(), many.Link.ID)
		if err != nil || l.Sales != 2 || l.UsedAt != nil {
			t.Errorf("many-times link after two sales: %+v %v", l, err)
		}
	})
}

// TestLinksOfAStoreTokenSellInItsStore checks that a store-restricted
// actor's links belong to its store and that it cannot delete another
// store's links.
func TestLinksOfAStoreTokenSellInItsStore(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dbtest.Load(t, d, demoShop)
		no := false
		in := productlink.CreateInput{Prices: []productlink.PriceInput{{CurrencyID: ptr(int64(4)), Price: ptr("3000"), IsDiscountPrice: &no}}}
		one := int64(1)
		made, err := productlink.Create(ctx, d, seam.Actor{Name: "retail", StoreID: &one}, 1, in, time.Now())
		if err != nil || made.Link.StoreID != 1 {
			t.Fatalf("create as store 1: %+v %v", made.Link, err)
		}
		other := int64(2)
		if err := productlink.Delete(ctx, d, seam.Actor{Name: "outlet", StoreID: &other}, 1, made.UUID, time.Now()); !errors.Is(err, seam.ErrNotFound) {
			t.Errorf("delete from another store: %v, want not found", err)
		}
		if _, err := productlink.SetAfterSale(ctx, d, seam.Actor{Name: "outlet", StoreID: &other}, 1, "https://example.com/x"); !errors.Is(err, seam.ErrInvalid) {
			t.Errorf("SetAfterSale for another store: %v, want refused", err)
		}
		if _, err := productlink.SetAfterSale(ctx, d, seam.Actor{Name: "ops"}, 99, "https://example.com/x"); !errors.Is(err, seam.ErrInvalid) {
			t.Errorf("SetAfterSale for no store: %v, want refused", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestAfterSaleSecretIsSealedAtRest sets a store's after-sale webhook: the
// secret it shows is in no table in plain text, and Seam reads it back as
// shown to sign the webhook with.
func TestAfterSaleSecretIsSealedAtRest(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dbtest.Load(t, d, demoShop)
		sec, err := productlink.SetAfterSale(ctx, d, seam.Actor{Name: "ops"}, 1, "https://erp.example/after-sale")
		if err != nil || !strings.HasPrefix(sec, "whsec_") {
			t.Fatalf("SetAfterSale = %q, %v", sec, err)
		}
		for table, rows := range dbtest.Snapshot(t, d) {
			if strings.Contains(strings.Join(rows, "\n"), sec) {
				t.Errorf("table %s holds the after-sale secret in plain text", table)
			}
		}
		as, err := store.StoreAfterSale(ctx, d.Read(), 1)
		if err != nil || as.Secret != sec || as.URL != "https://erp.example/after-sale" {
			t.Errorf("StoreAfterSale = %+v, %v; want the secret shown", as, err)
		}
	})
}
