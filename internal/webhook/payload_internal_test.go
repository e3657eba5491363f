package webhook

import (
	"testing"

	"seam/internal/store"
)

func TestCentraNamesOfFeedEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e           store.Event
		typ, action string
		id          any
	}{
		{store.Event{ObjectType: "Order", ObjectID: "9f1c", Action: "CREATED", Payload: `{"number": 14}`}, "order", "insert", int64(14)},
		{store.Event{ObjectType: "Order", ObjectID: "9f1c", Action: "UPDATED", Payload: `{}`}, "order", "update", "9f1c"},
		{store.Event{ObjectType: "PaymentLink", ObjectID: "7", Action: "DELETED"}, "payment_link", "delete", int64(7)},
		{store.Event{ObjectType: "ProductVariant", ObjectID: "3", Action: "COMPLETED"}, "product_variant", "complete", int64(3)},
		{store.Event{ObjectType: "GiftCertificate", ObjectID: "ab", Action: "USED"}, "gift_certificate", "used", "ab"},
	}
	for _, tt := range tests {
		if got := centraType(tt.e.ObjectType); got != tt.typ {
			t.Errorf("centraType(%s) = %s, want %s", tt.e.ObjectType, got, tt.typ)
		}
		if got := centraAction(tt.e.Action); got != tt.action {
			t.Errorf("centraAction(%s) = %s, want %s", tt.e.Action, got, tt.action)
		}
		if got := centraID(tt.e); got != tt.id {
			t.Errorf("centraID(%+v) = %#v, want %#v", tt.e, got, tt.id)
		}
	}
}
