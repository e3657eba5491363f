package productlink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
	"seam/internal/webhook"
)

// WebhookKind names after-sale messages in the outbox.
const WebhookKind = "after_sale"

// Wire sets the checkout's product link hooks: paying refuses a link that
// cannot sell (Usable), and the order's transaction records the sale
// (Sold), both at svc.Now.
func Wire(svc *checkout.Service) {
	svc.ProductLinkUsable = func(ctx context.Context, q db.Q, linkID int64) error {
		return Usable(ctx, q, linkID, svc.Now())
	}
	svc.ProductLinkSold = func(ctx context.Context, tx *db.Tx, sel store.Selection, o store.Order) error {
		return Sold(ctx, tx, sel, o, svc.Now())
	}
}

// Sold records, inside the order's transaction, a sale through the
// selection's product link: it counts the sale with one conditional
// statement (which uses up a use-once link, so that only one order can),
// writes the sale, an audit row and an event, and enqueues the store's
// after-sale webhook when one is set. A link that cannot sell any more is
// an error wrapping seam.ErrGone: the checkout then voids the payment and
// releases the stock.
func Sold(ctx context.Context, tx *db.Tx, sel store.Selection, o store.Order, now time.Time) error {
	if sel.ProductLinkID == nil {
		return nil
	}
	id := *sel.ProductLinkID
	ok, err := store.SellProductLink(ctx, tx, id, o.ID, now)
	if err != nil {
		return fmt.Errorf("sell product payment link %d: %w", id, err)
	}
	l, err := store.GetProductLink(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("product payment link %d: %w", id, err)
	}
	if !ok {
		why := Problem(l, now)
		if why == "" {
			why = "This payment link can no longer sell."
		}
		return gone(why)
	}
	prices, err := store.ProductLinkPrices(ctx, tx, id)
	if err != nil {
		return err
	}
	sale := store.ProductLinkSale{UUID: newSaleUUID(), LinkID: id, OrderID: o.ID, SelectionID: sel.ID, Currency: o.Currency,
		Amount: o.ItemsTotal - o.Discount, Total: o.GrandTotal, VAT: o.Tax, CreatedAt: db.Time(now)}
	for _, p := range prices {
		if p.Currency == o.Currency {
			sale.Rate = p.Rate
		}
	}
	if err := store.InsertProductLinkSale(ctx, tx, &sale); err != nil {
		return fmt.Errorf("record sale: %w", err)
	}
	body, err := afterSaleBody(ctx, tx, l, sel, o, sale)
	if err != nil {
		return err
	}
	objectID := strconv.FormatInt(id, 10)
	if err := audit(ctx, tx, ActorCheckout, "USE", ObjectType, objectID, map[string]any{"order": o.Number, "sale": sale.UUID}, now); err != nil {
		return err
	}
	evID, err := event.Record(ctx, tx, event.Event{StoreID: &l.StoreID, ObjectType: ObjectType, ObjectID: objectID, Action: event.Used,
		Actor: ActorCheckout, Payload: json.RawMessage(body)})
	if err != nil {
		return err
	}
	as, err := store.StoreAfterSale(ctx, tx, l.StoreID)
	if err != nil || as.URL == "" {
		return err
	}
	return webhook.Enqueue(ctx, tx, webhook.Message{EventID: &evID, Kind: WebhookKind, StoreID: &l.StoreID, URL: as.URL, Secret: as.Secret,
		ContentType: "application/json", Body: body})
}

// AfterSale is the after-sale webhook's body. Amounts are decimal numbers
// of major units of Currency, exact: Amount is the product's price paid,
// TotalAmount everything paid, VAT the tax in or on it, Commission what
// Seam keeps (always 0). ExchangeRate is the rate a derived price (EUR)
// was made with, 1 otherwise. Metadata and AdditionalFields are objects,
// or [] when empty.
type AfterSale struct {
	UUID             string          `json:"uuid"`
	Amount           json.Number     `json:"amount"`
	TotalAmount      json.Number     `json:"total_amount"`
	Commission       json.Number     `json:"commission"`
	VAT              json.Number     `json:"vat"`
	ExchangeRate     json.Number     `json:"exchange_rate"`
	Currency         string          `json:"currency"`
	Metadata         json.RawMessage `json:"metadata"`
	AdditionalFields json.RawMessage `json:"additional_fields"`
	CustomerName     string          `json:"customer_name"`
	CustomerEmail    string          `json:"customer_email"`
	CustomerPhone    string          `json:"customer_phone"`
	CreatedAt        string          `json:"created_at"`
	ProductID        int64           `json:"product_id"`
	ProductTitle     string          `json:"product_title"`
	ProductType      string          `json:"product_type"`
}

