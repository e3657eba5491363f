package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary stand in for the seam binary: with
// SEAM_TEST_AS_SEAM=1 it runs the command line as seam would. Tests use it
// to run seam in another process (as another user, or from the README's
// shell examples) without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("SEAM_TEST_AS_SEAM") == "1" {
		main()
	}
	code := m.Run()
	removeBinary()
	os.Exit(code)
}
