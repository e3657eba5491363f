// Command mutants is Seam's mutation check: it switches on, one at a time,
// the deliberate bugs kept in the code as mutant.On/Drop/Replace/Int calls (package
// internal/mutant), runs only the tests that should catch each, and fails
// when one survives (its tests pass), is stale (its statement changed), or
// when the tests fail with no bug on.
//
// Each package is compiled once, with the build tag "mutants"; every run
// of it is then a process with SEAM_MUTANT naming the bug. By default the
// tests run only on PostgreSQL (SEAM_TEST_POSTGRES must be set): the race
// mutants show only there, since SQLite's writes never overlap.
//
//	go run ./scripts/mutants                 # all of them
//	go run ./scripts/mutants -run 'stock|credit' -sqlite
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// mutant is one deliberate bug and the tests that must notice it.
type mutant struct {
	name  string
	pkg   string
	tests string
}

// staleExit is internal/mutant's StaleExit.
const staleExit = 3

func main() {
	run := flag.String("run", "", "only the mutants whose names match this regular expression")
	sqlite := flag.Bool("sqlite", false, "run the tests on SQLite too, not only on PostgreSQL")
	jobs := flag.Int("j", 2, "how many test processes run at once")
	timeout := flag.Duration("timeout", 4*time.Minute, "how long one test run may take")
	flag.Parse()
	start := time.Now()
	if err := check(*run, *sqlite, *jobs, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
	fmt.Printf("mutants: every mutant was caught (%s)\n", time.Since(start).Round(time.Second))
}

func check(run string, sqlite bool, jobs int, timeout time.Duration) error {
	if os.Getenv("SEAM_TEST_POSTGRES") == "" {
		return fmt.Errorf("SEAM_TEST_POSTGRES is not set: the mutants run their tests on PostgreSQL")
	}
	if err := listMatchesCode(); err != nil {
		return err
	}
	re, err := regexp.Compile(run)
	if err != nil {
		return fmt.Errorf("-run: %w", err)
	}
	var chosen []mutant
	for _, m := range mutants {
		if re.MatchString(m.name) {
			chosen = append(chosen, m)
		}
	}
	if len(chosen) == 0 {
		return fmt.Errorf("no mutant matches %q", run)
	}
	dir, err := os.MkdirTemp("", "seam-mutants-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// Compile each package once, and run its chosen tests without a bug.
	tests := map[string][]string{}
	for _, m := range chosen {
		for _, t := range strings.Fields(m.tests) {
			if !slices.Contains(tests[m.pkg], t) {
				tests[m.pkg] = append(tests[m.pkg], t)
			}
		}
	}
	pkgs := slices.Sorted(func(yield func(string) bool) {
		for p := range tests {
			if !yield(p) {
				return
			}
		}
	})
	bins := map[string]string{}
	for _, p := range pkgs {
		t0 := time.Now()
		bin := filepath.Join(dir, strings.ReplaceAll(p, "/", "_")+".test")
		cmd := exec.Command("go", "test", "-c", "-tags", "mutants", "-o", bin, "./"+p)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("compile %s with -tags mutants: %w", p, err)
		}
		bins[p] = bin
		fmt.Printf("compiled %s (%s)\n", p, time.Since(t0).Round(time.Second))
	}
	type job struct {
		m    mutant
		base bool
	}
	var work []job
	for _, p := range pkgs {
		work = append(work, job{mutant{name: "", pkg: p, tests: strings.Join(tests[p], " ")}, true})
	}
	for _, m := range chosen {
		work = append(work, job{m, false})
	}
	var mu sync.Mutex
	var failures []string
	sem := make(chan struct{}, max(1, jobs))
	var wg sync.WaitGroup
	for _, j := range work {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t0 := time.Now()
			code, out := runTests(bins[j.m.pkg], j.m, sqlite, timeout)
			took := time.Since(t0).Round(time.Second)
			mu.Lock()
			defer mu.Unlock()
			label := "mutant " + j.m.name
			if j.base {
				label = "no mutant"
			}
			switch {
			case j.base && code == 0:
				fmt.Printf("ok      %-45s %s %s (%s)\n", label, j.m.pkg, j.m.tests, took)
			case j.base:
				failures = append(failures, fmt.Sprintf("%s: %s fails without any bug:\n%s", j.m.pkg, j.m.tests, tail(out, 40)))
				fmt.Printf("FAIL    %-45s %s %s (%s)\n", label, j.m.pkg, j.m.tests, took)
			case code == 0:
				failures = append(failures, fmt.Sprintf("mutant %s survived %s %s", j.m.name, j.m.pkg, j.m.tests))
				fmt.Printf("SURVIVED %-44s %s %s (%s)\n", label, j.m.pkg, j.m.tests, took)
			case code == staleExit:
				failures = append(failures, fmt.Sprintf("mutant %s is stale:\n%s", j.m.name, tail(out, 10)))
				fmt.Printf("STALE   %-45s %s (%s)\n", label, j.m.pkg, took)
			default:
				fmt.Printf("caught  %-45s %s %s (%s)\n        %s\n", label, j.m.pkg, j.m.tests, took, evidence(out))
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		return fmt.Errorf("%d problems:\n%s", len(failures), strings.Join(failures, "\n"))
	}
	return nil
}

// runTests runs m's tests in the compiled test binary of its package, in
// the package's directory (tests read testdata), with m switched on.
func runTests(bin string, m mutant, sqlite bool, timeout time.Duration) (int, []byte) {
	pattern := "^(" + strings.Join(strings.Fields(m.tests), "|") + ")$"
	if !sqlite {
		pattern += "/^postgres$"
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run", pattern, "-test.timeout", timeout.String())
	cmd.Dir = m.pkg
	cmd.Env = append(os.Environ(), "SEAM_MUTANT="+m.name, "SEAM_TEST_REQUIRE_POSTGRES=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return 0, out
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out
	}
	return -1, append(out, []byte(err.Error())...)
}

// evidence is the first line of a test's complaint, to show what caught
// the mutant.
func evidence(out []byte) string {
	for _, line := range bytes.Split(out, []byte("\n")) {
		l := strings.TrimSpace(string(line))
		if strings.Contains(l, "_test.go:") || strings.HasPrefix(l, "panic:") {
			if len(l) > 200 {
				l = l[:200] + "…"
			}
			return l
		}
	}
	return strings.TrimSpace(tail(out, 3))
}

func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// callSite finds the mutant names in the code.
var callSite = regexp.MustCompile(`mutant\.(?:On|Drop|Replace|Int)\("([^"]+)"`)

// listMatchesCode checks that every mutant the list names is in the code
// and every one in the code is on the list.
func listMatchesCode() error {
	inCode := map[string]bool{}
	err := filepath.WalkDir("internal", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range callSite.FindAllSubmatch(b, -1) {
			inCode[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("run from the repository's root: %w", err)
	}
	onList := map[string]bool{}
	var problems []string
	for _, m := range mutants {
		for _, n := range strings.Split(m.name, "+") {
			onList[n] = true
			if !inCode[n] {
				problems = append(problems, fmt.Sprintf("mutant %s is on the list but no mutant.On/Drop/Replace/Int call names it", n))
			}
		}
		if strings.TrimSpace(m.tests) == "" {
			problems = append(problems, fmt.Sprintf("mutant %s names no tests", m.name))
		}
	}
	for n := range inCode {
		if !onList[n] {
			problems = append(problems, fmt.Sprintf("mutant %s is in the code but not on the list in scripts/mutants/list.go", n))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}
