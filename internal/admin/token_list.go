package admin

import (
	"net/http"

	"seam/internal/admin/form"
	"seam/internal/auth"
	"seam/internal/store"
)

type tokenList struct {
	Tokens      []store.Token
	Stores      []store.Store
	Permissions []string
	Form        form.Token
	// Secret is the token just made, shown this once.
	Secret, SecretName string
}

// tokenList lists the Integration API tokens (name, hint, permissions,
// store, expiry; never secrets) with the form that creates one.
func (h *Handler) tokenList(w http.ResponseWriter, r *http.Request) {
	h.tokenPage(w, r, http.StatusOK, tokenList{Form: form.Token{Kind: "integration", Permissions: map[string]bool{}, Errors: form.Errors{}}})
}

func (h *Handler) tokenPage(w http.ResponseWriter, r *http.Request, status int, v tokenList) {
	var err error
	if v.Tokens, err = auth.List(r.Context(), h.cfg.DB); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Stores, err = store.ListStores(r.Context(), h.cfg.DB.Read(), store.StoreFilter{}, nil, store.Page{Limit: 100}); err != nil {
		h.fail(w, r, err)
		return
	}
	v.Permissions = auth.Permissions
	h.render(w, r, status, "token_list", "API tokens", "tokens", v)
}
