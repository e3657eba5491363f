package admin

import (
	"net/http"

	"seam/internal/store"
	"seam/internal/webhook"
)

// storeForm is one store's settings as typed.
type storeForm struct {
	Store     store.Store
	Template  string
	Errors    map[string]string
	Autoconf  bool
	DirectShp bool
}

type settingsShow struct {
	Stores        []storeForm
	Subscriptions []store.WebhookSubscription
	// Calls are the latest webhook deliveries.
	Calls []store.WebhookCall
}

// settingsShow is Settings (Administrators): per store the Static
// payment_link template (type Main, as seed 000 names it), auto-confirm
// orders and direct to shipment; and the webhook subscriptions.
func (h *Handler) settingsShow(w http.ResponseWriter, r *http.Request) {
	h.settingsPage(w, r, http.StatusOK, nil)
}

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request, status int, edited *storeForm) {
	ctx, q := r.Context(), h.cfg.DB.Read()
	stores, err := store.ListStores(ctx, q, store.StoreFilter{}, nil, store.Page{Limit: 100})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var v settingsShow
	for _, st := range stores {
		f := storeForm{Store: st, Template: deref(st.PaymentLinkTemplate), Autoconf: st.AutoconfirmOrders, DirectShp: st.DirectToShipment}
		if edited != nil && edited.Store.ID == st.ID {
			f = *edited
			f.Store.Name = st.Name
		}
		v.Stores = append(v.Stores, f)
	}
	if v.Subscriptions, err = webhook.Subscriptions(ctx, q, actorOf(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Calls, err = webhook.Calls(ctx, q, actorOf(r), store.WebhookCallFilter{}, store.Page{Limit: 20}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "settings", "Settings", "settings", v)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
