package gql

import "seam/internal/auth"

// apiTokenKinds names each kind of credential as ApiTokenKind does.
var apiTokenKinds = map[auth.Kind]string{
	auth.KindIntegration:    "INTEGRATION_API",
	auth.KindCheckoutSecret: "CHECKOUT_API_SHARED_SECRET",
}
