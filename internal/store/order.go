package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"seam/internal/db"
	"seam/internal/mutant"
)

// Order statuses, as the Integration API names them.
const (
	OrderPending    = "PENDING"
	OrderConfirmed  = "CONFIRMED"
	OrderProcessing = "PROCESSING"
	OrderShipped    = "SHIPPED"
	OrderArchived   = "ARCHIVED"
	OrderCancelled  = "CANCELLED"
)

// Order is a placed order. Hash is its public id (32 hex digits), Number
// its sequential number. Amounts are minor units of Currency; addresses
// are JSON.
type Order struct {
	ID                int64
	Hash              string
	Number            int64
	StoreID           int64
	MarketID          int64
	PricelistID       int64
	SelectionID       *string
	Currency          string
	PricesIncludeTax  bool
	VatExempt         bool
	Status            string
	IsOnHold          bool
	IsLocked          bool
	Email             string
	Language          string
	CountryID         *int64
	StateID           *int64
	Address           string
	ShippingAddress   string
	ShippingOptionID  *int64
	ShippingName      *string
	PaymentMethodID   *int64
	PaymentMethodName *string
	ItemsTotal        int64
	Discount          int64
	Shipping          int64
	Tax               int64
	GrandTotal        int64
	Credit            int64
	Comment           *string
	CustomerID        *int64
	GiftMessage       *string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// CancellationComment says why lines or the order were cancelled.
	CancellationComment *string
	// IsInternal marks an order the shop placed for itself.
	IsInternal bool
}

const orderSelect = `SELECT id, hash, number, store_id, market_id, pricelist_id, selection_id, currency, prices_include_tax, vat_exempt, status,
	is_on_hold, is_locked, email, language, country_id, state_id, address, shipping_address, shipping_option_id, shipping_name,
	payment_method_id, payment_method_name, items_total_minor, discount_minor, shipping_minor, tax_minor, grand_total_minor, credit_minor,
	comment, created_at, updated_at, customer_id, gift_message, cancellation_comment, is_internal FROM orders`

func scanOrder(s scanner) (Order, error) {
	var o Order
	var sel, shipName, payName, comment, gift, cancelled sql.NullString
	var country, state, ship, pay, customer sql.NullInt64
	err := s.Scan(&o.ID, &o.Hash, &o.Number, &o.StoreID, &o.MarketID, &o.PricelistID, &sel, &o.Currency, &o.PricesIncludeTax, &o.VatExempt,
		&o.Status, &o.IsOnHold, &o.IsLocked, &o.Email, &o.Language, &country, &state, &o.Address, &o.ShippingAddress, &ship, &shipName,
		&pay, &payName, &o.ItemsTotal, &o.Discount, &o.Shipping, &o.Tax, &o.GrandTotal, &o.Credit, &comment, &o.CreatedAt, &o.UpdatedAt, &customer, &gift,
		&cancelled, &o.IsInternal)
	o.CustomerID, o.GiftMessage, o.CancellationComment = nullInt(customer), nullString(gift), nullString(cancelled)
	o.SelectionID, o.ShippingName, o.PaymentMethodName, o.Comment = nullString(sel), nullString(shipName), nullString(payName), nullString(comment)
	o.CountryID, o.StateID, o.ShippingOptionID, o.PaymentMethodID = nullInt(country), nullInt(state), nullInt(ship), nullInt(pay)
	return o, err
}

// InsertOrder stores an order (not its lines).
func InsertOrder(ctx context.Context, q db.Q, o *Order) error {
	id, err := insertID(ctx, q, `INSERT INTO orders (hash, number, store_id, market_id, pricelist_id, selection_id, currency, prices_include_tax,
		vat_exempt, status, is_on_hold, is_locked, email, language, country_id, state_id, address, shipping_address, shipping_option_id,
		shipping_name, payment_method_id, payment_method_name, items_total_minor, discount_minor, shipping_minor, tax_minor, grand_total_minor,
		credit_minor, comment, created_at, updated_at, customer_id, gift_message)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27,
		$28, $29, $30, $31, $32, $33) RETURNING id`,
		o.Hash, o.Number, o.StoreID, o.MarketID, o.PricelistID, o.SelectionID, o.Currency, o.PricesIncludeTax, o.VatExempt, o.Status, o.IsOnHold,
		o.IsLocked, o.Email, o.Language, o.CountryID, o.StateID, o.Address, o.ShippingAddress, o.ShippingOptionID, o.ShippingName,
		o.PaymentMethodID, o.PaymentMethodName, o.ItemsTotal, o.Discount, o.Shipping, o.Tax, o.GrandTotal, o.Credit, o.Comment, o.CreatedAt, o.UpdatedAt,
		o.CustomerID, o.GiftMessage)
	o.ID = id
	return err
}

