package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// TestTimeZoneAndLanguage: PATCH /me, the admin's user routes and the team
// routes take a time zone (an IANA name, not Local) and a language (en or
// zh-CN), refusing anything else with 422 naming the field; Service.Location
// is the user's zone, else the team's, else the server's default.
func TestTimeZoneAndLanguage(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Zoe", 5)

	for field, body := range map[string]string{
		"time_zone": `{"time_zone":"Mars/Olympus"}`,
		"language":  `{"language":"fr"}`,
	} {
		apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/me", rep, body), field)
	}
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/me", rep, `{"time_zone":"Local"}`), "time_zone")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/me", rep, `{"away":true}`), "away")
	var me lead.User
	s.Expect(s.Do("PATCH", "/api/v1/me", rep, `{"time_zone":"Asia/Shanghai","language":"zh-CN"}`), 200).JSON(t, &me)
	if me.TimeZone != "Asia/Shanghai" || me.Language != "zh-CN" || me.ID != repID {
		t.Fatalf("PATCH /me: %+v", me)
	}
	s.Expect(s.Do("GET", "/api/v1/me", rep, ""), 200).JSON(t, &me)
	if me.TimeZone != "Asia/Shanghai" || me.Language != "zh-CN" {
		t.Fatalf("GET /me after the change: %+v", me)
	}
	// A rep sets their own settings on the user route too, never another's.
	s.Expect(s.Do("PATCH", "/api/v1/users/"+repID, rep, `{"language":"en"}`), 200)

	// Admins: create and change users and teams with them.
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/users", s.Admin, `{"name":"Bad","email":"bad@example.com","role":"rep","time_zone":"Nowhere/City"}`), "time_zone")
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/users/"+repID, s.Admin, `{"language":"de"}`), "language")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"Bad","time_zone":"Local"}`), "time_zone")
	var team lead.Team
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"Berlin","time_zone":"Europe/Berlin"}`), 201).JSON(t, &team)
	if team.TimeZone != "Europe/Berlin" {
		t.Fatalf("team: %+v", team)
	}
	apptest.FieldProblem(t, s.Do("PATCH", "/api/v1/teams/"+team.ID, s.Admin, `{"time_zone":"Berlin"}`), "time_zone")
	s.Expect(s.Do("PATCH", "/api/v1/teams/"+team.ID, rep, `{"time_zone":"Europe/Paris"}`), 403)
	s.Expect(s.Do("PATCH", "/api/v1/teams/"+team.ID, s.Admin, `{"time_zone":"Europe/Paris"}`), 200).JSON(t, &team)
	if team.TimeZone != "Europe/Paris" || team.Name != "Berlin" {
		t.Fatalf("patched team: %+v", team)
	}
	var tokyo, member, plain lead.User
	s.Expect(s.Do("POST", "/api/v1/users", s.Admin, fmt.Sprintf(`{"name":"Toko","email":"toko@example.com","role":"rep","team_id":%q,"time_zone":"Asia/Tokyo","language":"en"}`, team.ID)), 201).JSON(t, &tokyo)
	s.Expect(s.Do("POST", "/api/v1/users", s.Admin, fmt.Sprintf(`{"name":"Mia","email":"mia@example.com","role":"rep","team_id":%q}`, team.ID)), 201).JSON(t, &member)
	s.Expect(s.Do("POST", "/api/v1/users", s.Admin, `{"name":"Pio","email":"pio@example.com","role":"rep"}`), 201).JSON(t, &plain)
	if tokyo.TimeZone != "Asia/Tokyo" || tokyo.Language != "en" {
		t.Fatalf("created user: %+v", tokyo)
	}

	def := time.FixedZone("default", 3*3600)
	svc := service.New(s.DB, s.TC, nil, service.Config{TimeZone: def})
	for _, c := range []struct {
		u    lead.User
		want string
	}{{tokyo, "Asia/Tokyo"}, {member, "Europe/Paris"}, {plain, "default"}} {
		if got := svc.Location(context.Background(), c.u).String(); got != c.want {
			t.Errorf("Location(%s) = %s, want %s", c.u.Name, got, c.want)
		}
	}
	// Clearing: null is the default again.
	var cleared lead.User
	s.Expect(s.Do("PATCH", "/api/v1/users/"+tokyo.ID, s.Admin, `{"time_zone":null}`), 200).JSON(t, &cleared)
	if got := svc.Location(context.Background(), cleared).String(); got != "Europe/Paris" {
		t.Errorf("Location after clearing the user's zone = %s, want the team's", got)
	}
}
