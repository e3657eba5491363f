package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

// ActorConfig names seam serve's webhooks config file as the actor of the
// events its subscriptions get.
const ActorConfig = "config"

// Config is seam serve's webhooks config file (--webhooks-config):
//
//	{"subscriptions": [{"name": "erp", "url": "https://erp.example/hooks/seam",
//	  "secretEnv": "ERP_WEBHOOK_SECRET", "flavour": "INTEGRATION_API",
//	  "objectTypes": ["Order"], "actions": ["CREATED", "UPDATED"], "storeId": 1}]}
//
// The file owns the subscriptions it names: each start creates the new
// ones (receiving events from then on), updates the changed ones (keeping
// their cursors) and deletes those no longer named.
type Config struct {
	Subscriptions []ConfigSubscription `json:"subscriptions"`
}

// ConfigSubscription is one subscription of the config file.
type ConfigSubscription struct {
	// Name identifies it across starts.
	Name string `json:"name"`
	URL  string `json:"url"`
	// Secret, or the environment variable SecretEnv names, signs the
	// calls; one of them is required (there is nowhere to show a new
	// one).
	Secret    string `json:"secret,omitempty"`
	SecretEnv string `json:"secretEnv,omitempty"`
	// Flavour is INTEGRATION_API (default) or JSON.
	Flavour     string   `json:"flavour,omitempty"`
	ObjectTypes []string `json:"objectTypes,omitempty"`
	Actions     []string `json:"actions,omitempty"`
	StoreID     *int64   `json:"storeId,omitempty"`
}

// LoadConfig reads a webhooks config file; unknown fields are errors, so
// that a misspelt one is not silently ignored.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("read webhooks config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("webhooks config %s: %w", path, err)
	}
	return c, nil
}

// SyncConfig makes the config file's subscriptions those of the database.
// getenv reads SecretEnv variables (os.Getenv). Problems name the
// subscription and field: subscriptions[0].url.
func SyncConfig(ctx context.Context, d *db.DB, c Config, getenv func(string) string) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		actor := seam.Actor{Name: ActorConfig}
		now := db.Now()
		last, err := store.LastEventID(ctx, tx)
		if err != nil {
			return err
		}
		old, err := store.ConfigWebhookSubscriptions(ctx, tx)
		if err != nil {
			return err
		}
		var wanted []store.WebhookSubscription
		var names []string
		for i, cs := range c.Subscriptions {
			path := seam.P("subscriptions").Index(i)
			name := strings.TrimSpace(cs.Name)
			if name == "" {
				p.Add(path.Key("name"), "Each subscription needs a name that identifies it across starts.")
			} else if slices.Contains(names, name) {
				p.Add(path.Key("name"), "The name %q is used twice.", name)
			}
			names = append(names, name)
			sec := cs.Secret
			if cs.SecretEnv != "" {
				if sec != "" {
					p.Add(path.Key("secretEnv"), "Give secret or secretEnv, not both.")
				}
				if sec = getenv(cs.SecretEnv); sec == "" {
					p.Add(path.Key("secretEnv"), "The environment variable %s is empty or unset.", cs.SecretEnv)
				}
			} else if sec == "" {
				p.Add(path.Key("secret"), "A config subscription needs a secret or secretEnv: there is nowhere to show a made one.")
			}
			sub := store.WebhookSubscription{ConfigName: &name, Flavour: FlavourIntegrationAPI, ObjectTypes: []string{}, Actions: []string{},
				Cursor: last, NextAttemptAt: now, CreatedBy: ActorConfig, CreatedAt: now, UpdatedAt: now, Status: store.SubscriptionActive}
			in := SubscriptionInput{URL: &cs.URL, ObjectTypes: cs.ObjectTypes, Actions: cs.Actions}
			if sec != "" {
				in.Secret = &sec
			}
			if cs.Flavour != "" {
				in.Flavour = &cs.Flavour
			}
			if cs.StoreID != nil {
				in.Store = seam.ByID(*cs.StoreID)
			}
			if err := apply(ctx, tx, &p, actor, path, in, &sub); err != nil {
				return err
			}
			wanted = append(wanted, sub)
		}
		if err := p.Err(); err != nil {
			return err
		}
		for _, sub := range wanted {
			i := slices.IndexFunc(old, func(o store.WebhookSubscription) bool { return *o.ConfigName == *sub.ConfigName })
			if i >= 0 && sameSettings(old[i], sub) {
				continue
			}
			if err := store.UpsertConfigWebhookSubscription(ctx, tx, &sub); err != nil {
				return err
			}
			action := event.Created
			if i >= 0 {
				action = event.Updated
				sub.Status, sub.Cursor, sub.Attempts = old[i].Status, old[i].Cursor, old[i].Attempts
				// As an update through the API: a change starts a FAILING
				// or retrying subscription again.
				if sub.Status != store.SubscriptionActive || sub.Attempts > 0 {
					if err := restart(ctx, tx, &sub, sub.Cursor, db.Now()); err != nil {
						return err
					}
				}
			}
			if _, err := record(ctx, tx, ActorConfig, sub, action); err != nil {
				return err
			}
		}
		for _, o := range old {
			if slices.Contains(names, *o.ConfigName) {
				continue
			}
			if _, err := store.DeleteWebhookSubscription(ctx, tx, o.ID); err != nil {
				return err
			}
			if _, err := record(ctx, tx, ActorConfig, o, event.Deleted); err != nil {
				return err
			}
		}
		return nil
	})
	return seam.Wrap(err, "apply webhooks config")
}

// sameSettings reports whether a and b differ in nothing the config file
// sets.
func sameSettings(a, b store.WebhookSubscription) bool {
	return a.URL == b.URL && a.Secret == b.Secret && a.Flavour == b.Flavour && slices.Equal(a.ObjectTypes, b.ObjectTypes) &&
		slices.Equal(a.Actions, b.Actions) && ((a.StoreID == nil && b.StoreID == nil) || (a.StoreID != nil && b.StoreID != nil && *a.StoreID == *b.StoreID))
}