// GetOrder loads one order by id.
func GetOrder(ctx context.Context, q db.Q, id int64) (Order, error) {
	return one(ctx, q, scanOrder, orderSelect+` WHERE id = $1`, id)
}

// OrderByHash loads one order by its public id.
func OrderByHash(ctx context.Context, q db.Q, hash string) (Order, error) {
	return one(ctx, q, scanOrder, orderSelect+` WHERE hash = $1`, hash)
}

// OrderByNumber loads one order by its number.
func OrderByNumber(ctx context.Context, q db.Q, number int64) (Order, error) {
	return one(ctx, q, scanOrder, orderSelect+` WHERE number = $1`, number)
}

// OrdersByIDs loads orders by id.
func OrdersByIDs(ctx context.Context, q db.Q, ids []int64) ([]Order, error) {
	return byIDs(ctx, q, scanOrder, orderSelect, "id", ids, "")
}

// OrderFilter narrows an order list. AfterNumber and BeforeNumber are
// cursor bounds (orders with a number above, below them).
type OrderFilter struct {
	IDs          []int64
	Hashes       []string
	Numbers      []int64
	StoreIDs     []int64
	Statuses     []string
	From, To     *time.Time
	AfterNumber  *int64
	BeforeNumber *int64
	// Search matches the number exactly, or part of the e-mail address
	// or the billing address (which holds the name), in any case.
	Search string
}

func (f OrderFilter) where() *where {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "hash", f.Hashes)
	in(&w, "number", f.Numbers)
	in(&w, "store_id", f.StoreIDs)
	in(&w, "status", f.Statuses)
	if f.From != nil {
		w.add("created_at >= ?", db.Time(*f.From))
	}
	if f.To != nil {
		w.add("created_at <= ?", db.Time(*f.To))
	}
	if f.AfterNumber != nil {
		w.add("number > ?", *f.AfterNumber)
	}
	if f.BeforeNumber != nil {
		w.add("number < ?", *f.BeforeNumber)
	}
	if f.Search != "" {
		needle := "%" + likeEscaper.Replace(lower(f.Search)) + "%"
		if n, err := strconv.ParseInt(f.Search, 10, 64); err == nil {
			w.add(`(number = ? OR LOWER(email) LIKE ? ESCAPE '\')`, n, needle)
		} else {
			w.add(`(LOWER(email) LIKE ? ESCAPE '\' OR LOWER(address) LIKE ? ESCAPE '\')`, needle, needle)
		}
	}
	return &w
}

// ListOrders lists orders.
func ListOrders(ctx context.Context, q db.Q, f OrderFilter, sorts []Sort, p Page) ([]Order, error) {
	return list(ctx, q, scanOrder, orderSelect, f.where(), orderBy(sorts, map[string]string{"id": "id", "number": "number", "orderDate": "created_at", "createdAt": "created_at", "updatedAt": "updated_at"}, "id"), p)
}

// OrderLine is one line of an order, with the names and prices it was
// sold under.
type OrderLine struct {
	ID               int64
	OrderID          int64
	Position         int
	DisplayVariantID *int64
	// ProductID, ProductVariantID and ProductSizeID are 0 on a line
	// that sells no product (a gift certificate's).
	ProductID         int64
	ProductVariantID  int64
	ProductSizeID     int64
	ProductName       string
	VariantName       string
	SizeName          string
	SKU               string
	EAN               *string
	Quantity          int64
	UnitPrice         int64
	UnitOriginalPrice int64
	Discount          int64
	LineValue         int64
	TaxPercent        string
	Tax               int64
	// Comment and DeliveryWindowID tell lines of the same size apart.
	Comment          string
	DeliveryWindowID *int64
	// CancelledQuantity were cancelled (Quantity is what is left);
	// ShippedQuantity are in shipments (column shipment_quantity), shipped
	// or not: they can no longer be cancelled. The API's shippedQuantity
	// counts the units of completed shipments.
	CancelledQuantity int64
	ShippedQuantity   int64
}

