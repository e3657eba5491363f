// Package gqltest runs Seam's HTTP server in tests and sends Integration
// API requests to it over real HTTP.
package gqltest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/server"
)

// Client talks to a test server with one token.
type Client struct {
	t testing.TB
	// URL is the server's base URL.
	URL string
	// Token is the secret the client sends.
	Token string
	// HTTP is the client used; its transport keeps connections alive.
	HTTP *http.Client
}

// Server starts Seam on d behind httptest with the given default limits
// (zero: none) and logs to the test log. It stops when the test ends.
func Server(t testing.TB, d *db.DB, limits auth.Limits) *httptest.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(server.New(server.Config{DB: d, Log: log, Version: "test", Limits: limits}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// New starts a server on d and returns a client whose token has every
// permission and no rate limits. The token's integration name is name.
func New(t testing.TB, d *db.DB, name string) *Client {
	t.Helper()
	srv := Server(t, d, auth.Limits{})
	return &Client{t: t, URL: srv.URL, Token: NewToken(t, d, auth.NewToken{Name: name, All: true}), HTTP: srv.Client()}
}

// NewToken creates a token and returns its secret.
func NewToken(t testing.TB, d *db.DB, in auth.NewToken) string {
	t.Helper()
	sec, _, err := auth.Create(context.Background(), d, in)
	if err != nil {
		t.Fatal(err)
	}
	return sec.Reveal()
}

// With returns a client of the same server that sends another token.
func (c *Client) With(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// Result is a decoded GraphQL response.
type Result struct {
	Status     int
	Header     http.Header
	Data       map[string]any
	Errors     []map[string]any
	Extensions map[string]any
	Raw        []byte
}

// Do sends a query with variables and decodes the answer. It fails the test
// only when the exchange itself fails; the status is the caller's to check.
func (c *Client) Do(query string, vars map[string]any) Result {
	c.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		c.t.Fatal(err)
	}
	return c.Post(body)
}

// Post sends a raw body.
func (c *Client) Post(body []byte) Result {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	return c.Send(req)
}

// Send sends a prepared request and decodes the answer.
func (c *Client) Send(req *http.Request) Result {
	c.t.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := Result{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	var out struct {
		Data       map[string]any   `json:"data"`
		Errors     []map[string]any `json:"errors"`
		Extensions map[string]any   `json:"extensions"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("response is not JSON (status %d): %s", resp.StatusCode, raw)
	}
	r.Data, r.Errors, r.Extensions = out.Data, out.Errors, out.Extensions
	return r
}

// MustOK sends a query and fails the test unless it ran with status 200,
// no errors and, for every mutation payload, no userErrors.
func (c *Client) MustOK(query string, vars map[string]any) Result {
	c.t.Helper()
	r := c.Do(query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		c.t.Fatalf("status %d, errors %v\nquery: %s", r.Status, r.Errors, query)
	}
	for name, v := range r.Data {
		if p, ok := v.(map[string]any); ok {
			if ue, ok := p["userErrors"].([]any); ok && len(ue) > 0 {
				c.t.Fatalf("%s: userErrors %v", name, ue)
			}
		}
	}
	return r
}

// Get follows a path of keys and list indexes through decoded JSON:
// Get(r.Data, "createProduct", "product", "id").
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			if ms, ok := v.([]map[string]any); ok {
				if k >= len(ms) {
					return nil
				}
				v = ms[k]
				continue
			}
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// ID reads a numeric id from decoded JSON.
func ID(v any, path ...any) int64 {
	f, _ := Get(v, path...).(float64)
	return int64(f)
}

// UserErrors returns the userErrors of a mutation payload.
func (r Result) UserErrors(mutation string) []map[string]any {
	var out []map[string]any
	for _, e := range asList(Get(r.Data, mutation, "userErrors")) {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
