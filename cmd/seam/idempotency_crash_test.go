package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"seam/internal/dbtest"
)

// TestKeyOfAKilledRequestRunsAgainAfterItsLease: a Checkout API call and an
// Integration API mutation, each sent with an Idempotency-Key, are held
// mid-request (after claiming their key) while their `seam serve` process
// is killed with SIGKILL. Once the key's lease (2 s here, 60 s by default)
// lapses, the same requests with the same keys run on a new process, once:
// the key is not stuck at 409 "still running", and a further repeat is a
// replay.
func TestKeyOfAKilledRequestRunsAgainAfterItsLease(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		hold := filepath.Join(t.TempDir(), "hold")
		if err := os.WriteFile(hold, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		// The sweeper would forget the lapsed keys too; an hour keeps it
		// out, so that the lease alone is tested.
		flags := []string{"--idempotency-lease", "2s", "--sweep-interval", "1h"}
		first := startProcess(t, e, []string{"SEAM_TEST_HOLD_FILE=" + hold}, flags...)
		token := tokenRE.FindString(first.stdout.String())
		if token == "" {
			t.Fatalf("no token printed: %s", first.stdout.String())
		}
		hc := &http.Client{}
		session := call(ctx, hc, "PUT", first.base+"/api/checkout/countries/SE", nil, nil)
		apiToken, _ := session.body["token"].(string)
		if session.status != http.StatusOK || apiToken == "" {
			t.Fatalf("PUT /countries/SE answered %d: %s", session.status, session.raw)
		}
		const mutation = `mutation { createSizeChart(input: {name: "Crash chart" horizontalLabels: ["One"]}) { sizeChart { id } userErrors { message } } }`
		addItem := func(base string, held bool) reply {
			h := map[string]string{"API-Token": apiToken, "Idempotency-Key": "add-1-3"}
			if held {
				h["Seam-Test-Hold"] = "1"
			}
			return call(ctx, hc, "POST", base+"/api/checkout/items/1-3", nil, h)
		}
		createChart := func(base string, held bool) reply {
			h := map[string]string{"Authorization": "Bearer " + token, "Idempotency-Key": "chart-1"}
			if held {
				h["Seam-Test-Hold"] = "1"
			}
			return call(ctx, hc, "POST", base+"/graphql", map[string]string{"query": mutation}, h)
		}
		go addItem(first.base, true)
		go createChart(first.base, true)
		d := e.open(t)
		waitFor(t, "both requests to claim their keys", func() bool {
			return dbtest.Int(t, d, `SELECT COUNT(*) FROM idempotency_key WHERE key IN ('add-1-3', 'chart-1') AND status = 0`) == 2
		})
		first.kill()
		if err := os.Remove(hold); err != nil {
			t.Fatal(err)
		}

		second := startProcess(t, e, nil, flags...)
		var added, created reply
		waitFor(t, "the killed Checkout API request's key to run again", func() bool {
			added = addItem(second.base, false)
			return added.status != http.StatusConflict
		})
		waitFor(t, "the killed Integration API request's key to run again", func() bool {
			created = createChart(second.base, false)
			return created.status != http.StatusConflict
		})
		if added.status != http.StatusOK || added.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("POST /items/1-3 after the lease answered %d (replayed %q): %s", added.status, added.header.Get("Idempotent-Replayed"), added.raw)
		}
		if created.status != http.StatusOK || created.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("createSizeChart after the lease answered %d (replayed %q): %s", created.status, created.header.Get("Idempotent-Replayed"), created.raw)
		}
		if again := addItem(second.base, false); again.status != http.StatusOK || again.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a repeat of POST /items/1-3 answered %d, replayed %q; want the kept answer", again.status, again.header.Get("Idempotent-Replayed"))
		}
		if n := dbtest.Int(t, d, `SELECT COALESCE(SUM(quantity), 0) FROM selection_line`); n != 1 {
			t.Errorf("selection lines hold %d units; want 1 (the add ran once)", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM size_chart WHERE name = 'Crash chart'`); n != 1 {
			t.Errorf("%d size charts named Crash chart; want 1", n)
		}
	})
}
