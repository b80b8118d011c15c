package httpx

import (
	"time"

	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
)

// Deps are what each face (api.Routes, console.Routes) is built with:
// server.New makes one for both.
type Deps struct {
	// Service is every operation, which the handlers call.
	Service *service.Service
	// Store is read for what the service does not answer: invite links,
	// sessions, and the names a page shows.
	Store *store.DB
	// Guard counts a client address's registrations, failed credentials
	// and unknown invite links against their limits: one for both faces.
	Guard *Guard
	// PublicURL is the base URL users reach the service at, for links.
	PublicURL string
	// ExportTTL is how long an export's file is kept.
	ExportTTL time.Duration
	// MinPolicyDuration is the shortest timer a pool policy may set.
	MinPolicyDuration time.Duration
}
