//go:build !mutants

package mutant

// On reports whether the deliberate bug name is switched on: never, in a
// build without the "mutants" tag.
func On(name string) bool { return false }

// Drop returns statement unchanged, in a build without the "mutants" tag.
func Drop(name, statement, part string) string { return statement }

// Replace returns statement unchanged, in a build without the "mutants" tag.
func Replace(name, statement, old, new string) string { return statement }

// Int returns 0, in a build without the "mutants" tag.
func Int(name string, n int64) int64 { return 0 }
