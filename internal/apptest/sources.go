package apptest

import "fmt"

// Source creates an inbound source with a fresh name as the admin and
// returns its id.
func (w *World) Source() string {
	var out struct{ ID string }
	w.Expect(w.Do("POST", "/api/v1/sources", w.Admin, fmt.Sprintf(`{"name":"fixture-%d"}`, w.Seq.Add(1))), 201).JSON(w.T, &out)
	return out.ID
}
