package model

import "seam/internal/store"

// AnyOrder is what the GraphQL Order interface resolves to: a
// DirectToConsumerOrder (*store.Order) or a *WholesaleOrder.
type AnyOrder interface{}

// WholesaleOrder is an order of a WHOLESALE store.
type WholesaleOrder store.Order

// AnyObjectWithAttributes is what the GraphQL ObjectWithAttributes
// interface resolves to: *store.Customer, *store.Order, *store.Product or
// *store.Variant.
type AnyObjectWithAttributes interface{}
