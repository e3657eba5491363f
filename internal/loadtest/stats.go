package loadtest

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"
)

// CallStats are the latencies of one kind of call.
type CallStats struct {
	Call               string
	Count              int
	P50, P95, P99, Max time.Duration
}

// recorder collects the latency of every answered call, by call name.
type recorder struct {
	mu    sync.Mutex
	order []string
	calls map[string][]time.Duration
}

func newRecorder(order ...string) *recorder {
	return &recorder{order: order, calls: map[string][]time.Duration{}}
}

func (r *recorder) add(call string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.calls[call]; !ok && !slices.Contains(r.order, call) {
		r.order = append(r.order, call)
	}
	r.calls[call] = append(r.calls[call], d)
}

// total is the number of calls recorded.
func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ds := range r.calls {
		n += len(ds)
	}
	return n
}

// stats summarizes each call in the recorder's order, leaving out calls
// that were never made.
func (r *recorder) stats() []CallStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []CallStats
	for _, call := range r.order {
		ds := slices.Clone(r.calls[call])
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		out = append(out, CallStats{Call: call, Count: len(ds), P50: percentile(ds, 50), P95: percentile(ds, 95),
			P99: percentile(ds, 99), Max: ds[len(ds)-1]})
	}
	return out
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 · n)
	return sorted[max(rank, 1)-1]
}

func printCalls(w io.Writer, calls []CallStats) {
	fmt.Fprintf(w, "\n  %-16s %8s %10s %10s %10s %10s\n", "call", "count", "p50", "p95", "p99", "max")
	for _, c := range calls {
		fmt.Fprintf(w, "  %-16s %8d %10s %10s %10s %10s\n", c.Call, c.Count, ms(c.P50), ms(c.P95), ms(c.P99), ms(c.Max))
	}
}

// ms writes a latency in milliseconds with a precision that fits it.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2fms", v)
	case v < 100:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}

// perSecond is n per second of d.
func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// tally counts outcomes by a label, for errors by call and status.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
	sample map[string]string
}

func newTally() *tally { return &tally{counts: map[string]int{}, sample: map[string]string{}} }

func (t *tally) add(label, sample string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts[label]++
	if _, ok := t.sample[label]; !ok {
		t.sample[label] = sample
	}
}

// Count is how often one kind of error happened, with the first message.
type Count struct {
	Label  string
	N      int
	Sample string
}

func (t *tally) list() []Count {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Count, 0, len(t.counts))
	for l, n := range t.counts {
		out = append(out, Count{Label: l, N: n, Sample: t.sample[l]})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].N > out[j].N || (out[i].N == out[j].N && out[i].Label < out[j].Label)
	})
	return out
}

func sum(cs []Count) int {
	n := 0
	for _, c := range cs {
		n += c.N
	}
	return n
}

func printErrors(w io.Writer, errs []Count) {
	for _, e := range errs {
		fmt.Fprintf(w, "    %-28s %6d  e.g. %s\n", e.Label, e.N, e.Sample)
	}
}
