//go:build mutants

package mutant

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// active are the mutants this test binary runs with: SEAM_MUTANT names
// one, or several joined by "+" for a bug that takes more than one.
var active = strings.Split(os.Getenv("SEAM_MUTANT"), "+")

// On reports whether the deliberate bug name is switched on: SEAM_MUTANT
// names it.
func On(name string) bool { return slices.Contains(active, name) }

// StaleExit is the exit status of a test binary whose mutant no longer
// fits the code it was written for (see Drop).
const StaleExit = 3

// Drop returns statement without part when the mutant name is on, for
// mutants that take a guard out of a SQL statement. A statement that no
// longer holds part stops the test binary with StaleExit, so that the
// mutation check reports the mutant as stale instead of as caught.
func Drop(name, statement, part string) string { return Replace(name, statement, part, "") }

// Replace returns statement with old replaced by new when the mutant name
// is on, for a guard that cannot simply go (its parameter is still
// passed): "next_attempt_at <= $2" becomes "(next_attempt_at <= $2 OR
// TRUE)". A statement without old stops the binary with StaleExit.
func Replace(name, statement, old, new string) string {
	if !On(name) {
		return statement
	}
	if !strings.Contains(statement, old) {
		fmt.Fprintf(os.Stderr, "mutant %s is stale: the statement no longer contains %q:\n%s\n", name, old, statement)
		os.Exit(StaleExit)
	}
	return strings.Replace(statement, old, new, 1)
}

// Int returns n when the mutant name is on and 0 otherwise, for mutants
// that are off by some amount: `balance := minor - mutant.Int("gift-balance-short", 100)`.
func Int(name string, n int64) int64 {
	if On(name) {
		return n
	}
	return 0
}
