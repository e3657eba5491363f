package model

// EventTarget is what the GraphQL EventTarget union resolves to: the
// store row of the object an event is about (store.Product, store.Order,
// …).
type EventTarget interface{}
