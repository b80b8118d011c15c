package api

import (
	"fmt"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
)

// This file holds the rate limits of a client address (see addressOf):
// registrations a minute, and failed credentials and unknown invite links
// in a longer window. Each is counted in PostgreSQL (store.Hit), so every
// API replica counts against the same limit.

// A limit is how many events of one kind a client address may cause in a
// fixed window.
type limit struct {
	kind   string        // the prefix of its counts' keys
	max    int           // the events a window allows
	window time.Duration // how long a window lasts
	title  string        // what its refusal says
}

// rateLimited is the refusal of a limit: 429 with Retry-After until its
// window ends; problem+json from the error handler, a page from the
// console's sign-in and the registration page.
type rateLimited struct {
	title string
	until time.Time
}

func (e *rateLimited) Error() string { return e.title }

// problem sets Retry-After and is the problem e is answered with.
func (e *rateLimited) problem(c *fiber.Ctx) Problem {
	return Problem{Status: fiber.StatusTooManyRequests, Code: string(lead.CodeRateLimited), Title: e.title,
		Detail: "try again in " + e.wait(c)}
}

// wait sets Retry-After and says it in words: "a minute", "14 minutes".
func (e *rateLimited) wait(c *fiber.Ctx) string {
	if m := e.retryMinutes(c); m > 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "a minute"
}

// retryMinutes sets Retry-After, the whole seconds until the window ends
// (at least one), and returns the minutes they begin.
func (e *rateLimited) retryMinutes(c *fiber.Ctx) int {
	secs := max(int((time.Until(e.until)+time.Second-1)/time.Second), 1)
	c.Set(fiber.HeaderRetryAfter, fmt.Sprint(secs))
	return (secs + 59) / 60
}

// hit counts one event of l from the request's address and refuses the
// event beyond l.max in the window.
func (s *Server) hit(c *fiber.Ctx, l limit) error {
	n, until, err := s.db.Hit(c.UserContext(), l.kind+"/"+s.address(c), l.window)
	if err != nil {
		return lead.Errorf(lead.CodeUnavailable, "the service is busy; try again in a moment")
	}
	if n > l.max {
		return &rateLimited{title: l.title, until: until}
	}
	return nil
}

// blocked refuses a request from an address that has used up the failures
// l allows, before its credential is looked at: once refused, a correct
// guess gets the same answer as a wrong one.
func (s *Server) blocked(c *fiber.Ctx, l limit) error {
	if until, ok := s.blocks.until(l.kind + "/" + s.address(c)); ok {
		return &rateLimited{title: l.title, until: until}
	}
	return nil
}

// failed counts a failure of l from the request's address (a credential
// or an invite link that matched nothing) and returns why, its answer, or
// the refusal once the window has counted more than l.max. From the
// address's l.max-th failure on, this replica refuses it (see blocked)
// until the window ends; another replica does from the address's next
// failure there, since the count is shared.
func (s *Server) failed(c *fiber.Ctx, l limit, why error) error {
	key := l.kind + "/" + s.address(c)
	n, until, err := s.db.Hit(c.UserContext(), key, l.window)
	if err != nil {
		return lead.Errorf(lead.CodeUnavailable, "the service is busy; try again in a moment")
	}
	if n >= l.max {
		s.blocks.add(key, until)
	}
	if n > l.max {
		return &rateLimited{title: l.title, until: until}
	}
	return why
}

// blocks are the addresses this replica refuses, by limit, until when.
type blocks struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (b *blocks) until(key string) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.m[key]
	if ok && !time.Now().Before(t) {
		delete(b.m, key)
		return t, false
	}
	return t, ok
}

func (b *blocks) add(key string, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]time.Time{}
	}
	if len(b.m) >= 1024 {
		now := time.Now()
		for k, t := range b.m {
			if !now.Before(t) {
				delete(b.m, k)
			}
		}
	}
	b.m[key] = until
}
