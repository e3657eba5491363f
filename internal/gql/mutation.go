package gql

import (
	"context"

	"seam/internal/gql/model"
	"seam/internal/seam"
)

// start begins a mutation field: it drops cached loads, so the payload
// shows what this mutation and the ones before it wrote, and returns the
// actor.
func start(ctx context.Context) seam.Actor {
	requestFrom(ctx).fresh()
	return actor(ctx)
}

// failed sorts a domain error into userErrors (input problems) and other
// errors, and reports whether the payload should stop there.
func failed(err error, ue *[]*model.UserError, uw *[]*model.UserWarning) (bool, error) {
	if *uw == nil {
		*uw = warnings(nil)
	}
	var other error
	*ue, other = userErrors(err)
	return other != nil || len(*ue) > 0, other
}
