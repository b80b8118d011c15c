package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
)

// BenchmarkDistribute measures a lead's intake into a weighted,
// auto-accepting pool of 20 and of 200 members (half of them Japanese
// speakers), the distribution choosing among them, with and without a
// requirement of Japanese.
//
//	go test ./store -run '^$' -bench Distribute -benchtime 300x
func BenchmarkDistribute(b *testing.B) {
	ctx := context.Background()
	db := testenv.Store(b)
	i := 0
	for _, members := range []int{20, 200} {
		var ids []string
		for k := range members {
			langs := []string{"en"}
			if k%2 == 0 {
				langs = []string{"ja"}
			}
			ids = append(ids, skillsRep(b, db, fmt.Sprintf("bench%d-%d", members, k), 100000, langs...))
		}
		pool, err := db.CreatePool(ctx, lead.Pool{ID: uuid.NewString(), Name: fmt.Sprintf("Bench %d", members), Scope: lead.ScopeGlobal,
			MemberIDs: ids, Policy: lead.Policy{Distribution: lead.DistributionWeighted, AutoAccept: true}})
		if err != nil {
			b.Fatal(err)
		}
		for _, req := range []*lead.Requirement{nil, {Languages: []string{"ja"}}} {
			b.Run(fmt.Sprintf("members=%d/require=%v", members, req != nil), func(b *testing.B) {
				for b.Loop() {
					i++
					if l := intakeInto(b, db, i, pool.ID, req); l.Status != lead.StatusAssigned {
						b.Fatalf("lead %d: %s", i, l.Status)
					}
				}
			})
		}
	}
}
