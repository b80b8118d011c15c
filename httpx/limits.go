package httpx

import (
	"fmt"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
)

// This file holds the rate limits of a client address (see AddressOf):
// registrations a minute, and failed credentials and unknown invite links
// in a longer window. Each is counted in PostgreSQL (store.Hit), so every
// replica counts against the same limit.

// A Limit is how many events of one kind a client address may cause in a
// fixed window.
type Limit struct {
	kind   string        // the prefix of its counts' keys
	max    int           // the events a window allows
	window time.Duration // how long a window lasts
	title  string        // what its refusal says
}

// Guard counts the events of a client address against its limits, for
// both faces: one Guard per app, so that a failed bearer token and a
// failed console sign-in count against the same limit and block.
type Guard struct {
	db      *store.DB
	proxies Proxies
	// The limits of a client address: registrations, failed credentials
	// (SignIn) and unknown invite links.
	Register, SignIn, Invite Limit
	// blocks are the addresses this replica refuses for the last two.
	blocks blocks
}

// NewGuard is the Guard of an app: registerPerMinute registrations a
// minute, failures failed credentials and, apart, unknown invite links in
// window, counted in db, by the client address behind trustedProxies.
func NewGuard(db *store.DB, trustedProxies []string, registerPerMinute, failures int, window time.Duration) *Guard {
	return &Guard{db: db, proxies: ParseProxies(trustedProxies),
		Register: Limit{"register", registerPerMinute, time.Minute, "too many registrations from your network"},
		SignIn:   Limit{"signin", failures, window, "too many failed sign-ins from your network"},
		Invite:   Limit{"invite", failures, window, "too many unknown invite links from your network"}}
}

// IP is the client address of the request (see ClientIP).
func (g *Guard) IP(c *fiber.Ctx) string { return IP(c, g.proxies) }

// address is the client of the request as the limits count clients: see
// AddressOf.
func (g *Guard) address(c *fiber.Ctx) string { return AddressOf(g.IP(c)) }

// RateLimited is the refusal of a limit: 429 with Retry-After until its
// window ends; problem+json from the error handler, a page from the
// console's sign-in and the registration page.
type RateLimited struct {
	title string
	until time.Time
}

// Error is what the limit says.
func (e *RateLimited) Error() string { return e.title }

// Problem sets Retry-After and is the problem e is answered with.
func (e *RateLimited) Problem(c *fiber.Ctx) Problem {
	return Problem{Status: fiber.StatusTooManyRequests, Code: string(lead.CodeRateLimited), Title: e.title,
		Detail: "try again in " + e.Wait(c)}
}

// Wait sets Retry-After and says it in words: "a minute", "14 minutes".
func (e *RateLimited) Wait(c *fiber.Ctx) string {
	if m := e.RetryMinutes(c); m > 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "a minute"
}

// RetryMinutes sets Retry-After, the whole seconds until the window ends
// (at least one), and returns the minutes they begin.
func (e *RateLimited) RetryMinutes(c *fiber.Ctx) int {
	secs := max(int((time.Until(e.until)+time.Second-1)/time.Second), 1)
	c.Set(fiber.HeaderRetryAfter, fmt.Sprint(secs))
	return (secs + 59) / 60
}

// Hit counts one event of l from the request's address and refuses the
// event beyond l.max in the window.
func (g *Guard) Hit(c *fiber.Ctx, l Limit) error {
	n, until, err := g.db.Hit(c.UserContext(), l.kind+"/"+g.address(c), l.window)
	if err != nil {
		return lead.Errorf(lead.CodeUnavailable, "the service is busy; try again in a moment")
	}
	if n > l.max {
		return &RateLimited{title: l.title, until: until}
	}
	return nil
}

// Blocked refuses a request from an address that has used up the failures
// l allows, before its credential is looked at: once refused, a correct
// guess gets the same answer as a wrong one.
func (g *Guard) Blocked(c *fiber.Ctx, l Limit) error {
	if until, ok := g.blocks.until(l.kind + "/" + g.address(c)); ok {
		return &RateLimited{title: l.title, until: until}
	}
	return nil
}

// Failed counts a failure of l from the request's address (a credential
// or an invite link that matched nothing) and returns why, its answer, or
// the refusal once the window has counted more than l.max. From the
// address's l.max-th failure on, this replica refuses it (see Blocked)
// until the window ends; another replica does from the address's next
// failure there, since the count is shared.
func (g *Guard) Failed(c *fiber.Ctx, l Limit, why error) error {
	key := l.kind + "/" + g.address(c)
	n, until, err := g.db.Hit(c.UserContext(), key, l.window)
	if err != nil {
		return lead.Errorf(lead.CodeUnavailable, "the service is busy; try again in a moment")
	}
	if n >= l.max {
		g.blocks.add(key, until)
	}
	if n > l.max {
		return &RateLimited{title: l.title, until: until}
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

// UserOfToken is the active user whose API token this is: a bearer token,
// or one pasted on the console's sign-in page. A token of no one counts as
// a failed sign-in of the client's address (g.SignIn); an address that has
// used those up is refused (*RateLimited) before its token is looked at.
func (g *Guard) UserOfToken(c *fiber.Ctx, token string) (lead.User, error) {
	if err := g.Blocked(c, g.SignIn); err != nil {
		return lead.User{}, err
	}
	u, err := g.db.UserByTokenHash(c.UserContext(), service.HashToken(token))
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return u, g.Failed(c, g.SignIn, err)
	}
	return u, err
}

// Inviter is the rep whose invite link tok is (service.Inviter). An
// unknown link counts against the address's limit of them (g.Invite):
// beyond it, every link is refused until the window ends.
func (g *Guard) Inviter(c *fiber.Ctx, svc *service.Service, tok string) (lead.User, error) {
	if err := g.Blocked(c, g.Invite); err != nil {
		return lead.User{}, err
	}
	rep, err := svc.Inviter(c.UserContext(), tok)
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return rep, g.Failed(c, g.Invite, err)
	}
	return rep, err
}
