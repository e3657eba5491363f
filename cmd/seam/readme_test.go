package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"seam/internal/dbtest"
)

// readmeBlock is one fenced ```sh block of the README and the answer the
// README shows for it, if any.
type readmeBlock struct {
	line   int    // 1-based line of the opening fence
	script string // the block as written
	answer string // the ```json block after it that the prose calls its answer
}

// readmeBlocks returns the README's ```sh blocks in order.
func readmeBlocks(t *testing.T, readme string) []readmeBlock {
	t.Helper()
	var (
		blocks []readmeBlock
		cur    *readmeBlock
		lang   string
		body   []string
		prose  []string // text between the last sh block and the next fence
	)
	for i, l := range strings.Split(readme, "\n") {
		switch {
		case lang == "" && strings.HasPrefix(l, "```"):
			lang = strings.TrimSpace(strings.TrimPrefix(l, "```"))
			if lang == "" {
				lang = "text"
			}
			body = nil
			if lang == "sh" {
				blocks = append(blocks, readmeBlock{line: i + 1})
			}
		case lang != "" && strings.TrimSpace(l) == "```":
			switch {
			case lang == "sh":
				blocks[len(blocks)-1].script = strings.Join(body, "\n") + "\n"
				cur, prose = &blocks[len(blocks)-1], nil
			case lang == "json" && cur != nil && strings.Contains(strings.Join(prose, " "), "answers"):
				cur.answer = strings.Join(body, "\n")
				cur = nil
			default:
				cur = nil
			}
			lang = ""
		case lang != "":
			body = append(body, l)
		default:
			prose = append(prose, l)
		}
	}
	if lang != "" {
		t.Fatalf("README: a ``` fence is never closed")
	}
	return blocks
}

// readmeSkips are the sh blocks the example test does not run, each for a
// reason; every other block runs.
var readmeSkips = []struct{ has, why string }{
	{"go test -race ./...", "the first two commands: the test runs serve itself, and is the test suite"},
	{"SEAM_DATABASE_URL=", "starts another server on PostgreSQL"},
	{"seam loadtest checkout", "load tests run for 30 s at full speed; cmd/seam's loadtest tests run them against serve"},
	{"https://example.com/tee.jpg", "Seam fetches the picture from the internet; the multipart example after it uploads one"},
	{"go run ./scripts/mutants", "the mutation check is part of the development suite (.ci/run runs it)"},
}

var (
	readmeTokenRE = regexp.MustCompile(`seam_[a-z]+_[A-Za-z0-9_-]{20,}`)
	readmeTimeRE  = regexp.MustCompile(`^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$`)
	readmeHashRE  = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// normaliseAnswer replaces what differs from run to run (tokens, times,
// order hashes, the build's revision) with placeholders.
func normaliseAnswer(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = normaliseAnswer(x)
			if k == "appVersion" {
				if s, ok := x.(string); ok {
					v[k], _, _ = strings.Cut(s, "+")
				}
			}
		}
	case []any:
		for i, x := range v {
			v[i] = normaliseAnswer(x)
		}
	case string:
		switch {
		case readmeTokenRE.MatchString(v):
			return readmeTokenRE.ReplaceAllString(v, "<token>")
		case readmeTimeRE.MatchString(v):
			return "<time>"
		case readmeHashRE.MatchString(v):
			return "<hash>"
		}
	}
	return v
}

