package admin

import (
	"fmt"
	"net/http"
	"runtime/debug"

	"seam/internal/web"
)

// routes is the back office's one route table. Every route but sign-in
// and the static files needs a session; settings, tokens and users need
// an Administrator. Every state-changing request passes Go's
// cross-origin protection, and (signed in) the form token check.
func (h *Handler) routes() {
	app := http.NewServeMux()
	get := func(pattern string, fn http.HandlerFunc) { app.HandleFunc("GET "+Prefix+pattern, fn) }
	post := func(pattern string, fn http.HandlerFunc) { app.HandleFunc("POST "+Prefix+pattern, fn) }

	get("/{$}", h.dashboardShow)
	post("/logout", h.logout)
	get("/audit", h.auditList)

	get("/orders", h.orderList)
	get("/orders/{id}", h.orderShow)
	post("/orders/{id}/confirm", h.orderConfirm)
	post("/orders/{id}/lock", h.orderLock)
	post("/orders/{id}/shipments", h.shipmentCreate)
	post("/orders/{id}/cancel-lines", h.orderCancelLines)
	post("/shipments/{id}/complete", h.shipmentComplete)

	get("/catalog", h.catalogList)
	get("/catalog/{id}/stock", h.stockShow)
	post("/catalog/{id}/stock", h.stockChange)
	get("/catalog/{id}/links", h.productLinkList)
	post("/catalog/{id}/links", h.productLinkCreate)
	post("/catalog/{id}/links/{link}/delete", h.productLinkDelete)

	get("/gift-certificates", h.giftCertList)

	get("/customers", h.customerList)
	get("/customers/{id}", h.customerShow)

	get("/selections/new", h.selectionNew)
	post("/selections/new", h.selectionSave)
	get("/selections/{id}", h.selectionCheckout)
	post("/selections/{id}/links", h.selectionLink)
	post("/selections/{id}/links/{link}/send", h.selectionSend)
	get("/payment-links", h.paylinkList)
	post("/payment-links/{id}/revoke", h.paylinkRevoke)

	get("/settings", h.administrator(h.settingsShow))
	post("/settings/stores/{id}", h.administrator(h.storeSave))
	post("/settings/webhooks/{id}/redeliver", h.administrator(h.webhookRedeliver))
	get("/tokens", h.administrator(h.tokenList))
	post("/tokens", h.administrator(h.tokenCreate))
	post("/tokens/{id}/revoke", h.administrator(h.tokenRevoke))
	get("/users", h.administrator(h.userList))
	post("/users", h.administrator(h.userCreate))
	post("/users/{id}", h.administrator(h.userSave))

	if h.cfg.DevMailbox {
		mb := newMailbox(h.cfg.DB, h.cfg.Log, Prefix+"/mailbox")
		app.Handle("GET "+Prefix+"/mailbox", h.administrator(mb.ServeHTTP))
		app.Handle("GET "+Prefix+"/mailbox/", h.administrator(mb.ServeHTTP))
	}

	app.HandleFunc(Prefix+"/", h.notFound)

	top := http.NewServeMux()
	top.Handle("GET "+Prefix+"/static/", h.assets)
	top.HandleFunc("GET "+Prefix+"/login", h.loginShow)
	top.HandleFunc("POST "+Prefix+"/login", h.loginCheck)
	top.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
	})
	top.Handle(Prefix+"/", h.signedIn(app))

	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, http.StatusForbidden, "error_csrf", "Cross-origin request refused", "", nil)
	})
	h.root = h.recover(web.CrossOrigin(top, deny))
}

// recover turns a panic into the 500 page with the request id.
func (h *Handler) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.cfg.Log.ErrorContext(r.Context(), "admin page panicked", "stack", string(debug.Stack()))
				h.fail(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
