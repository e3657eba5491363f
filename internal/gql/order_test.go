package gql_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
	"seam/internal/payment"
	"seam/internal/store"
)

// placeDemoOrder buys two of the first demo product in Sweden through the
// checkout service and returns the order.
func placeDemoOrder(t *testing.T, d *db.DB) store.Order {
	t.Helper()
	dbtest.Load(t, d, demoShop)
	return placeDemoOrderFor(t, d, &checkout.Address{Email: "anna@example.com", FirstName: "Anna", LastName: "Svensson", Address1: "Storgatan 1",
		ZipCode: "11122", City: "Stockholm", Country: "SE"})
}

// placeDemoOrderFor is placeDemoOrder for a shopper at an address, in a
// database with the demo shop.
func placeDemoOrderFor(t *testing.T, d *db.DB, addr *checkout.Address) store.Order {
	t.Helper()
	ctx := context.Background()
	svc := checkout.New(d, map[string]payment.Provider{"test": payment.Test{Key: []byte("test key")}})
	caller, err := svc.Authenticate(ctx, "", "", true)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := svc.SelectionFor(ctx, caller, "")
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.Products(ctx, sel, checkout.ProductQuery{})
	if err != nil || len(list.Products) == 0 {
		t.Fatalf("demo products: %v, %v", list, err)
	}
	var item string
	for _, p := range list.Products {
		for _, it := range p.Items {
			if item == "" && it.Free >= 2 {
				item = it.ID
			}
		}
	}
	if err := svc.AddItem(ctx, sel, item, 2); err != nil {
		t.Fatal(err)
	}
	out, err := svc.Pay(ctx, sel, checkout.PaymentInput{TermsAndConditions: true, Address: addr})
	if err != nil || out.Order == nil {
		t.Fatalf("pay: %+v, %v", out, err)
	}
	return *out.Order
}

func TestOrdersQuery(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		o := placeDemoOrder(t, d)
		c := gqltest.New(t, d, "erp")
		query := `query($id: String!) { order(id: $id) { id number status orderDate currency { code }
			... on DirectToConsumerOrder { email pricesIncludeTax shippingMethodName paymentMethodName }
			store { id name } market { id } pricelist { id }
			billingAddress { firstName lastName address1 city zipCode country { code } }
			shippingAddress { firstName country { code } }
			lines { productName productVariantName size sku quantity unitPrice { value } lineValue { value } taxPercent tax { value }
				product { id } productSize { id } allocations { warehouse { id } quantity } }
			totals { itemsTotal { value currency { code } } shipping { value } tax { value } grandTotal { value } discount { value } }
			paymentHistory { entryType status value { value } externalReference } } }`
		r := c.MustOK(query, map[string]any{"id": o.Hash})
		got := func(path ...any) any { return gqltest.Get(r.Data, append([]any{"order"}, path...)...) }
		if got("id") != o.Hash || got("number") != float64(o.Number) || got("email") != "anna@example.com" {
			t.Errorf("order identity: %v %v %v", got("id"), got("number"), got("email"))
		}
		if got("currency", "code") != "SEK" || got("billingAddress", "country", "code") != "SE" || got("shippingAddress", "firstName") != "Anna" {
			t.Errorf("currency %v, billing country %v, shipping first name %v", got("currency", "code"), got("billingAddress", "country", "code"),
				got("shippingAddress", "firstName"))
		}
		if got("lines", 0, "quantity") != 2.0 || got("lines", 0, "allocations", 0, "quantity") != 2.0 {
			t.Errorf("line quantity %v, allocated %v; want 2 and 2", got("lines", 0, "quantity"), got("lines", 0, "allocations", 0, "quantity"))
		}
		wantTotal := float64(o.GrandTotal) / 100
		if got("totals", "grandTotal", "value") != wantTotal || got("paymentHistory", 0, "value", "value") != wantTotal {
			t.Errorf("grand total %v, payment %v; want %v", got("totals", "grandTotal", "value"), got("paymentHistory", 0, "value", "value"), wantTotal)
		}
		items, ship, tax := got("totals", "itemsTotal", "value").(float64), got("totals", "shipping", "value").(float64), got("totals", "tax", "value").(float64)
		if items+ship != wantTotal || tax <= 0 {
			t.Errorf("Swedish prices include tax: items %v + shipping %v should be the total %v, with tax %v > 0", items, ship, wantTotal, tax)
		}
		if got("paymentHistory", 0, "entryType") != "AUTHORIZATION" {
			t.Errorf("payment history: %v", got("paymentHistory"))
		}

		r = c.MustOK(`{ orders(where: {status: [PENDING, CONFIRMED]}) { id number } }`, nil)
		if gqltest.Get(r.Data, "orders", 0, "id") != o.Hash {
			t.Errorf("orders lists %v, want %s", r.Data["orders"], o.Hash)
		}

		r = c.Do(`{ order(id: "nope") { id } }`, nil)
		if len(r.Errors) != 1 || gqltest.Get(r.Data, "order") != nil {
			t.Errorf("an unknown order: %s", r.Raw)
		}

		// A token without the address permissions sees the order, not
		// the addresses.
		limited := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "wms", Permissions: []string{"Order:read"}}))
		r = limited.Do(query, map[string]any{"id": o.Hash})
		if gqltest.Get(r.Data, "order", "id") != o.Hash || gqltest.Get(r.Data, "order", "billingAddress") != nil || len(r.Errors) == 0 {
			t.Errorf("without Order.billingAddress:read: %s", r.Raw)
		}

		// A token of another store does not see it at all.
		dbtest.Exec(t, d, `INSERT INTO store (id, name, type) VALUES (999, 'Other', 'DIRECT_TO_CONSUMER')`)
		other := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "other", All: true, StoreID: ptr(int64(999))}))
		r = other.Do(`{ orders { id } }`, nil)
		if list, _ := gqltest.Get(r.Data, "orders").([]any); len(list) != 0 {
			t.Errorf("a token of store 999 lists %v", list)
		}
	})
}

// TestSeedFetchingOrdersRunsAsWritten runs seed 003's "Fetching orders"
// query against an order of Jon Snow's numbered 14, and compares the
// answer with the seed's.
func TestSeedFetchingOrdersRunsAsWritten(t *testing.T) {
	t.Parallel()
	query, err := os.ReadFile("testdata/seed-orders/get_orders.graphql")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/seed-orders/get_orders.response.json")
	if err != nil {
		t.Fatal(err)
	}
	// The document spreads a fragment it never defines; the answer shows
	// what it holds.
	q := string(query) + "fragment customerId on Order { customer { id email } }\n"
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		jon := &checkout.Address{Email: "Jon.Snow@example.com", FirstName: "Jon", LastName: "Snow", Address1: "The Wall 1", ZipCode: "11122",
			City: "Winterfell", Country: "SE"}
		dbtest.Load(t, d, demoShop)
		placeDemoOrderFor(t, d, jon)
		o := placeDemoOrderFor(t, d, jon)
		dbtest.Exec(t, d, `UPDATE orders SET number = 14 WHERE id = `+strconv.FormatInt(o.ID, 10))
		r := gqltest.New(t, d, "erp").MustOK(q, nil)
		compareWithSeed(t, "get_orders", want, r)
		// Both orders of the address are the same customer.
		if n := dbtest.Int(t, d, `SELECT COUNT(DISTINCT customer_id) FROM orders`); n != 1 {
			t.Errorf("two orders of jon.snow@example.com have %d customers, want 1", n)
		}
	})
}

func ptr[T any](v T) *T { return &v }
