package api

import "github.com/leadflow/leadflow/service"

// temporalError maps a failure of a Temporal call to a domain error
// (service.TemporalError), for the handlers that still call Temporal.
func (s *Server) temporalError(err error) error { return service.TemporalError(err) }
