package lead

import "time"

// IgnoredCompany is a company whose leads are never registered nor
// accepted automatically (seed 003), matched by Key, its normalised name
// (NormalizeCompany). With no TeamID it is global (an admin's); a team's
// entry (its manager's) applies to the leads of the team's pools.
type IgnoredCompany struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Key       string    `json:"key"`
	TeamID    string    `json:"team_id,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
