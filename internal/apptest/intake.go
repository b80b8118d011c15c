package apptest

import (
	"github.com/leadflow/leadflow/lead"
)

// InviteToken is the invite link token of the user of token.
func (s *Stack) InviteToken(token string) string {
	s.T.Helper()
	var inv struct{ Token, URL string }
	s.Expect(s.Do("GET", "/api/v1/me/invite", token, ""), 200).JSON(s.T, &inv)
	if inv.Token == "" || inv.URL != "https://leads.example.com/r/"+inv.Token {
		s.T.Fatalf("invite: %+v", inv)
	}
	return inv.Token
}

// Register sends a public registration from client address ip.
func (s *Stack) Register(path, ip, body string) Response {
	s.T.Helper()
	return s.Do("POST", path, "", body, "X-Forwarded-For", ip)
}

// LeadsOf lists the leads of a filter, as the admin.
func (s *Stack) LeadsOf(query string) []lead.Lead {
	s.T.Helper()
	var page struct{ Items []lead.Lead }
	s.Expect(s.Do("GET", "/api/v1/leads?"+query, s.Admin, ""), 200).JSON(s.T, &page)
	return page.Items
}
