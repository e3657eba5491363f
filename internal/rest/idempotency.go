package rest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"seam/internal/idempotency"
	"seam/internal/mutant"
)

// capture holds an answer before it is sent, so that it can be stored.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *capture) Header() http.Header         { return c.header }
func (c *capture) Write(b []byte) (int, error) { return c.body.Write(b) }
func (c *capture) WriteHeader(s int)           { c.status = s }

// idempotent runs a POST/PUT/DELETE with an Idempotency-Key at most once per
// caller and key (for 24 hours): a repeat gets the first answer again, the
// same key with another request a 422, a repeat while the first still runs
// a 409.
func (h *Handler) idempotent(w http.ResponseWriter, c *call, a action) {
	key := c.r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		h.writeJSON(w, c.r, http.StatusBadRequest, errorBody(c.token(), "Idempotency-Key", "An Idempotency-Key has at most 255 characters."))
		return
	}
	sum := sha256.Sum256([]byte(c.r.Method + " " + c.r.URL.Path + "\n" + string(c.body)))
	if mutant.On("idempotency-ignores-body") {
		sum = sha256.Sum256([]byte(c.r.Method + " " + c.r.URL.Path))
	}
	hash := hex.EncodeToString(sum[:])
	scope := c.caller.Scope
	if scope == "" {
		// Neither a session nor a shared secret: nothing to keep the key
		// under (such calls are refused anyway).
		status, out, err := c.run(a)
		if err != nil {
			h.writeError(w, c, err)
			return
		}
		h.writeJSON(w, c.r, status, out)
		return
	}
	claim, stored, err := h.keeper().Claim(c.ctx, scope, key, hash)
	if err != nil {
		h.writeError(w, c, err)
		return
	}
	if claim == nil {
		switch {
		case stored.RequestHash != hash:
			h.writeJSON(w, c.r, http.StatusUnprocessableEntity, errorBody(c.token(), "Idempotency-Key", "This Idempotency-Key was used for a different request; use a new key for a new request."))
		case stored.Status == 0:
			h.writeJSON(w, c.r, http.StatusConflict, errorBody(c.token(), "Idempotency-Key", "A request with this Idempotency-Key is still running; retry in a moment."))
		default:
			body := withToken(stored.Body, c.token())
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(stored.Status)
			_, _ = w.Write([]byte(body))
		}
		return
	}
	h.keeper().Hold(c.ctx, c.r.Header.Get(idempotency.HoldHeader) != "")
	cw := &capture{header: http.Header{}}
	status, out, err := c.run(a)
	if err != nil {
		h.writeError(cw, c, err)
	} else {
		h.writeJSON(cw, c.r, status, out)
	}
	if cw.status >= 500 {
		// A failure of ours may pass; let the client retry with the key.
		err = claim.Forget(c.ctx)
	} else {
		err = claim.Finish(c.ctx, cw.status, withoutToken(cw.body.String(), c.token()))
	}
	if err != nil {
		h.log.ErrorContext(c.ctx, "keep idempotent answer", "err", err, "request_id", h.RequestID(c.ctx))
	}
	for k, v := range cw.header {
		w.Header()[k] = v
	}
	w.WriteHeader(cw.status)
	_, _ = w.Write(cw.body.Bytes())
}

// keeper is the handler's Idempotency-Key keeper.
func (h *Handler) keeper() *idempotency.Keeper {
	if h.Idempotency != nil {
		return h.Idempotency
	}
	return &idempotency.Keeper{DB: h.db, Log: h.log}
}

// tokenMark stands for the caller's session token in a kept answer, so
// that the token itself is never stored.
const tokenMark = `"seam_cs_[kept without the token]"`

// withoutToken replaces the session token in an answer by tokenMark.
func withoutToken(body string, token *string) string {
	if token == nil || *token == "" {
		return body
	}
	return strings.ReplaceAll(body, strconv.Quote(*token), tokenMark)
}

// withToken puts the caller's token back into a kept answer.
func withToken(body string, token *string) string {
	if token == nil {
		return strings.ReplaceAll(body, tokenMark, "null")
	}
	return strings.ReplaceAll(body, tokenMark, strconv.Quote(*token))
}