// InsertOrderLine stores an order line.
func InsertOrderLine(ctx context.Context, q db.Q, l *OrderLine) error {
	id, err := insertID(ctx, q, `INSERT INTO order_line (order_id, position, display_variant_id, product_id, product_variant_id, product_size_id,
		product_name, variant_name, size_name, sku, ean, quantity, unit_price_minor, unit_original_price_minor, discount_minor, line_value_minor,
		tax_percent, tax_minor, comment, delivery_window_id)
		VALUES ($1, $2, $3, NULLIF(CAST($4 AS BIGINT), 0), NULLIF(CAST($5 AS BIGINT), 0), NULLIF(CAST($6 AS BIGINT), 0), $7, $8, $9, $10, $11, $12,
		$13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`,
		l.OrderID, l.Position, l.DisplayVariantID, l.ProductID, l.ProductVariantID, l.ProductSizeID, l.ProductName, l.VariantName, l.SizeName,
		l.SKU, l.EAN, l.Quantity, l.UnitPrice, l.UnitOriginalPrice, l.Discount, l.LineValue, l.TaxPercent, l.Tax, l.Comment, l.DeliveryWindowID)
	l.ID = id
	return err
}

// OrderLinesByOrderIDs loads the lines of orders in order.
func OrderLinesByOrderIDs(ctx context.Context, q db.Q, ids []int64) ([]OrderLine, error) {
	return byIDs(ctx, q, func(s scanner) (OrderLine, error) {
		var l OrderLine
		var dv, window sql.NullInt64
		var ean sql.NullString
		err := s.Scan(&l.ID, &l.OrderID, &l.Position, &dv, &l.ProductID, &l.ProductVariantID, &l.ProductSizeID, &l.ProductName, &l.VariantName,
			&l.SizeName, &l.SKU, &ean, &l.Quantity, &l.UnitPrice, &l.UnitOriginalPrice, &l.Discount, &l.LineValue, &l.TaxPercent, &l.Tax,
			&l.Comment, &window, &l.CancelledQuantity, &l.ShippedQuantity)
		l.DisplayVariantID, l.EAN, l.DeliveryWindowID = nullInt(dv), nullString(ean), nullInt(window)
		return l, err
	}, `SELECT id, order_id, position, display_variant_id, COALESCE(product_id, 0), COALESCE(product_variant_id, 0), COALESCE(product_size_id, 0),
		product_name, variant_name, size_name,
		sku, ean, quantity, unit_price_minor, unit_original_price_minor, discount_minor, line_value_minor, tax_percent, tax_minor,
		comment, delivery_window_id, cancelled_quantity, shipment_quantity FROM order_line`,
		"order_id", ids, " ORDER BY order_id, position")
}

// Allocation is stock of one warehouse allocated to an order line.
type Allocation struct {
	ID            int64
	OrderLineID   int64
	WarehouseID   int64
	ProductSizeID int64
	Quantity      int64
}

// InsertAllocation records stock allocated to an order line.
func InsertAllocation(ctx context.Context, q db.Q, a Allocation) error {
	_, err := q.ExecContext(ctx, `INSERT INTO order_allocation (order_line_id, warehouse_id, product_size_id, quantity) VALUES ($1, $2, $3, $4)`,
		a.OrderLineID, a.WarehouseID, a.ProductSizeID, a.Quantity)
	return err
}

// AllocationsByLineIDs loads the allocations of order lines.
func AllocationsByLineIDs(ctx context.Context, q db.Q, ids []int64) ([]Allocation, error) {
	return byIDs(ctx, q, func(s scanner) (Allocation, error) {
		var a Allocation
		err := s.Scan(&a.ID, &a.OrderLineID, &a.WarehouseID, &a.ProductSizeID, &a.Quantity)
		return a, err
	}, `SELECT id, order_line_id, warehouse_id, product_size_id, quantity FROM order_allocation`, "order_line_id", ids, " ORDER BY order_line_id, id")
}

