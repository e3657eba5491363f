// Package mutant holds the switch of the deliberate bugs that the mutation
// check (go run ./scripts/mutants) puts into the code, one at a time, to
// prove that the tests notice each of them.
//
// A call site reads
//
//	if mutant.On("tax-per-unit") {
//		… the buggy variant …
//	}
//
// Without the build tag "mutants" On is the constant false, so the
// compiler removes the buggy variant from every real build. With it
// (go test -tags mutants), On reports whether the environment variable
// SEAM_MUTANT names the mutant.
package mutant
