package model

// AnyOrder is what the GraphQL Order interface resolves to. Only
// DirectToConsumerOrder (store.Order) exists today; wholesale orders will
// add a second type.
type AnyOrder interface{}

// AnyObjectWithAttributes is what the GraphQL ObjectWithAttributes
// interface resolves to: *store.Customer, *store.Order, *store.Product or
// *store.Variant.
type AnyObjectWithAttributes interface{}
