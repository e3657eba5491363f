package admin

import (
	"net/http"
	"strconv"

	"seam/internal/seam"
	"seam/internal/webhook"
)

// webhookRedeliver starts a subscription again from the first event it
// has not delivered, with a fresh retry window (webhook.Redeliver, as
// redeliverWebhookSubscription).
func (h *Handler) webhookRedeliver(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	if _, err := webhook.Redeliver(r.Context(), h.cfg.DB, actorOf(r), id, nil); err != nil {
		if ue, ok := seam.AsUserErrors(err); ok {
			redirect(w, r, Prefix+"/settings#webhooks", ue.Error())
			return
		}
		h.fail(w, r, err)
		return
	}
	redirect(w, r, Prefix+"/settings#webhooks", "Webhook subscription "+strconv.FormatInt(id, 10)+" redelivers from its first undelivered event.")
}
