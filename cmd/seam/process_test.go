package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// TestMain removes the binary crash tests built.
// removeBinary removes the seam command seamBinary built; TestMain calls it.
func removeBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// seamBinary builds the seam command once per test process, so that crash
// tests can kill a real `seam serve` process.
func seamBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "seam-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "seam")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{err: err, out: string(out)}
		}
	})
	if binErr != nil {
		t.Fatalf("build seam: %v", binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// process is a `seam serve` child process.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
}

// engine is where the processes of a crash test keep their data: a
// PostgreSQL URL, or an SQLite data directory.
type engine struct {
	name    string
	url     string
	dataDir string
}

// engines returns SQLite and, when SEAM_TEST_POSTGRES is set, PostgreSQL,
// as subtests named sqlite and postgres.
func eachEngine(t *testing.T, fn func(t *testing.T, e engine)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, engine{name: "sqlite", dataDir: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, engine{name: "postgres", url: dbtest.PostgresURL(t)})
	})
}

// open opens the engine's database from the test, as another process.
func (e engine) open(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), e.url, e.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// startProcess starts `seam serve` on a free port with args and extra
// environment, and waits until it listens.
func startProcess(t *testing.T, e engine, env []string, args ...string) *process {
	t.Helper()
	all := []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}
	if e.url != "" {
		// Pictures go to a temporary folder, not ./seam-data of the package.
		all = append(all, "--database-url", e.url, "--media-dir", t.TempDir())
	} else {
		all = append(all, "--data", e.dataDir)
	}
	cmd := exec.Command(seamBinary(t), append(all, args...)...)
	cmd.Env = append(os.Environ(), env...)
	p := &process{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	for p.base == "" {
		if m := urlRE.FindStringSubmatch(p.stderr.String()); m != nil {
			p.base = m[1]
			break
		}
		select {
		case <-p.done:
			t.Fatalf("seam serve exited: %s", p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return p
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *process) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// reply is an HTTP answer read whole.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call sends a JSON request; a transport error (the process was killed)
// is an answer with status 0.
func call(ctx context.Context, hc *http.Client, method, url string, body any, header map[string]string) reply {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return reply{raw: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return reply{raw: err.Error()}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// waitFor polls cond every 50 ms until it holds or a generous deadline
// (for a busy machine) passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
