package rules

// Symbol documents one name of the rule environment.
type Symbol struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Doc  string `json:"doc"`
}

// Environment documents every variable and function a rule can use; the
// API serves it with the rule sets so admins can write rules without
// reading code.
var Environment = []Symbol{
	{"lead.id", "string", "the lead's id"},
	{"lead.company", "string", "company name as entered"},
	{"lead.name", "string", "contact name"},
	{"lead.phone", "string", "phone as entered"},
	{"lead.phone_e164", "string", "phone in E.164 (+8613800138000), empty when unreadable"},
	{"lead.email", "string", "e-mail address"},
	{"lead.country", "string", "ISO 3166-1 alpha-2 country (CN, US...)"},
	{"lead.source", "string", "api, manual, web, invite, import or hook (an inbound source)"},
	{"lead.channel", "string", "marketing channel, free text"},
	{"lead.group", "string", "the lead's group, one of the groups option list (empty when none)"},
	{"lead.profession", "string", "profession"},
	{"lead.address", "string", "address"},
	{"lead.district", "string", "district"},
	{"lead.division", "string", "division"},
	{"lead.tags", "[]string", "tags"},
	{"lead.custom", "map", "custom fields by name: lead.custom.size"},
	{"lead.ip", "string", "registration IP (public registrations only)"},
	{"lead.status", "string", "lifecycle status"},
	{"lead.stage", "string", "follow-up stage"},
	{"lead.pool_id", "string", "current pool"},
	{"lead.owner_id", "string", "owning rep"},
	{"lead.created_at", "time", "when the lead was registered"},
	{"lead.score", "int", "score, decayed by the pool's score_half_life since the last activity"},
	{"rep.id", "string", "the rep the decision is about (claimer, owner)"},
	{"rep.name", "string", "rep's name"},
	{"rep.email", "string", "rep's e-mail"},
	{"rep.role", "string", "admin, manager or rep"},
	{"rep.team_id", "string", "rep's team"},
	{"rep.capacity", "int", "most assigned leads the rep may hold"},
	{"rep.held", "int", "the rep's load: leads assigned or offered to them now"},
	{"rep.claims_today", "int", "claims the rep made today"},
	{"rep.active", "bool", "the rep is active"},
	{"rep.skills", "[]string", "the rep's skills"},
	{"rep.languages", "[]string", "languages the rep speaks (BCP-47: ja, zh-CN, en)"},
	{"rep.regions", "[]string", "regions the rep covers"},
	{"pool.id", "string", "the pool the decision happens in"},
	{"pool.name", "string", "pool name"},
	{"pool.scope", "string", "global, country or team"},
	{"pool.country", "string", "country of a country pool"},
	{"pool.team_id", "string", "team of a team pool"},
	{"facts.ip_companies", "map", "prefetched ipCompanies counters by window"},
	{"now", "time", "the time of the decision"},
	{"phoneValid(phone, country)", "bool", "phone is a valid number for country (libphonenumber)"},
	{"daysSince(t)", "float", "days from t to now"},
	{"hoursSince(t)", "float", "hours from t to now"},
	{"hasTag(tag)", "bool", "the lead carries tag (case-insensitive)"},
	{"normalizeCompany(name)", "string", "company name as de-duplication compares it"},
	{"ipCompanies(window)", "int", "registrations from the lead's IP with a different company within window, a constant such as \"10m\"; prefetched"},
}
