package lead

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// simulate distributes n leads among cands as a pool distributing as
// mode would, each lead requiring reqs[i%len(reqs)], updating each
// winner's state as the store does (distributed+1, served now, one more
// held). It returns how many leads each candidate got.
func simulate(t *testing.T, mode string, reqs []Requirement, cands []Candidate, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		c, ok := Pick(mode, reqs[i%len(reqs)], cands)
		if !ok {
			t.Fatalf("lead %d: nobody eligible", i)
		}
		if !reqs[i%len(reqs)].Admits(c.Expertise) {
			t.Fatalf("lead %d went to %s, whom its requirement refuses", i, c.ID)
		}
		got[c.ID]++
		k := slices.IndexFunc(cands, func(x Candidate) bool { return x.ID == c.ID })
		now = now.Add(time.Second)
		at := now
		cands[k].Distributed++
		cands[k].Load++
		cands[k].LastAssignedAt = &at
	}
	return got
}

// worst is the largest gap between a share and its weight checkShares saw.
var worst float64

// checkShares fails when an eligible rep's share of n differs from its
// weight's share of the eligible reps' weights by more than 2 points, or
// when an ineligible rep got a lead.
func checkShares(t *testing.T, got map[string]int, cands []Candidate, eligible func(Candidate) bool, n int) {
	t.Helper()
	total := 0
	for _, c := range cands {
		if eligible(c) {
			total += c.Weight
		}
	}
	for _, c := range cands {
		if !eligible(c) {
			if got[c.ID] > 0 {
				t.Errorf("%s is not eligible but got %d leads", c.ID, got[c.ID])
			}
			continue
		}
		share, want := float64(got[c.ID])/float64(n), float64(c.Weight)/float64(total)
		worst = max(worst, share-want, want-share)
		if d := share - want; d > 0.02 || d < -0.02 {
			t.Errorf("%s: share %.4f, weight share %.4f (off by %.2f points)", c.ID, share, want, d*100)
		}
	}
}

// TestPickFairness is the property of issue 29: over 10,000
// distributions of leads requiring Japanese, no eligible rep's share
// differs from its weight by more than 2 percentage points (weighted;
// round robin as equal weights), and reps without Japanese get none, for
// random pools of 2 to 12 reps with random weights and languages.
func TestPickFairness(t *testing.T) {
	const n = 10000
	ja := Requirement{Languages: []string{"ja"}}
	langs := [][]string{{"ja"}, {"en"}, {"ja", "en"}, {"zh-CN"}, {"ja-JP"}, {}}
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 29))
		var cands []Candidate
		for i := range 2 + rng.IntN(11) {
			l := langs[rng.IntN(len(langs))]
			if i == 0 {
				l = []string{"ja"} // at least one eligible rep
			}
			cands = append(cands, Candidate{ID: string(rune('a' + i)), Weight: 1 + rng.IntN(10),
				Expertise: Expertise{Languages: l}, CreatedAt: time.Unix(int64(rng.IntN(1000)), 0)})
		}
		speaksJa := func(c Candidate) bool { return ja.Admits(c.Expertise) }
		for _, mode := range []string{DistributionWeighted, DistributionRoundRobin} {
			run := slices.Clone(cands)
			if mode == DistributionRoundRobin {
				for i := range run {
					run[i].Weight = 1 // round robin: equal shares
				}
			}
			got := simulate(t, mode, []Requirement{ja}, slices.Clone(run), n)
			checkShares(t, got, run, speaksJa, n)
		}
	}
	t.Logf("largest gap between a share and its weight: %.3f points", worst*100)
}

// TestPickFairnessMixed: leads of which three in ten require Japanese and
// the others nothing keep every rep's overall share at its weight when
// the Japanese speakers can carry their part.
func TestPickFairnessMixed(t *testing.T) {
	const n = 10000
	cands := []Candidate{
		{ID: "ja1", Weight: 2, Expertise: Expertise{Languages: []string{"ja"}}},
		{ID: "ja2", Weight: 1, Expertise: Expertise{Languages: []string{"ja", "en"}}},
		{ID: "en1", Weight: 3, Expertise: Expertise{Languages: []string{"en"}}},
		{ID: "zh1", Weight: 4, Expertise: Expertise{Languages: []string{"zh-CN"}}},
	}
	ja := Requirement{Languages: []string{"ja"}}
	reqs := []Requirement{ja, {}, {}, ja, {}, {}, ja, {}, {}, {}}
	got := simulate(t, DistributionWeighted, reqs, slices.Clone(cands), n)
	checkShares(t, got, cands, func(Candidate) bool { return true }, n)
}

// TestPickOrder: each mode's order and its ties, and the requirement.
func TestPickOrder(t *testing.T) {
	t0 := time.Unix(100, 0)
	t1 := time.Unix(200, 0)
	cands := []Candidate{
		{ID: "b", Weight: 1, Load: 3, Distributed: 1, LastAssignedAt: &t1, Expertise: Expertise{Skills: []string{"ERP"}, Languages: []string{"zh"}}},
		{ID: "a", Weight: 3, Load: 5, Distributed: 2, LastAssignedAt: &t0, Expertise: Expertise{Languages: []string{"en"}, Regions: []string{"CN-31"}}},
		{ID: "c", Weight: 1, Load: 3, CreatedAt: t1},
	}
	for _, tc := range []struct {
		mode string
		req  Requirement
		want string
	}{
		{DistributionRoundRobin, Requirement{}, "c"},
		{DistributionLeastLoaded, Requirement{}, "c"},
		{DistributionWeighted, Requirement{}, "c"},
		{DistributionWeighted, Requirement{Languages: []string{"zh-CN"}}, "b"},
		{DistributionRoundRobin, Requirement{Skills: []string{"erp"}}, "b"},
		{DistributionRoundRobin, Requirement{Regions: []string{"cn-31", "CN-11"}}, "a"},
		{DistributionLeastLoaded, Requirement{Languages: []string{"en", "fr"}}, "a"},
		{DistributionLeastLoaded, Requirement{Languages: []string{"en", "zh-TW"}}, "b"}, // b speaks zh
		{DistributionRoundRobin, Requirement{Languages: []string{"ja"}}, ""},
		{DistributionClaimOnly, Requirement{}, ""},
	} {
		c, ok := Pick(tc.mode, tc.req, cands)
		if tc.want == "" {
			if ok {
				t.Errorf("%s %+v: picked %s, want nobody", tc.mode, tc.req, c.ID)
			}
			continue
		}
		if c.ID != tc.want {
			t.Errorf("%s %+v: picked %q, want %s", tc.mode, tc.req, c.ID, tc.want)
		}
	}
}

// TestExpertiseClean: languages become canonical BCP-47 tags, duplicates
// go, bad entries are named.
func TestExpertiseClean(t *testing.T) {
	var f Fields
	e := Expertise{Skills: []string{" ERP ", "erp", "mining"}, Languages: []string{"ZH-cn", "ja", "JA"}, Regions: nil}
	e.Clean(&f, "")
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	if !slices.Equal(e.Skills, []string{"ERP", "mining"}) || !slices.Equal(e.Languages, []string{"zh-CN", "ja"}) || e.Regions == nil {
		t.Fatalf("cleaned %+v", e)
	}
	f = nil
	e = Expertise{Languages: []string{"not a tag!"}, Skills: []string{""}}
	e.Clean(&f, "require.")
	if len(f) != 2 || f[0].Field != "require.skills" || f[1].Field != "require.languages" {
		t.Fatalf("errors %+v", f)
	}
}
