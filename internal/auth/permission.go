// Package auth holds Integration API tokens, their permissions and their
// rate limits.
package auth

import (
	"slices"
	"strings"
)

// All is the stored permission list of a token that may do everything,
// including permissions added in later versions.
const All = "*"

// Permissions lists every permission a token can hold, as
// "<Type>:read|write" or the nested "<Type>.<field>:read" form that Centra's
// Integration API uses.
var Permissions = []string{
	"BrickAndMortar:read",
	"Brand:read", "Brand:write",
	"Bundle:read", "Bundle:write",
	"Category:read", "Category:write",
	"Collection:read", "Collection:write",
	"Country:read",
	"Currency:read",
	"DeliveryWindow:read",
	"Display:read", "Display:write",
	"Folder:read", "Folder:write",
	"GiftCertificate:read", "GiftCertificate:write",
	"IdConversion:read", "IdConversion:write",
	"Market:read", "Market:write",
	"Order:read",
	"PaymentLink:read", "PaymentLink:write",
	"Order.billingAddress:read", "Order.shippingAddress:read",
	"Price:read", "Price:write",
	"Pricelist:read", "Pricelist:write",
	"Product:read", "Product:write",
	"Product.Brand:read", "Product.Collection:read", "Product.Folder:read",
	"ProductSize:read",
	"ProductVariant:read", "ProductVariant:write",
	"Purchaser:read",
	"Selection:read", "Selection:write",
	"ShippingOption:read", "ShippingOption:write",
	"SizeChart:read", "SizeChart:write",
	"StockChange:read", "StockChange:write",
	"Store:read", "Store:write",
	"TaxGroup:read", "TaxGroup:write",
	"Voucher:read", "Voucher:write",
	"Warehouse:read", "Warehouse:write",
	"Warehouse.stock:read",
	"WarehouseDelivery:read",
	"Webhook:read", "Webhook:write",
	"Event:read", "Event:write",
	"Order:write", "Order.isLocked:write",
	"Attribute:read", "Attribute:write",
	"Customer:read", "Customer:write",
	"Customer.attributes:read", "Order.attributes:read", "Product.attributes:read", "ProductVariant.attributes:read",
	"Shipment:read", "Shipment:write", "Shipment.shippingAddress:read",
	"Return:read", "Return:write",
	"AdminUser:read", "StorePlugin:read",
	"ApiToken:read", "ApiToken:write",
}

// Known reports whether p is a permission Seam knows.
func Known(p string) bool { return slices.Contains(Permissions, p) }

// ParsePermissions splits a comma-separated list, trimming spaces, and
// returns the unknown names separately.
func ParsePermissions(list string) (known, unknown []string) {
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if Known(p) {
			if !slices.Contains(known, p) {
				known = append(known, p)
			}
		} else {
			unknown = append(unknown, p)
		}
	}
	return known, unknown
}
