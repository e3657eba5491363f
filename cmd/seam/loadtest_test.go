package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

func TestLoadtestRefusesBadFlagsWithUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"loadtest"}, "give a mode"},
		{[]string{"loadtest", "soak"}, `unknown mode "soak"`},
		{[]string{"loadtest", "checkout", "--concurrency", "0"}, "--concurrency must be 1 to 10000, got 0"},
		{[]string{"loadtest", "checkout", "--duration", "-1s"}, "--duration must be positive"},
		{[]string{"loadtest", "checkout", "--url", "127.0.0.1:8080"}, "--url: the URL must look like http://"},
		{[]string{"loadtest", "checkout", "--stock", "10", "--token", ""}, "--stock creates a product through the Integration API: give --token"},
		{[]string{"loadtest", "checkout", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"loadtest", "checkout", "now"}, `unexpected argument "now"`},
		{[]string{"loadtest", "stock-race", "--token", ""}, "give --token (or SEAM_TOKEN)"},
		{[]string{"loadtest", "stock-race", "--token", "t", "--units", "0"}, "--units must be 1 to 1000000, got 0"},
		{[]string{"loadtest", "stock-race", "--token", "t", "--buyers", "-3"}, "--buyers must be 1 to 10000, got -3"},
		{[]string{"loadtest", "stock-race", "--buyers", "many"}, `invalid value "many" for flag -buyers`},
		{[]string{"loadtest", "link-race", "--token", ""}, "link-race creates its product, selection and link through the Integration API: give --token"},
		{[]string{"loadtest", "link-race", "--token", "t", "--units", "0"}, "--units must be 1 to 1000000, got 0"},
		{[]string{"loadtest", "link-race", "--token", "t", "--buyers", "10001"}, "--buyers must be 1 to 10000, got 10001"},
		{[]string{"loadtest", "link-race", "--token", "t", "--timeout", "-1s"}, "--timeout must be positive"},
		{[]string{"loadtest", "link-race", "--url", "http://x/?q=1", "--token", "t"}, "--url: the URL is Seam's base URL without a query"},
		{[]string{"loadtest", "link-race", "--token", "t", "again"}, `unexpected argument "again"`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d; want 2 (usage)\n%s", tc.args, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, tc.want, stderr.String())
		}
	}
}

func TestLoadtestHelpListsTheFlagsOfEveryMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"loadtest", "-h"}, []string{"checkout", "stock-race", "-concurrency", "-duration", "-units", "-buyers", "-url", "-token"}},
		{[]string{"loadtest", "checkout", "-h"}, []string{"-concurrency", "-duration", "-stock", "-url", "-token", "-timeout"}},
		{[]string{"loadtest", "stock-race", "--help"}, []string{"-units", "-buyers", "-url", "-token", "-timeout"}},
		{[]string{"loadtest", "link-race", "-h"}, []string{"payment", "-units", "(default 1000)", "-url", "-token", "-timeout"}},
		{[]string{"loadtest", "help"}, []string{"link-race", "Flags of link-race"}},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, &stdout, &stderr); code != 0 {
			t.Errorf("%v: exit %d; want 0", tc.args, code)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%v: help lacks %q:\n%s", tc.args, w, stderr.String())
			}
		}
	}
}

func TestLoadtestStockRaceAgainstServeSellsTheUnits(t *testing.T) {
	t.Parallel()
	base, out, stop := startServe(t, "--data", t.TempDir())
	defer stop()
	token := tokenRE.FindString(out.String())
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"loadtest", "stock-race", "--url", base, "--token", token, "--units", "3", "--buyers", "8"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, re := range []string{`sold\s+3\n`, `refused\s+5 `, `ok\s+no more units sold than were in stock \(sold 3 of 3\)`, `payment\s+8 `} {
		if !regexp.MustCompile(re).MatchString(stdout.String()) {
			t.Errorf("report does not match %s:\n%s", re, stdout.String())
		}
	}
}

func TestLoadtestLinkRaceAgainstServeSellsTheLinkOnce(t *testing.T) {
	t.Parallel()
	base, out, stop := startServe(t, "--data", t.TempDir())
	defer stop()
	token := tokenRE.FindString(out.String())
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"loadtest", "link-race", "--url", base, "--token", token, "--buyers", "12"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, re := range []string{`orders\s+1  `, `refused\s+11  \(410: `, `failed\s+0\n`, `stock after the race: physical 10, allocated 1,`,
		`ok\s+exactly one order`, `ok\s+the link is USED by that order`, `claim\s+12 `, `payment\s+12 `} {
		if !regexp.MustCompile(re).MatchString(stdout.String()) {
			t.Errorf("report does not match %s:\n%s", re, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "FAIL") {
		t.Errorf("an invariant failed:\n%s", stdout.String())
	}
}
