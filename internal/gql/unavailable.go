package gql

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"seam/internal/seam"
)

// failInternal answers a failure of ours outside the resolvers: 503 with
// Retry-After when the database could not be had in time (the request
// changed nothing and may be sent again), otherwise 500 with msg, logged.
func (h *Handler) failInternal(ctx context.Context, w http.ResponseWriter, ext map[string]any, err error, what, msg string) {
	if errors.Is(err, seam.ErrUnavailable) {
		h.log.WarnContext(ctx, what+": database unavailable", "err", err, "request_id", h.RequestID(ctx))
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		h.fail(w, http.StatusServiceUnavailable, ext, "The database is busy; nothing was changed. Send the request again in a moment.")
		return
	}
	h.log.ErrorContext(ctx, what, "err", err, "request_id", h.RequestID(ctx))
	h.fail(w, http.StatusInternalServerError, ext, msg)
}

// retryAfterSeconds is the Retry-After of a 503.
const retryAfterSeconds = 2
