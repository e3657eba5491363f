package productlink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// MaxMetadata is the most bytes a link's metadata may take as compact JSON.
const MaxMetadata = 16 << 10

// MaxPrices is the most prices one link may have.
const MaxPrices = 50

// PriceInput is one entry of prices as the seller sent it. Amounts are the
// decimal text of major units exactly as written (JSON number text); nil
// fields were not sent.
type PriceInput struct {
	CurrencyID      *int64
	Price           *string
	IsDiscountPrice *bool
	DiscountPrice   *string
}

// CreateInput is a new link. Prices nil means none were sent. Metadata is
// the JSON value sent (an object; null, [] or nil for none).
type CreateInput struct {
	Prices    []PriceInput
	UseOnce   bool
	Metadata  json.RawMessage
	ExpiresAt *time.Time
}

// Created is a link just made. UUID is shown only now.
type Created struct {
	UUID   string
	Link   store.ProductLink
	Prices []store.ProductLinkPrice
}

// Create makes a product payment link in one transaction and publishes the
// product in the link's store (the actor's, or the first direct-to-consumer
// store): the product and, when none is, its variants become ACTIVE, and
// it gets an ACTIVE display there, made when missing. A USD price also
// gives the EUR price at the USD:EUR rate when the store sells in EUR.
// Input problems are seam.UserErrors naming the field (prices.1.price);
// an unknown product is seam.ErrNotFound; nothing is made on any error.
func Create(ctx context.Context, d *db.DB, actor seam.Actor, productID int64, in CreateInput, now time.Time) (Created, error) {
	var out Created
	err := d.Tx(ctx, func(tx *db.Tx) error {
		st, err := storeFor(ctx, tx, actor)
		if err != nil {
			return err
		}
		product, err := store.GetProduct(ctx, tx, productID)
		if errors.Is(err, seam.ErrNotFound) {
			return unknownProduct{productID}
		} else if err != nil {
			return err
		}
		var p seam.Problems
		prices, err := checkPrices(ctx, tx, &p, st, in.Prices)
		if err != nil {
			return err
		}
		meta := checkMetadata(&p, in.Metadata)
		if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
			p.Add(seam.P("expires_at"), "expires_at must be in the future; %s has passed.", in.ExpiresAt.UTC().Format(time.RFC3339))
		}
		if err := p.Err(); err != nil {
			return err
		}
		if prices, err = derive(ctx, tx, &p, st, prices); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		variants, err := publish(ctx, tx, st, product, now)
		if err != nil {
			return err
		}
		if len(variants) == 0 {
			return seam.Invalid(seam.P("productId"), "Product %d has no variant with an active size, so nothing could be sold; add one first.", productID)
		}
		uuid := newUUID()
		l := store.ProductLink{UUIDHash: secret.Hash(uuid), UUIDHint: uuid[len(uuid)-4:], ProductID: productID, StoreID: st.ID,
			UseOnce: in.UseOnce, Metadata: meta, ExpiresAt: in.ExpiresAt, CreatedBy: actor.Name, CreatedAt: db.Time(now)}
		if err := store.InsertProductLink(ctx, tx, &l); err != nil {
			return fmt.Errorf("insert link: %w", err)
		}
		for i := range prices {
			prices[i].LinkID, prices[i].Position = l.ID, i
			if err := store.InsertProductLinkPrice(ctx, tx, prices[i]); err != nil {
				return fmt.Errorf("insert link price: %w", err)
			}
		}
		out = Created{UUID: uuid, Link: l, Prices: prices}
		payload := linkPayload(l, prices)
		if err := audit(ctx, tx, actor.Name, "CREATE", ObjectType, strconv.FormatInt(l.ID, 10), payload, now); err != nil {
			return err
		}
		_, err = event.Record(ctx, tx, event.Event{StoreID: &l.StoreID, ObjectType: ObjectType, ObjectID: strconv.FormatInt(l.ID, 10),
			Action: event.Created, Actor: actor.Name, Payload: payload})
		return err
	})
	return out, wrap(err, "create product payment link")
}

// linkPayload is a link as audit rows and events show it (never its uuid).
func linkPayload(l store.ProductLink, prices []store.ProductLinkPrice) map[string]any {
	ps := make([]map[string]any, 0, len(prices))
	for _, p := range prices {
		e := map[string]any{"currency": p.Currency, "price": json.Number(money.New(p.Price, p.Currency).Number())}
		if p.Discount != nil {
			e["discount_price"] = json.Number(money.New(*p.Discount, p.Currency).Number())
		}
		if p.DerivedFrom != nil {
			e["derived_from"], e["exchange_rate"] = *p.DerivedFrom, json.Number(*p.Rate)
		}
		ps = append(ps, e)
	}
	out := map[string]any{"id": l.ID, "product_id": l.ProductID, "store_id": l.StoreID, "uuid_hint": l.UUIDHint, "use_once": l.UseOnce,
		"prices": ps, "metadata": metadataJSON(l.Metadata)}
	if l.ExpiresAt != nil {
		out["expires_at"] = l.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return out
}

// metadataJSON is a link's metadata for the wire: its object, or [] for
// none, as mel.store shows it.
func metadataJSON(m *string) json.RawMessage {
	if m == nil {
		return json.RawMessage("[]")
	}
	return json.RawMessage(*m)
}

// MetadataJSON is a link's metadata for the wire: its object, or [] when
// it has none.
func MetadataJSON(l store.ProductLink) json.RawMessage { return metadataJSON(l.Metadata) }
