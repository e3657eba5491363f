package gql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"

	"seam/internal/auth"
	"seam/internal/idempotency"
	"seam/internal/secret"
)

// idempotency is a mutation request's Idempotency-Key while it runs: its
// answer is kept for 24 hours (the Checkout API's idempotency_key table,
// under the token), and the same key with the same body gets that answer
// again instead of running the mutations twice.
type idempotent struct {
	claim *idempotency.Claim
}

// keeper is the handler's Idempotency-Key keeper.
func (h *Handler) keeper() *idempotency.Keeper {
	if h.Idempotency != nil {
		return h.Idempotency
	}
	return &idempotency.Keeper{DB: h.db, Log: h.log}
}

// claimKey starts a request with an Idempotency-Key. It reports false when
// it answered already: the kept answer, a 422 for the same key with another
// body, a 409 while the first request still runs. A nil idempotency means
// the request carries no key.
func (h *Handler) claimKey(ctx context.Context, w http.ResponseWriter, r *http.Request, token *auth.Token, raw []byte, ext map[string]any) (*idempotent, bool) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return nil, true
	}
	if len(key) > 255 {
		h.fail(w, http.StatusBadRequest, ext, "An Idempotency-Key has at most 255 characters.")
		return nil, false
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	scope := "graphql:" + strconv.FormatInt(token.ID, 10)
	claim, stored, err := h.keeper().Claim(ctx, scope, key, hash)
	switch {
	case err != nil:
		h.failInternal(ctx, w, ext, err, "idempotency key", "Internal error while checking the Idempotency-Key.")
	case claim != nil:
		h.keeper().Hold(ctx, r.Header.Get(idempotency.HoldHeader) != "")
		return &idempotent{claim: claim}, true
	case stored.RequestHash != hash:
		h.fail(w, http.StatusUnprocessableEntity, ext, "This Idempotency-Key was used for a different request; use a new key for a new request.")
	case stored.Status == 0:
		h.fail(w, http.StatusConflict, ext, "A request with this Idempotency-Key is still running; retry in a moment.")
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(stored.Body)))
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(stored.Status)
		_, _ = w.Write([]byte(stored.Body))
	}
	return nil, false
}

// finish keeps the answer to a request with an Idempotency-Key, or drops
// the key when the request failed on our side so that a retry runs it.
func (h *Handler) finish(ctx context.Context, idem *idempotent, status int, resp response) {
	if idem == nil {
		return
	}
	b, err := json.Marshal(resp)
	// A secret the answer shows is shown once: the kept answer has a
	// marker in its place.
	b = secret.Redact(b, requestFrom(ctx).shownSecrets())
	if err != nil || status >= 500 {
		err = idem.claim.Forget(ctx)
	} else {
		err = idem.claim.Finish(ctx, status, string(b))
	}
	if err != nil {
		h.log.ErrorContext(ctx, "keep idempotent answer", "err", err, "request_id", h.RequestID(ctx))
	}
}