func afterSaleBody(ctx context.Context, q db.Q, l store.ProductLink, sel store.Selection, o store.Order, sale store.ProductLinkSale) ([]byte, error) {
	product, err := store.GetProduct(ctx, q, l.ProductID)
	if err != nil {
		return nil, err
	}
	title, err := titleOf(ctx, q, l.StoreID, product)
	if err != nil {
		return nil, err
	}
	addr := checkout.ParseAddress(sel.Address)
	buyer, err := store.ProductLinkCheckoutOf(ctx, q, sel.ID)
	if err != nil && !errors.Is(err, seam.ErrNotFound) {
		return nil, err
	}
	name := buyer.CustomerName
	if name == "" {
		name = strings.TrimSpace(addr.FirstName + " " + addr.LastName)
	}
	phone := buyer.CustomerPhone
	if phone == "" {
		phone = addr.PhoneNumber
	}
	fields := json.RawMessage("[]")
	if buyer.AdditionalFields != nil {
		fields = json.RawMessage(*buyer.AdditionalFields)
	}
	rate := json.Number("1")
	if sale.Rate != nil {
		rate = json.Number(*sale.Rate)
	}
	kind := "physical"
	if product.IsBundle {
		kind = "bundle"
	}
	m := func(minor int64) json.Number { return json.Number(money.New(minor, o.Currency).Number()) }
	return json.Marshal(AfterSale{UUID: sale.UUID, Amount: m(sale.Amount), TotalAmount: m(sale.Total), Commission: m(0), VAT: m(sale.VAT),
		ExchangeRate: rate, Currency: o.Currency, Metadata: metadataJSON(l.Metadata), AdditionalFields: fields, CustomerName: name,
		CustomerEmail: o.Email, CustomerPhone: phone, CreatedAt: sale.CreatedAt.UTC().Format(time.RFC3339), ProductID: product.ID,
		ProductTitle: title, ProductType: kind})
}

// titleOf is a product's title in a store: its display's name there, or
// the product's name.
func titleOf(ctx context.Context, q db.Q, storeID int64, product store.Product) (string, error) {
	ds, err := store.ListDisplays(ctx, q, store.DisplayFilter{StoreIDs: []int64{storeID}, ProductIDs: []int64{product.ID}}, nil, store.Page{})
	if err != nil {
		return "", err
	}
	for _, d := range ds {
		if d.Status == "ACTIVE" {
			return d.Name, nil
		}
	}
	if len(ds) > 0 {
		return ds[0].Name, nil
	}
	return product.Name, nil
}

// SetAfterSale sets where a store's after-sale webhook goes, with a new
// signing secret, which it returns (shown only now; the webhook's
// X-Centra-Signature is an HMAC-SHA256 keyed with it). An empty URL turns
// the webhook off and returns "". The URL must be absolute http(s).
func SetAfterSale(ctx context.Context, d *db.DB, actor seam.Actor, storeID int64, rawURL string) (string, error) {
	rawURL = strings.TrimSpace(rawURL)
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(rawURL) > 2048 {
			return "", seam.Invalid(seam.P("url"), "The after-sale URL must be an absolute http or https URL such as https://shop.example/hooks/after-sale.")
		}
	}
	if !actor.MayUseStore(storeID) {
		return "", actor.StoreError(seam.P("store"), "it", storeID)
	}
	sec := ""
	if rawURL != "" {
		sec = secret.New("whsec_").Reveal()
	}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		ok, err := store.SetStoreAfterSale(ctx, tx, storeID, store.AfterSale{URL: rawURL, Secret: sec})
		if err != nil {
			return err
		}
		if !ok {
			return seam.Invalid(seam.P("store"), "There is no store %d.", storeID)
		}
		now := db.Now()
		payload := map[string]any{"store_id": storeID, "after_sale_url": rawURL}
		id := strconv.FormatInt(storeID, 10)
		if err := audit(ctx, tx, actor.Name, "SET_AFTER_SALE", "Store", id, payload, now); err != nil {
			return err
		}
		_, err = event.Record(ctx, tx, event.Event{StoreID: &storeID, ObjectType: "Store", ObjectID: id, Action: event.Updated, Actor: actor.Name,
			Payload: payload})
		return err
	})
	if err != nil {
		return "", wrap(err, "set after-sale webhook")
	}
	return sec, nil
}
