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
//
// Drop takes a guard out of a SQL statement when its mutant is on (Replace
// changes it), and Int is an amount to be off by:
//
//	q.ExecContext(ctx, mutant.Drop("voucher-use-unlimited", `UPDATE … WHERE id = $1 AND usages < max_usages`, " AND usages < max_usages"), id)
package mutant
