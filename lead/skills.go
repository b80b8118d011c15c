package lead

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Expertise is what a rep brings to distribution: their skills (free
// text, such as "erp" or "mining"), the languages they speak (BCP-47 tags
// such as "ja", "zh-CN", "en") and the regions they cover (free text, such
// as "CN-31" or "Kanto"). A routing rule's Requirement admits or refuses
// a rep by them (Requirement.Admits).
type Expertise struct {
	Skills    []string `json:"skills,omitempty"`
	Languages []string `json:"languages,omitempty"`
	Regions   []string `json:"regions,omitempty"`
}

// Limits of an Expertise or a Requirement.
const (
	maxExpertise     = 50 // entries of one list
	maxExpertiseText = 64 // characters of one entry
)

// Clean trims and de-duplicates the lists (languages in their canonical
// BCP-47 form: "ZH-cn" is "zh-CN"), adding what is wrong to f under
// prefix+"skills", prefix+"languages" and prefix+"regions".
func (e *Expertise) Clean(f *Fields, prefix string) {
	e.Skills = cleanTerms(f, prefix+"skills", e.Skills, nil)
	e.Languages = cleanTerms(f, prefix+"languages", e.Languages, canonicalLanguage)
	e.Regions = cleanTerms(f, prefix+"regions", e.Regions, nil)
}

// canonicalLanguage is tag in its canonical BCP-47 form.
func canonicalLanguage(tag string) (string, error) {
	t, err := language.Parse(tag)
	if err != nil || t == language.Und {
		return "", fmt.Errorf("%q is not a BCP-47 language tag such as ja, zh-CN or en", tag)
	}
	return t.String(), nil
}

// cleanTerms trims the terms, drops the duplicates (case-insensitively),
// canonicalises each with canon when given, and checks their number and
// length; the result is never nil.
func cleanTerms(f *Fields, field string, terms []string, canon func(string) (string, error)) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			f.Add(field, "must not contain empty entries")
			continue
		case utf8.RuneCountInString(t) > maxExpertiseText:
			f.Add(field, fmt.Sprintf("has an entry longer than %d characters", maxExpertiseText))
			continue
		}
		if canon != nil {
			c, err := canon(t)
			if err != nil {
				f.Add(field, err.Error())
				continue
			}
			t = c
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }) {
			out = append(out, t)
		}
	}
	if len(out) > maxExpertise {
		f.Add(field, fmt.Sprintf("has more than %d entries", maxExpertise))
	}
	return out
}

// Requirement is what a routing rule requires of the rep a lead is
// distributed to: every one of Skills, one of Languages at least, one of
// Regions at least (an empty list requires nothing). It is stored with the
// lead, so each later distribution of it (after a decline, an expired
// offer, a reclaim) requires it too.
type Requirement struct {
	Skills    []string `json:"skills,omitempty"`
	Languages []string `json:"languages,omitempty"`
	Regions   []string `json:"regions,omitempty"`
}

// Empty reports whether r requires nothing.
func (r Requirement) Empty() bool {
	return len(r.Skills) == 0 && len(r.Languages) == 0 && len(r.Regions) == 0
}

// Clean normalises r as Expertise.Clean does, fields under prefix.
func (r *Requirement) Clean(f *Fields, prefix string) {
	e := Expertise(*r)
	e.Clean(f, prefix)
	*r = Requirement{Skills: nilIfEmpty(e.Skills), Languages: nilIfEmpty(e.Languages), Regions: nilIfEmpty(e.Regions)}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// Admits reports whether a rep with expertise e meets r. It is the one
// definition of a rep's eligibility by skills, languages and regions;
// Pick applies it to every distribution. Skills and regions compare
// case-insensitively; a language matches when one tag is the other or a
// prefix of it ("zh" and "zh-CN" match each other, "zh-CN" and "zh-TW"
// do not).
func (r Requirement) Admits(e Expertise) bool {
	for _, s := range r.Skills {
		if !slices.ContainsFunc(e.Skills, func(o string) bool { return strings.EqualFold(o, s) }) {
			return false
		}
	}
	return anyMatch(r.Languages, e.Languages, languageMatch) && anyMatch(r.Regions, e.Regions, strings.EqualFold)
}

// anyMatch reports whether want is empty or one of have matches one of want.
func anyMatch(want, have []string, match func(a, b string) bool) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if slices.ContainsFunc(have, func(h string) bool { return match(w, h) }) {
			return true
		}
	}
	return false
}

func languageMatch(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	return a == b || strings.HasPrefix(a, b+"-") || strings.HasPrefix(b, a+"-")
}

// Candidate is a pool member whom the store found free to take a lead
// (active, present, with room, not cooling down on it, under the pool's
// holding cap, not having refused it), with what distribution weighs.
type Candidate struct {
	ID string
	Expertise
	Weight int // the member's weight (weighted)
	Load   int // leads held or offered (least_loaded)
	// Distributed counts the pool's leads given to the member (weighted).
	Distributed int
	// LastAssignedAt is when the pool last gave them a lead (nil: never).
	LastAssignedAt *time.Time
	CreatedAt      time.Time
}

// Pick chooses among cands the one a pool distributing as distribution
// gives the next lead requiring req: among those req admits, round_robin
// the member served longest ago, least_loaded the one holding fewest,
// weighted the one whose share most lags their weight (the smallest
// (distributed+1)/weight); ties go to the one served longest ago, then by
// id. ok is false when nobody is admitted or the pool does not distribute.
func Pick(distribution string, req Requirement, cands []Candidate) (c Candidate, ok bool) {
	less, known := pickOrder[distribution]
	if !known {
		return c, false
	}
	for _, x := range cands {
		if req.Admits(x.Expertise) && (!ok || less(x, c)) {
			c, ok = x, true
		}
	}
	return c, ok
}

// Distributes reports whether a pool distributing as distribution pushes
// leads to its members (every mode but claim_only).
func Distributes(distribution string) bool {
	_, ok := pickOrder[distribution]
	return ok
}

// pickOrder orders candidates for each distribution mode: less(a, b) when
// a goes first.
var pickOrder = map[string]func(a, b Candidate) bool{
	DistributionRoundRobin: func(a, b Candidate) bool {
		if c := compareServed(a, b); c != 0 {
			return c < 0
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	},
	DistributionLeastLoaded: func(a, b Candidate) bool {
		if a.Load != b.Load {
			return a.Load < b.Load
		}
		return servedFirst(a, b)
	},
	DistributionWeighted: func(a, b Candidate) bool {
		// (a.d+1)/a.w < (b.d+1)/b.w, in integers; weights are at least 1.
		x, y := int64(a.Distributed+1)*int64(max(b.Weight, 1)), int64(b.Distributed+1)*int64(max(a.Weight, 1))
		if x != y {
			return x < y
		}
		return servedFirst(a, b)
	},
}

// servedFirst breaks a tie: the member served longest ago, then by id.
func servedFirst(a, b Candidate) bool {
	if c := compareServed(a, b); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}

// compareServed compares when a and b were last served, never first.
func compareServed(a, b Candidate) int {
	switch {
	case a.LastAssignedAt == nil && b.LastAssignedAt == nil:
		return 0
	case a.LastAssignedAt == nil:
		return -1
	case b.LastAssignedAt == nil:
		return 1
	}
	return a.LastAssignedAt.Compare(*b.LastAssignedAt)
}
