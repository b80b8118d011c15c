package lead

import "time"

// ChatTarget is a chat-app group robot (WeCom, DingTalk, Feishu or Slack;
// see package chat) that gets the notifications of one user (UserID) or of
// a team's members (TeamID) beside their e-mail.
type ChatTarget struct {
	ID     string `json:"id"`
	UserID string `json:"user_id,omitempty"`
	TeamID string `json:"team_id,omitempty"`
	// Kind is wecom, dingtalk, feishu or slack.
	Kind string `json:"kind"`
	URL  string `json:"url"`
	// Secret signs DingTalk's and Feishu's posts; never answered.
	Secret string `json:"-"`
	// HasSecret says whether a secret is set.
	HasSecret bool `json:"has_secret"`
	// Kinds are the e-mail kinds posted; empty posts every kind.
	Kinds     []string  `json:"kinds"`
	Active    bool      `json:"active"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}
