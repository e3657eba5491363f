package model

// AnyOrder is what the GraphQL Order interface resolves to. Only
// DirectToConsumerOrder (store.Order) exists today; wholesale orders will
// add a second type.
type AnyOrder interface{}
