package apptest

import (
	"github.com/leadflow/leadflow/lead"
)

// SignedIn is a browser signed in as subject sub of the world.
func (w *World) SignedIn(sub int) *Browser {
	w.T.Helper()
	b := w.Browser()
	WantRedirect(w.T, b.SignIn(w.Tokens[sub], "/leads"), "/leads")
	return b
}

// Pool reads a pool through the API.
func (s *Stack) Pool(id string) lead.Pool {
	s.T.Helper()
	var p lead.Pool
	s.Expect(s.Do("GET", "/api/v1/pools/"+id, s.Admin, ""), 200).JSON(s.T, &p)
	return p
}

// Teams lists the teams through the API.
func (s *Stack) Teams() []lead.Team {
	var list struct{ Items []lead.Team }
	s.Expect(s.Do("GET", "/api/v1/teams", s.Admin, ""), 200).JSON(s.T, &list)
	return list.Items
}
