package apptest

import (
	"crypto/rand"
	"fmt"

	"github.com/leadflow/leadflow/lead"
)

// OfficeHours is a calendar body: Monday to Friday 09:00–12:00 and
// 13:00–18:00 in Shanghai, 2026's National Day week off and the Saturday
// worked for it.
const OfficeHours = `"time_zone":"Asia/Shanghai","working_hours":{"mon":[["09:00","12:00"],["13:00","18:00"]],"tue":[["09:00","12:00"],["13:00","18:00"]],` +
	`"wed":[["09:00","12:00"],["13:00","18:00"]],"thu":[["09:00","12:00"],["13:00","18:00"]],"fri":[["09:00","12:00"],["13:00","18:00"]],"sat":[],"sun":[]},` +
	`"holidays":["2026-10-01","2026-10-02","2026-10-05","2026-10-06","2026-10-07"],"extra_working_days":["2026-10-10"]`

// Calendar creates a calendar of OfficeHours with a name of its own and returns its id.
func (s *Stack) Calendar() string {
	s.T.Helper()
	var c lead.Calendar
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, fmt.Sprintf(`{"name":"Office %s",%s}`, rand.Text()[:8], OfficeHours)), 201).JSON(s.T, &c)
	return c.ID
}
