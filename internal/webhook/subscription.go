package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// SubscriptionType is the events-feed object type of webhook
// subscriptions.
const SubscriptionType = "WebhookSubscription"

// maxSecret bounds a subscription's secret.
const maxSecret = 512

var (
	objectTypeForm = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{0,63}$`)
	actionForm     = regexp.MustCompile(`^[A-Z][A-Z_]{0,63}$`)
)

// SubscriptionInput creates or changes a subscription; on update, nil
// fields stay as they are.
type SubscriptionInput struct {
	// URL receives the calls: absolute http or https.
	URL *string
	// Secret signs the calls; on create, none makes a 256-bit one.
	Secret *string
	// RotateSecret (update only) replaces the secret with a new 256-bit
	// one.
	RotateSecret *bool
	// Flavour is INTEGRATION_API (the default) or JSON.
	Flavour *string
	// ObjectTypes ("Order", "PaymentLink", …) and Actions ("CREATED", …)
	// filter the events; empty means all.
	ObjectTypes []string
	Actions     []string
	// Store limits the subscription to one store's events (and those of
	// no store).
	Store *seam.Ref
}

// CreateSubscription adds a subscription that receives the feed's events
// from now on, and returns it with its secret (shown only now when Seam
// made it).
func CreateSubscription(ctx context.Context, d *db.DB, actor seam.Actor, in SubscriptionInput) (store.WebhookSubscription, string, error) {
	var sub store.WebhookSubscription
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		now := db.Now()
		sub = store.WebhookSubscription{Flavour: FlavourIntegrationAPI, ObjectTypes: []string{}, Actions: []string{},
			CreatedBy: actor.Name, CreatedAt: now, UpdatedAt: now, NextAttemptAt: now}
		var p seam.Problems
		if in.URL == nil {
			p.Add(path.Key("url"), "A webhook subscription needs a url, such as https://erp.example/hooks/seam.")
		}
		if in.RotateSecret != nil && *in.RotateSecret {
			p.Add(path.Key("rotateSecret"), "rotateSecret is for updates; a new subscription gets a new secret unless one is given.")
		}
		if err := apply(ctx, tx, &p, actor, path, in, &sub); err != nil {
			return err
		}
		if sub.StoreID == nil && actor.StoreID != nil {
			sub.StoreID = actor.StoreID
		}
		if err := p.Err(); err != nil {
			return err
		}
		if in.Secret == nil {
			sub.Secret = secret.New("whsec_").Reveal()
		}
		if err := store.InsertWebhookSubscription(ctx, tx, &sub); err != nil {
			return err
		}
		// The subscription starts after its own CREATED event, the newest
		// of the feed while this transaction holds the feed's lock.
		evID, err := record(ctx, tx, actor.Name, sub, event.Created)
		if err != nil {
			return err
		}
		sub.Cursor = evID
		return store.RestartWebhookSubscription(ctx, tx, sub.ID, evID, now)
	})
	if err != nil {
		return sub, "", seam.Wrap(err, "create webhook subscription")
	}
	return sub, sub.Secret, nil
}

// UpdateSubscription changes a subscription made through the API. It
// returns the subscription and, when the secret was rotated, the new one.
// Its cursor stays: events not yet delivered go to the new URL. A
// subscription that is FAILING or retrying starts again, ACTIVE, due now
// and with a fresh retry window, since a change (a corrected URL, say) is
// a reason to try again at once.
func UpdateSubscription(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in SubscriptionInput) (store.WebhookSubscription, string, error) {
	var sub store.WebhookSubscription
	var shown string
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if sub, err = owned(ctx, tx, actor, id, true); err != nil {
			return err
		}
		path := seam.P("input")
		var p seam.Problems
		if in.Secret != nil && in.RotateSecret != nil && *in.RotateSecret {
			p.Add(path.Key("secret"), "Give a secret or ask for a new one with rotateSecret, not both.")
		}
		if err := apply(ctx, tx, &p, actor, path, in, &sub); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if in.RotateSecret != nil && *in.RotateSecret {
			sub.Secret = secret.New("whsec_").Reveal()
			shown = sub.Secret
		}
		sub.UpdatedAt = db.Now()
		if err := store.UpdateWebhookSubscriptionSettings(ctx, tx, sub, sub.UpdatedAt); err != nil {
			return err
		}
		if sub.Status != store.SubscriptionActive || sub.Attempts > 0 {
			if err := restart(ctx, tx, &sub, sub.Cursor, sub.UpdatedAt); err != nil {
				return err
			}
		}
		_, err = record(ctx, tx, actor.Name, sub, event.Updated)
		return err
	})
	return sub, shown, seam.Wrap(err, fmt.Sprintf("update webhook subscription %d", id))
}

// DeleteSubscription deletes a subscription made through the API, and its
// call log.
func DeleteSubscription(ctx context.Context, d *db.DB, actor seam.Actor, id int64) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		sub, err := owned(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if _, err := store.DeleteWebhookSubscription(ctx, tx, id); err != nil {
			return err
		}
		_, err = record(ctx, tx, actor.Name, sub, event.Deleted)
		return err
	})
	return seam.Wrap(err, fmt.Sprintf("delete webhook subscription %d", id))
}

// Redeliver starts a subscription again, ACTIVE with a fresh retry
// window: from the event after its cursor (the first it has not
// delivered), or, with fromEventID, from that event on, sending again
// what was delivered since. It works on FAILING subscriptions and on
// those of the config file.
func Redeliver(ctx context.Context, d *db.DB, actor seam.Actor, id int64, fromEventID *int64) (store.WebhookSubscription, error) {
	var sub store.WebhookSubscription
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if sub, err = owned(ctx, tx, actor, id, false); err != nil {
			return err
		}
		if fromEventID != nil {
			last, err := store.LastEventID(ctx, tx)
			if err != nil {
				return err
			}
			if *fromEventID < 1 || *fromEventID > last+1 {
				return seam.Invalid(seam.P("input", "fromEventId"), "fromEventId must be an event id from 1 to %d, got %d.", last+1, *fromEventID)
			}
			sub.Cursor = *fromEventID - 1
		}
		if err := restart(ctx, tx, &sub, sub.Cursor, db.Now()); err != nil {
			return err
		}
		_, err = record(ctx, tx, actor.Name, sub, event.Updated)
		return err
	})
	return sub, seam.Wrap(err, fmt.Sprintf("redeliver webhook subscription %d", id))
}

// restart makes sub ACTIVE and due at now, at cursor, with a fresh retry
// window.
func restart(ctx context.Context, tx *db.Tx, sub *store.WebhookSubscription, cursor int64, now time.Time) error {
	if err := store.RestartWebhookSubscription(ctx, tx, sub.ID, cursor, now); err != nil {
		return err
	}
	sub.Status, sub.Cursor, sub.Attempts, sub.RetryingSince, sub.NextAttemptAt, sub.LastError, sub.UpdatedAt =
		store.SubscriptionActive, cursor, 0, nil, now, nil, now
	return nil
}

// Subscriptions lists the subscriptions actor may see.
func Subscriptions(ctx context.Context, q db.Q, actor seam.Actor) ([]store.WebhookSubscription, error) {
	subs, err := store.WebhookSubscriptions(ctx, q, actor.StoreID)
	return subs, seam.Wrap(err, "list webhook subscriptions")
}

// Calls lists the logged calls actor may see, newest first.
func Calls(ctx context.Context, q db.Q, actor seam.Actor, f store.WebhookCallFilter, p store.Page) ([]store.WebhookCall, error) {
	f.StoreID = actor.StoreID
	calls, err := store.WebhookCalls(ctx, q, f, p)
	return calls, seam.Wrap(err, "list webhook calls")
}

// owned loads subscription id for actor to change; apiOnly refuses those
// the config file owns.
func owned(ctx context.Context, tx *db.Tx, actor seam.Actor, id int64, apiOnly bool) (store.WebhookSubscription, error) {
	if _, err := db.Lock(ctx, tx, "webhook_subscription", id); err != nil {
		return store.WebhookSubscription{}, err
	}
	sub, err := store.WebhookSubscriptionByID(ctx, tx, id)
	if errors.Is(err, seam.ErrNotFound) || (err == nil && actor.StoreID != nil && (sub.StoreID == nil || *sub.StoreID != *actor.StoreID)) {
		return sub, seam.Invalid(seam.P("id"), "There is no webhook subscription %d.", id)
	}
	if err != nil {
		return sub, err
	}
	if apiOnly && sub.ConfigName != nil {
		return sub, seam.Invalid(seam.P("id"), "Webhook subscription %d comes from seam serve's webhooks config (%q); change it there.", id, *sub.ConfigName)
	}
	return sub, nil
}

// apply checks the fields of in that are set and writes them to sub,
// collecting problems in p.
func apply(ctx context.Context, q db.Q, p *seam.Problems, actor seam.Actor, path seam.Path, in SubscriptionInput, sub *store.WebhookSubscription) error {
	if in.URL != nil {
		u := strings.TrimSpace(*in.URL)
		if msg := checkURL(u); msg != "" {
			p.Add(path.Key("url"), "%s", msg)
		}
		sub.URL = u
	}
	if in.Secret != nil {
		if msg := checkSecret(*in.Secret); msg != "" {
			p.Add(path.Key("secret"), "%s", msg)
		}
		sub.Secret = *in.Secret
	}
	if in.Flavour != nil {
		if *in.Flavour != FlavourIntegrationAPI && *in.Flavour != FlavourJSON {
			p.Add(path.Key("flavour"), "flavour must be INTEGRATION_API or JSON, got %q.", *in.Flavour)
		}
		sub.Flavour = *in.Flavour
	}
	if in.ObjectTypes != nil {
		sub.ObjectTypes = filterList(p, path.Key("objectTypes"), in.ObjectTypes, objectTypeForm, "an object type such as Order or PaymentLink")
	}
	if in.Actions != nil {
		sub.Actions = filterList(p, path.Key("actions"), in.Actions, actionForm, "an action such as CREATED, UPDATED, COMPLETED or DELETED")
	}
	if in.Store != nil {
		sid, ok, err := idconv.Collect(ctx, q, p, actor, "Store", in.Store, path.Key("store"))
		if err != nil {
			return err
		}
		if ok && !actor.MayUseStore(sid) {
			p.Merge(actor.StoreError(path.Key("store"), "it", sid))
		} else if ok {
			sub.StoreID = &sid
		}
	}
	return nil
}

// filterList checks and dedupes a filter list.
func filterList(p *seam.Problems, path seam.Path, list []string, form *regexp.Regexp, what string) []string {
	out := []string{}
	for i, v := range list {
		v = strings.TrimSpace(v)
		if !form.MatchString(v) {
			p.Add(path.Index(i), "%q is not %s.", v, what)
			continue
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// checkURL tells what is wrong with a receiver's URL, or "".
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "The webhook URL must be an absolute http or https URL, such as https://erp.example/hooks/seam."
	case u.User != nil:
		return "The webhook URL must not hold a user name or password; the calls are signed with the secret instead."
	case len(raw) > maxURL:
		return "The webhook URL must be at most " + strconv.Itoa(maxURL) + " bytes long."
	}
	return ""
}

// checkSecret tells what is wrong with a secret given by the caller, or
// "".
func checkSecret(s string) string {
	if s == "" || len(s) > maxSecret || strings.ContainsFunc(s, unicode.IsControl) {
		return "The secret must be 1 to " + strconv.Itoa(maxSecret) + " bytes without control characters; leave it out to get a new 256-bit one."
	}
	return ""
}

// record writes sub's event to the feed, never its secret, and returns
// the event's id.
func record(ctx context.Context, tx *db.Tx, actor string, sub store.WebhookSubscription, action string) (int64, error) {
	payload := map[string]any{"url": sub.URL, "flavour": sub.Flavour, "objectTypes": sub.ObjectTypes, "actions": sub.Actions,
		"storeId": sub.StoreID, "status": sub.Status, "cursor": sub.Cursor}
	if sub.ConfigName != nil {
		payload["configName"] = *sub.ConfigName
	}
	return event.Record(ctx, tx, event.Event{StoreID: sub.StoreID, ObjectType: SubscriptionType, ObjectID: strconv.FormatInt(sub.ID, 10),
		Action: action, Actor: actor, Payload: payload})
}
