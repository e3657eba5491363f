package admin

import (
	"net/http"
	"strconv"
	"time"

	"seam/internal/admin/form"
	"seam/internal/adminuser"
	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// tokenCreate makes an Integration API token (auth.Create, as seam token
// create) or a Checkout API shared secret and shows the secret this once;
// the audit log records who made which token, never the secret.
func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.notFound(w, r)
		return
	}
	f := form.ParseToken(r.PostForm)
	v := tokenList{Form: f}
	if !f.Errors.Empty() {
		h.tokenPage(w, r, http.StatusBadRequest, v)
		return
	}
	var sec secret.Secret
	var err error
	objectType, objectID := "CheckoutSecret", f.Name
	if f.Kind == "checkout" {
		sec, err = checkout.CreateSecret(r.Context(), h.cfg.DB, f.Name)
	} else {
		in := auth.NewToken{Name: f.Name, All: f.All, Permissions: f.List(), Expires: time.Duration(f.Days) * 24 * time.Hour}
		if f.StoreID != 0 {
			in.StoreID = &f.StoreID
		}
		var row store.Token
		sec, row, err = auth.Create(r.Context(), h.cfg.DB, in)
		objectType, objectID = "Token", strconv.FormatInt(row.ID, 10)
	}
	if err != nil {
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		for _, e := range ue {
			key := e.Path[len(e.Path)-1]
			if key == "expires" {
				key = "expires_days"
			}
			f.Errors.Add(key, e.Message)
		}
		v.Form = f
		h.tokenPage(w, r, http.StatusBadRequest, v)
		return
	}
	if err := h.cfg.DB.Tx(r.Context(), func(tx *db.Tx) error {
		return adminuser.Audit(r.Context(), tx, actorOf(r).Name, "CREATE", objectType, objectID, "created "+f.Kind+" token "+f.Name)
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	v.Secret, v.SecretName = sec.Reveal(), f.Name
	v.Form = form.Token{Kind: "integration", Permissions: map[string]bool{}, Errors: form.Errors{}}
	h.tokenPage(w, r, http.StatusCreated, v)
}