// InsertOrderVoucher records a voucher used on an order.
func InsertOrderVoucher(ctx context.Context, q db.Q, orderID, voucherID, value int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO order_voucher (order_id, voucher_id, value_minor) VALUES ($1, $2, $3)`, orderID, voucherID, value)
	return err
}

// PaymentEntry is one event of an order's payment history.
type PaymentEntry struct {
	ID                int64
	OrderID           int64
	EntryType         string
	Status            string
	Value             int64
	Currency          string
	ExternalReference *string
	PaymentMethod     *string
	Params            *string
	CreatedAt         time.Time
}

// InsertPaymentEntry records a payment event.
func InsertPaymentEntry(ctx context.Context, q db.Q, e *PaymentEntry) error {
	id, err := insertID(ctx, q, `INSERT INTO payment_history (order_id, entry_type, status, value_minor, currency, external_reference, payment_method,
		params, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		e.OrderID, e.EntryType, e.Status, e.Value, e.Currency, e.ExternalReference, e.PaymentMethod, e.Params, e.CreatedAt)
	e.ID = id
	return err
}

// PaymentEntriesByOrderIDs loads the payment history of orders.
func PaymentEntriesByOrderIDs(ctx context.Context, q db.Q, ids []int64) ([]PaymentEntry, error) {
	return byIDs(ctx, q, func(s scanner) (PaymentEntry, error) {
		var e PaymentEntry
		var ref, method, params sql.NullString
		err := s.Scan(&e.ID, &e.OrderID, &e.EntryType, &e.Status, &e.Value, &e.Currency, &ref, &method, &params, &e.CreatedAt)
		e.ExternalReference, e.PaymentMethod, e.Params = nullString(ref), nullString(method), nullString(params)
		return e, err
	}, `SELECT id, order_id, entry_type, status, value_minor, currency, external_reference, payment_method, params, created_at FROM payment_history`,
		"order_id", ids, " ORDER BY order_id, id")
}

// Reservation is stock held for a selection while it is paid for.
type Reservation struct {
	ID            int64
	SelectionID   string
	WarehouseID   int64
	ProductSizeID int64
	Quantity      int64
}

// InsertReservation records stock held for a selection.
func InsertReservation(ctx context.Context, q db.Q, r Reservation) error {
	_, err := q.ExecContext(ctx, `INSERT INTO stock_reservation (selection_id, warehouse_id, product_size_id, quantity) VALUES ($1, $2, $3, $4)`,
		r.SelectionID, r.WarehouseID, r.ProductSizeID, r.Quantity)
	return err
}

// Reservations lists the stock held for a selection.
func Reservations(ctx context.Context, q db.Q, selectionID string) ([]Reservation, error) {
	return all(ctx, q, func(s scanner) (Reservation, error) {
		var r Reservation
		err := s.Scan(&r.ID, &r.SelectionID, &r.WarehouseID, &r.ProductSizeID, &r.Quantity)
		return r, err
	}, `SELECT id, selection_id, warehouse_id, product_size_id, quantity FROM stock_reservation WHERE selection_id = $1 ORDER BY id`, selectionID)
}

