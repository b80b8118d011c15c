package web

import "github.com/leadflow/leadflow/lead"

// Settings is the data of the settings page: the user's language and time
// zone, and the e-mails they get.
type Settings struct {
	Profile Profile
	Kinds   []EmailSetting
	// Chat are the chat-app targets the user manages.
	Chat ChatSection
}

// ChatSection is a list of chat-app targets with the form that adds one:
// the settings page's (the user's own and the teams' they manage) and a
// team page's (the team's).
type ChatSection struct {
	Targets []lead.ChatTarget
	// Kinds are the kinds of target (wecom, dingtalk, feishu, slack).
	Kinds []string
	// Action is where the add form posts; From says which page the
	// delete forms (/settings/chat-targets/{id}/delete) come back to
	// ("team", or "" for the settings).
	Action, From, CSRF string
	// CanEdit shows the forms.
	CanEdit bool
}

// Profile is the language and time zone form of the settings page.
type Profile struct {
	// Language and TimeZone are the user's own settings ("" for the
	// default); Zone is the zone pages use now (theirs, their team's or
	// the server's).
	Language, TimeZone, Zone string
	// Languages are the choices of the language select, the default
	// ("the browser's") first; Zones suggestions for the time zone.
	Languages []Choice
	Zones     []string
}

// CommonZones are suggested on the settings page; any IANA zone is taken.
var CommonZones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
	"Asia/Kolkata", "Asia/Dubai", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York",
	"America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Australia/Sydney", "UTC"}
