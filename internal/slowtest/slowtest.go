// Package slowtest makes a fake provider's HTTP server slow, for tests: a
// Slow waits out a delay before each answer and counts the requests
// waiting; a request whose client goes away meanwhile is one the provider
// never accepted.
package slowtest

import (
	"net/http"
	"sync"
	"time"
)

// Slow is how long a fake provider takes to answer. The zero value answers at once.
type Slow struct {
	mu       sync.Mutex
	delay    time.Duration
	inFlight int
}

// Delay makes every later request wait d before it is answered.
func (s *Slow) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// InFlight is how many requests are waiting out the delay.
func (s *Slow) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

// Wait waits out the delay for r: false when r's client went away
// meanwhile (the provider accepts nothing from a request cut off).
func (s *Slow) Wait(r *http.Request) bool {
	s.mu.Lock()
	delay := s.delay
	s.inFlight++
	s.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
	return r.Context().Err() == nil
}
