//go:build mutants

package mutant

import "os"

// active is the mutant this test binary runs with, from SEAM_MUTANT.
var active = os.Getenv("SEAM_MUTANT")

// On reports whether the deliberate bug name is switched on: SEAM_MUTANT
// names it.
func On(name string) bool { return name == active }
