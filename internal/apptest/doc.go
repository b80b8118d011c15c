// Package apptest is the test harness of the two faces' tests (api/ and
// console/): a whole stack on real PostgreSQL and Temporal (internal/testenv)
// with the app of server.New, requests checked against the OpenAPI
// document, a cookie-keeping browser for the console, the authorization
// matrix's cast and rows, and the fixtures both faces' tests build on. It
// is imported by tests only, never by a production package.
package apptest
