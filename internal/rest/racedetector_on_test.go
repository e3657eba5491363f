//go:build race

package rest_test

// raceDetector is true when the tests run under -race, which slows
// modernc.org/sqlite's single writer about tenfold.
const raceDetector = true
