// Package rules compiles and evaluates the admin-editable rule sets that
// steer leadflow's decisions. Rules are expr-lang expressions checked against
// a typed environment (Env); evaluation returns an outcome and a trace that
// explains it. The package does no I/O: the facts a rule set needs are listed
// by Compiled.Facts and loaded by the caller before evaluation.
package rules

import (
	"math"
	"strings"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// LeadEnv is the lead as rules see it (`lead.company`, `lead.custom.size`...).
type LeadEnv struct {
	lead.Contact                // company, name, phone, email, country, channel, group...
	ID           string         `expr:"id"`
	PhoneE164    string         `expr:"phone_e164"`
	Source       string         `expr:"source"`
	Tags         []string       `expr:"tags"`
	Custom       map[string]any `expr:"custom"`
	IP           string         `expr:"ip"`
	Status       string         `expr:"status"`
	Stage        string         `expr:"stage"`
	PoolID       string         `expr:"pool_id"`
	OwnerID      string         `expr:"owner_id"`
	CreatedAt    time.Time      `expr:"created_at"`
}

// NewLeadEnv copies the rule-visible fields of l.
func NewLeadEnv(l lead.Lead) LeadEnv {
	custom := l.Custom
	if custom == nil {
		custom = map[string]any{}
	}
	tags := l.Tags
	if tags == nil {
		tags = []string{}
	}
	return LeadEnv{
		Contact: l.Contact, ID: l.ID, PhoneE164: l.PhoneE164, Source: l.Source, Tags: tags, Custom: custom, IP: l.IP, Status: string(l.Status),
		Stage: l.Stage, PoolID: l.PoolID, OwnerID: l.OwnerID, CreatedAt: l.CreatedAt,
	}
}

// RepEnv is the rep a decision is about (`rep.capacity`, `rep.held`...):
// the claimer for claim_when, the owner for reclaim_exempt_when.
type RepEnv struct {
	ID          string `expr:"id" json:"id"`
	Name        string `expr:"name" json:"name"`
	Email       string `expr:"email" json:"email"`
	Role        string `expr:"role" json:"role"`
	TeamID      string `expr:"team_id" json:"team_id"`
	Capacity    int    `expr:"capacity" json:"capacity"`
	Held        int    `expr:"held" json:"held"`                 // the rep's load: leads assigned or offered to them now
	ClaimsToday int    `expr:"claims_today" json:"claims_today"` // claims the rep made today
	Active      bool   `expr:"active" json:"active"`
}

// PoolEnv is the pool a decision happens in.
type PoolEnv struct {
	ID      string `expr:"id" json:"id"`
	Name    string `expr:"name" json:"name"`
	Scope   string `expr:"scope" json:"scope"`
	Country string `expr:"country" json:"country"`
	TeamID  string `expr:"team_id" json:"team_id"`
}

// Facts are values loaded from the store before evaluation. Windowed
// counters are keyed by the window exactly as written in the rule ("10m").
type Facts struct {
	// IPCompanies counts registrations from the lead's IP whose normalised
	// company differs from the lead's, within each window.
	IPCompanies map[string]int `expr:"ip_companies" json:"ip_companies,omitempty"`
}

// Env is the environment every rule expression is compiled against and
// evaluated in. Functions are fields so that they can close over the facts.
type Env struct {
	Lead  LeadEnv   `expr:"lead"`
	Facts Facts     `expr:"facts"`
	Rep   RepEnv    `expr:"rep"`
	Pool  PoolEnv   `expr:"pool"`
	Now   time.Time `expr:"now"`

	// phoneValid(phone, country): phone is a valid number for country.
	PhoneValid func(phone, country string) bool `expr:"phoneValid"`
	// daysSince(t) and hoursSince(t): fractional days or hours from t to now.
	DaysSince  func(t time.Time) float64 `expr:"daysSince"`
	HoursSince func(t time.Time) float64 `expr:"hoursSince"`
	// hasTag(tag): the lead carries tag (case-insensitive).
	HasTag func(tag string) bool `expr:"hasTag"`
	// normalizeCompany(name): the company name as de-duplication compares it.
	NormalizeCompany func(name string) string `expr:"normalizeCompany"`
	// ipCompanies(window): registrations from the lead's IP with a different
	// company within window (a constant such as "10m"), prefetched.
	IPCompanies func(window string) int `expr:"ipCompanies"`
}

// NewEnv builds the environment for one evaluation of the lead with facts at now.
func NewEnv(l LeadEnv, facts Facts, now time.Time) *Env {
	since := func(t time.Time) time.Duration {
		if t.IsZero() {
			return time.Duration(math.MaxInt64)
		}
		return now.Sub(t)
	}
	return &Env{
		Lead:  l,
		Facts: facts,
		Now:   now,
		PhoneValid: func(phone, country string) bool {
			return lead.ParsePhone(phone, country).Valid
		},
		DaysSince:  func(t time.Time) float64 { return since(t).Hours() / 24 },
		HoursSince: func(t time.Time) float64 { return since(t).Hours() },
		HasTag: func(tag string) bool {
			for _, t := range l.Tags {
				if strings.EqualFold(t, tag) {
					return true
				}
			}
			return false
		},
		NormalizeCompany: lead.NormalizeCompany,
		IPCompanies: func(window string) int {
			if l.IP == "" {
				return 0
			}
			return facts.IPCompanies[window]
		},
	}
}

// Windows collects the windows of the ipCompanies counters in needs, the
// argument the store's counter query takes.
func Windows(needs []FactNeed) map[string]time.Duration {
	w := map[string]time.Duration{}
	for _, n := range needs {
		if n.Name == "ipCompanies" {
			w[n.Window] = n.Span
		}
	}
	return w
}

// burstWindow is the widest window of the ipCompanies counters in needs.
func burstWindow(needs []FactNeed) time.Duration {
	var w time.Duration
	for _, n := range needs {
		if n.Name == "ipCompanies" && n.Span > w {
			w = n.Span
		}
	}
	return w
}
