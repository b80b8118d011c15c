package apptest

import (
	"fmt"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// PoolStaff creates a user of the role through the API and returns its id and token.
func (s *Stack) PoolStaff(name string, role lead.Role) (string, string) {
	s.T.Helper()
	var u struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	body := fmt.Sprintf(`{"name":%q,"email":"%s@example.com","role":%q}`, name, strings.ToLower(name), role)
	s.Expect(s.Do("POST", "/api/v1/users", s.Admin, body), 201).JSON(s.T, &u)
	return u.ID, u.Token
}
