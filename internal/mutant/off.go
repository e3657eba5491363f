//go:build !mutants

package mutant

// On reports whether the deliberate bug name is switched on: never, in a
// build without the "mutants" tag.
func On(name string) bool { return false }

// Drop returns statement unchanged, in a build without the "mutants" tag.
func Drop(name, statement, part string) string { return statement }
