package httpx

import (
	"time"

	"github.com/leadflow/leadflow/service"
)

// Deps are what each face (api.Routes, console.Routes) is built with (the
// service, never the store: every read and write goes through it):
// server.New makes one for both.
type Deps struct {
	// Service is every operation, which the handlers call.
	Service *service.Service
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