// TestReadmeShellExamplesAnswerAsShown runs the README's shell examples in
// order, in one bash session as a reader pastes them, against a fresh
// seam serve with the demo shop, with the token serve printed, and the
// seam command on PATH. Every example must run without an HTTP error or a
// userError, and an example whose answer the README shows (a ```json block
// after it that the text calls its answer) must answer that with its first
// JSON answer (tokens, times and order hashes aside).
func TestReadmeShellExamplesAnswerAsShown(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's examples need %s: %v", tool, err)
		}
	}
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(t, string(raw))

	data := t.TempDir()
	base, out, serverLog, stop := startServeLogs(t, "--data", data)
	defer stop()
	token := tokenRE.FindString(out.String())
	if token == "" {
		t.Fatalf("serve printed no token:\n%s", out.String())
	}

	// seam on PATH is this test binary acting as seam, on serve's database.
	bin := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	wrapper := fmt.Sprintf("#!/bin/sh\nSEAM_TEST_AS_SEAM=1 exec %q \"$@\"\n", self)
	if err := os.WriteFile(filepath.Join(bin, "seam"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(base, "http://")
	sh := exec.CommandContext(dbtest.Deadline(t), "bash", "--noprofile", "--norc")
	sh.Dir = t.TempDir()
	sh.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "SEAM_DATA="+data, "SEAM_TOKEN=")
	stdin, err := sh.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdoutPipe, err := sh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var shErr syncBuffer
	sh.Stderr = &shErr
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = sh.Wait() }()
	lines := bufio.NewScanner(stdoutPipe)
	lines.Buffer(make([]byte, 1<<20), 16<<20)

	ran := 0
blocks:
	for i, b := range blocks {
		for _, s := range readmeSkips {
			if strings.Contains(b.script, s.has) {
				t.Logf("README line %d: not run: %s", b.line, s.why)
				continue blocks
			}
		}
		ran++
		script := strings.NewReplacer("http://127.0.0.1:8080", base, "localhost:8080", host, "seam_it_…", token).Replace(b.script)
		file := filepath.Join(sh.Dir, fmt.Sprintf("block%d.sh", i))
		if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
			t.Fatal(err)
		}
		errBefore := len(shErr.String())
		// The marker ends the block's output; source keeps its variables
		// and functions for the blocks after it, as in a reader's shell.
		fmt.Fprintf(stdin, "source %q </dev/null; printf '\\n@@@ %%s\\n' $?\n", file)
		var got []string
		code := ""
		for lines.Scan() {
			if rest, ok := strings.CutPrefix(lines.Text(), "@@@ "); ok {
				code = rest
				break
			}
			got = append(got, lines.Text())
		}
		if code == "" {
			t.Fatalf("README line %d: bash ended: %v\n%s", b.line, lines.Err(), shErr.String())
		}
		output := strings.TrimSpace(strings.Join(got, "\n"))
		where := fmt.Sprintf("README line %d", b.line)
		if code != "0" {
			t.Errorf("%s: the example exited %s\n%s\nstderr: %s", where, code, output, shErr.String()[errBefore:])
		}
		if e := shErr.String()[errBefore:]; e != "" {
			t.Errorf("%s: the example wrote to stderr: %s", where, e)
		}
		for _, bad := range []string{`"userErrors":[{`, `"errors":[`, `"errors":{`} {
			if strings.Contains(output, bad) {
				t.Errorf("%s: the example's answer has %s:\n%s", where, bad, output)
			}
		}
		if b.answer == "" {
			continue
		}
		var want, have any
		if err := json.Unmarshal([]byte(b.answer), &want); err != nil {
			t.Fatalf("%s: the answer the README shows is not JSON: %v", where, err)
		}
		// The answer shown is that of the block's first call that answers
		// JSON; later calls (applying what it made) only must not fail.
		if i := strings.IndexByte(output, '{'); i >= 0 {
			// curl prints no newline after an answer: decode the first
			// value and leave what follows it.
			_ = json.NewDecoder(strings.NewReader(output[i:])).Decode(&have)
		}
		if have == nil {
			t.Errorf("%s: the example answered no JSON:\n%s", where, output)
			continue
		}
		if d := cmp.Diff(normaliseAnswer(want), normaliseAnswer(have)); d != "" {
			t.Errorf("%s: the answer differs from the README's (-README +server):\n%s", where, d)
		}
	}
	if ran < 8 {
		t.Errorf("ran %d of the README's %d sh blocks; the README has lost its examples or the test its way to find them", ran, len(blocks))
	}

	// Every request the examples made succeeded.
	stdin.Close()
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	for _, l := range strings.Split(serverLog.String(), "\n") {
		var e struct {
			Method, Path string
			Status       int
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Status >= 400 {
			t.Errorf("an example's request failed: %s %s answered %d", e.Method, e.Path, e.Status)
		}
	}
}
