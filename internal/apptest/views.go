package apptest

import (
	"fmt"
)

// View saves a view of the lead list as subject sub, shared as shared
// (me, pools, everyone), and returns its id.
func (w *World) View(sub int, shared string) string {
	var out struct{ ID string }
	w.Expect(w.Do("POST", "/api/v1/views", w.Tokens[sub], fmt.Sprintf(`{"name":"Fixture view %d","filter":{"status":"assigned"},"shared_with":%q}`,
		w.Seq.Add(1), shared)), 201).JSON(w.T, &out)
	return out.ID
}

// ManagerView is a view of the pool A manager's, shared with their pools.
func (w *World) ManagerView() string { return w.View(SubMgr, "pools") }

// ViewConsoleRows are the lead list's saved-view and column forms in the
// authorization matrix: everyone saves views of their own and chooses
// columns; a view the pool A manager shares with their pools is deleted
// by them and admins, refused to its readers and unseen by the others.
var ViewConsoleRows = map[string]Cell{
	"POST /leads/views": {Body: func(w *World) string {
		return fmt.Sprintf("view_name=Console+view+%d&shared_with=me&status=assigned", w.Seq.Add(1))
	}, Want: All(303)},
	"POST /leads/columns":          {Body: fixedPath("columns=company&columns=status&columns=reclaim"), Want: All(303)},
	"POST /leads/views/:id/delete": {Fixture: (*World).ManagerView, Want: [Subjects]int{303, 303, 404, 403, 404, 403, 403}},
	// Archiving is the admins' (lead.ActDefinePool), as the API's routes.
	"POST /pools/:id/archive": {Fixture: (*World).EmptyPool, Want: [Subjects]int{303, 403, 403, 403, 403, 403, 403}},
	"POST /pools/:id/restore": {Fixture: (*World).ArchivedPool, Want: [Subjects]int{303, 403, 403, 403, 403, 403, 403}},
}

// EmptyPool is a new team A pool administered by the pool A manager, holding no lead.
func (w *World) EmptyPool() string {
	return w.CreatePool(fmt.Sprintf(`{"name":"Empty %d","scope":"team","team_id":%q,"admin_ids":[%q],"policy":{"distribution":"claim_only"}}`,
		w.Seq.Add(1), w.TeamOf(SubMember), w.IDs[SubMgr]))
}

// ArchivedPool is a new empty pool, archived.
func (w *World) ArchivedPool() string {
	id := w.EmptyPool()
	w.Expect(w.Do("POST", "/api/v1/pools/"+id+"/archive", w.Admin, ""), 200)
	return id
}
