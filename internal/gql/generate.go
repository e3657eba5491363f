// Package gql is the Integration API adapter: the GraphQL schema in
// schema/, thin resolvers that call the domain packages, dataloaders, the
// permission directive, and the HTTP transport with Centra's status codes,
// extensions and rate limits. Generated code lives in exec/ and model/.
package gql

//go:generate sh -c "cd ../.. && go tool gqlgen generate --config gqlgen.yml"
