package db

import (
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// SQLite's built-in lower() folds only ASCII and it has no "C" collation;
// PostgreSQL's lower() folds all of Unicode and "C" orders by bytes. These
// registrations give SQLite the same two, so that one SQL text filters and
// sorts alike on both engines.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default:
			return v, nil
		}
	})
	sqlite.MustRegisterCollationUtf8("C", strings.Compare)
}