// DeleteReservations forgets the stock held for a selection (the caller
// releases or converts the allocation).
func DeleteReservations(ctx context.Context, q db.Q, selectionID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM stock_reservation WHERE selection_id = $1`, selectionID)
	return err
}

// Allocate takes n of a size's free stock in a warehouse, only if that
// much is free, in one conditional statement; it reports whether it did.
func Allocate(ctx context.Context, q db.Q, warehouseID, productSizeID, n int64) (bool, error) {
	if mutant.On("stock-allocate-read-then-write") {
		return allocateReadThenWrite(ctx, q, warehouseID, productSizeID, n)
	}
	res, err := q.ExecContext(ctx, mutant.Drop("stock-oversell", `UPDATE stock SET allocated = allocated + $3
		WHERE warehouse_id = $1 AND product_size_id = $2 AND physical - allocated >= $3`, " AND physical - allocated >= $3"), warehouseID, productSizeID, n)
	if err != nil {
		return false, err
	}
	rows, err := res.RowsAffected()
	return rows == 1, err
}

// Release gives n allocated units of a size in a warehouse back to free
// stock.
func Release(ctx context.Context, q db.Q, warehouseID, productSizeID, n int64) error {
	_, err := q.ExecContext(ctx, `UPDATE stock SET allocated = allocated - $3 WHERE warehouse_id = $1 AND product_size_id = $2 AND allocated >= $3`,
		warehouseID, productSizeID, n)
	return err
}

// IdempotentResponse is a stored answer to a request with an
// Idempotency-Key. Status 0 means the first request is still running (or
// its process died and its lease has not lapsed yet).
type IdempotentResponse struct {
	RequestHash string
	Status      int
	Body        string
}

// ClaimIdempotencyKey records that a request with key is starting, as
// claim claimID with a lease until leaseUntil. A key whose request never
// finished and whose lease lapsed before now (its process died) is taken
// over when the request is the same. It reports false, with what is
// stored, when the key is in use or was used before.
func ClaimIdempotencyKey(ctx context.Context, q db.Q, scope, key, requestHash, claimID string, now, leaseUntil time.Time) (bool, IdempotentResponse, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO idempotency_key (scope, key, request_hash, status, created_at, lease_until, claim_id)
		VALUES ($1, $2, $3, 0, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING`, scope, key, requestHash, db.Time(now), db.Time(leaseUntil), claimID)
	if err != nil {
		return false, IdempotentResponse{}, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return n == 1, IdempotentResponse{}, err
	}
	res, err = q.ExecContext(ctx, `UPDATE idempotency_key SET lease_until = $4, claim_id = $5
		WHERE scope = $1 AND key = $2 AND request_hash = $3 AND status = 0 AND (lease_until IS NULL OR lease_until < $6)`,
		scope, key, requestHash, db.Time(leaseUntil), claimID, db.Time(now))
	if err != nil {
		return false, IdempotentResponse{}, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return n == 1, IdempotentResponse{}, err
	}
	r, err := one(ctx, q, func(s scanner) (IdempotentResponse, error) {
		var r IdempotentResponse
		var body sql.NullString
		err := s.Scan(&r.RequestHash, &r.Status, &body)
		r.Body = body.String
		return r, err
	}, `SELECT request_hash, status, body FROM idempotency_key WHERE scope = $1 AND key = $2`, scope, key)
	return false, r, err
}

// RenewIdempotencyKey extends the lease of a claim that is still running
// and still this claim's; it reports whether it did.
func RenewIdempotencyKey(ctx context.Context, q db.Q, scope, key, claimID string, leaseUntil time.Time) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE idempotency_key SET lease_until = $4 WHERE scope = $1 AND key = $2 AND claim_id = $3 AND status = 0`,
		scope, key, claimID, db.Time(leaseUntil)))
}

// FinishIdempotencyKey stores the answer to a request with key, when the
// key is still claimed by claimID.
func FinishIdempotencyKey(ctx context.Context, q db.Q, scope, key, claimID string, status int, body string) error {
	_, err := q.ExecContext(ctx, `UPDATE idempotency_key SET status = $4, body = $5, lease_until = NULL
		WHERE scope = $1 AND key = $2 AND claim_id = $3 AND status = 0`, scope, key, claimID, status, body)
	return err
}

// ForgetIdempotencyKey drops a key whose request (claim claimID) failed
// before answering.
func ForgetIdempotencyKey(ctx context.Context, q db.Q, scope, key, claimID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM idempotency_key WHERE scope = $1 AND key = $2 AND claim_id = $3 AND status = 0`, scope, key, claimID)
	return err
}

// DeleteLapsedIdempotencyKeys drops keys whose request never answered and
// whose lease lapsed before a time: their process died.
func DeleteLapsedIdempotencyKeys(ctx context.Context, q db.Q, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM idempotency_key WHERE status = 0 AND (lease_until IS NULL OR lease_until < $1)`, db.Time(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteOldIdempotencyKeys drops keys created before a time.
func DeleteOldIdempotencyKeys(ctx context.Context, q db.Q, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM idempotency_key WHERE created_at < $1`, db.Time(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteAllocationsOfOrder removes the stock allocations of an order's
// lines (after their stock was released).
func DeleteAllocationsOfOrder(ctx context.Context, q db.Q, orderID int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM order_allocation WHERE order_line_id IN (SELECT id FROM order_line WHERE order_id = $1)`, orderID)
	return err
}
