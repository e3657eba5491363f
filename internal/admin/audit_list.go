package admin

import (
	"net/http"
	"strconv"
	"time"

	"seam/internal/store"
)

// auditPage is how many entries the audit log shows at once.
const auditPage = 50

type auditList struct {
	Who, Type, From, To string
	Errors              map[string]string
	Entries             []store.AuditEntry
	Next                string
}

// auditList is the audit log ("API Logs"), newest first, filtered by who,
// object type and date range (UTC days), paged by id.
func (h *Handler) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := auditList{Who: clipped(q.Get("who"), 254), Type: clipped(q.Get("type"), 64), From: clipped(q.Get("from"), 10), To: clipped(q.Get("to"), 10),
		Errors: map[string]string{}}
	f := store.AuditFilter{Actor: v.Who, ObjectType: v.Type}
	day := func(field, s string) *time.Time {
		if s == "" {
			return nil
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			v.Errors[field] = "Give a date as 2026-12-31."
			return nil
		}
		return &t
	}
	f.From = day("from", v.From)
	if to := day("to", v.To); to != nil {
		end := to.Add(24 * time.Hour)
		f.To = &end
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.BeforeID = b
	}
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusBadRequest
	} else {
		entries, err := store.ListAudit(r.Context(), h.cfg.DB.Read(), f, auditPage+1)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if len(entries) > auditPage {
			entries = entries[:auditPage]
			nq := r.URL.Query()
			nq.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
			v.Next = Prefix + "/audit?" + nq.Encode()
		}
		v.Entries = entries
	}
	h.render(w, r, status, "audit", "Audit log", "audit", v)
}

// clipped cuts a query value to at most n bytes.
func clipped(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
