package lead

import (
	"strings"
	"unicode/utf8"
)

// Input is what a channel submits to register a lead. The server fills
// Source, IP and CreatedBy; the rest comes from the caller.
type Input struct {
	Contact
	// Phones and Emails are further numbers and addresses besides the main ones.
	Phones []string       `json:"phones,omitempty"`
	Emails []string       `json:"emails,omitempty"`
	Notes  string         `json:"notes,omitempty"`
	Tags   []string       `json:"tags,omitempty"`
	Custom map[string]any `json:"custom,omitempty"`
	// DuplicatePolicy overrides the source's duplicate policy for this lead.
	DuplicatePolicy DuplicatePolicy `json:"duplicate_policy,omitempty"`
	// PoolID puts the lead in this pool instead of the one routing
	// chooses: a pool its creator may import into (admins and managers).
	PoolID    string `json:"pool_id,omitempty"`
	Source    string `json:"-"`
	IP        string `json:"-"`
	CreatedBy string `json:"-"`
}

// Limits on input sizes.
const (
	maxText  = 200
	maxNotes = 10000
	maxTags  = 50
)

// Clean trims the input, upper-cases the country and checks what can be
// checked without rules: required fields, sizes, e-mail syntax, the country
// code. Whether the phone is valid for the country is a rule's decision, not
// an input error, so that it is recorded on the lead.
func (in *Input) Clean() error {
	var f Fields
	texts := in.Texts()
	for _, t := range texts {
		*t.V = strings.TrimSpace(*t.V)
	}
	in.Notes = strings.TrimSpace(in.Notes)
	in.Country = strings.ToUpper(in.Country)
	if in.Company == "" {
		f.AddCode("company", ReasonRequired, "is required")
	}
	if in.Phone == "" {
		f.AddCode("phone", ReasonRequired, "is required")
	}
	for _, t := range texts {
		// The country has its own check: a two-letter code.
		if t.Name != "country" && utf8.RuneCountInString(*t.V) > maxText {
			f.AddCode(t.Name, ReasonTooLong, "is longer than 200 characters")
		}
	}
	if utf8.RuneCountInString(in.Notes) > maxNotes {
		f.AddCode("notes", ReasonTooLong, "is longer than 10000 characters")
	}
	if in.Email != "" {
		if !ValidEmail(in.Email) {
			f.AddCode("email", ReasonInvalidEmail, "is not a valid e-mail address")
		}
	}
	if in.Country != "" && !isAlpha2(in.Country) {
		f.AddCode("country", ReasonInvalidCountry, "must be a two-letter ISO 3166-1 code such as CN or US")
	}
	if !in.DuplicatePolicy.Valid() {
		f.Add("duplicate_policy", "must be merge, warn or reject")
	}
	in.Phones, in.Emails = trimmed(in.Phones), trimmed(in.Emails)
	for _, p := range in.Phones {
		if utf8.RuneCountInString(p) > 40 {
			f.Add("phones", "each must have 1 to 40 characters")
			break
		}
	}
	for _, a := range in.Emails {
		if !ValidEmail(a) {
			f.AddCode("emails", ReasonInvalidEmail, "each must be a valid e-mail address")
			break
		}
	}
	if len(in.Tags) > maxTags {
		f.Add("tags", "has more than 50 tags")
	}
	for i, t := range in.Tags {
		in.Tags[i] = strings.TrimSpace(t)
		if in.Tags[i] == "" || utf8.RuneCountInString(in.Tags[i]) > 50 {
			f.Add("tags", "each tag must have 1 to 50 characters")
			break
		}
	}
	if in.Country == "" && in.Phone != "" {
		// A number in international form tells its own country.
		// Non-geographic numbers (+800...) belong to region "001", not a country.
		if p := ParsePhone(in.Phone, ""); isAlpha2(p.Region) {
			in.Country = p.Region
		}
	}
	return f.Err()
}

// trimmed is vs trimmed, without the empty ones.
func trimmed(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// Clean trims a user and checks name, e-mail, role and limits.
func (u *User) Clean() error {
	var f Fields
	u.Name, u.Email = strings.TrimSpace(u.Name), strings.TrimSpace(u.Email)
	if u.Name == "" {
		f.Add("name", "is required")
	} else if utf8.RuneCountInString(u.Name) > maxText {
		f.Add("name", "is longer than 200 characters")
	}
	if u.Email == "" {
		f.Add("email", "is required")
	} else if !ValidEmail(u.Email) {
		f.Add("email", "is not a valid e-mail address")
	}
	if !u.Role.Valid() {
		f.Add("role", "must be admin, manager or rep")
	}
	if u.Capacity < 0 || u.Capacity > 100000 {
		f.Add("capacity", "must be between 0 and 100000")
	}
	if u.DailyClaimLimit < 0 || u.DailyClaimLimit > 100000 {
		f.Add("daily_claim_limit", "must be between 0 and 100000")
	}
	checkLanguage(&f, "language", u.Language)
	checkTimeZone(&f, "time_zone", u.TimeZone)
	u.Expertise.Clean(&f, "")
	return f.Err()
}

// Options are the intake options the input asks for.
func (in Input) Options() IntakeOptions {
	return IntakeOptions{DuplicatePolicy: in.DuplicatePolicy, PoolID: in.PoolID}
}

// NewLead builds the lead an Input registers, with its phone parsed and its
// de-duplication key computed. Call Clean first.
func (in Input) NewLead(id string) Lead {
	p := ParsePhone(in.Phone, in.Country)
	tags := in.Tags
	if tags == nil {
		tags = []string{}
	}
	return Lead{
		ID: id, Status: StatusReceived, Stage: DefaultStages[0], Contact: in.Contact, PhoneE164: p.E164, Phones: in.Phones, Emails: in.Emails,
		Source: in.Source, Notes: in.Notes, Tags: tags, Custom: in.Custom, IP: in.IP, CreatedBy: in.CreatedBy,
		DedupKey: DedupKey(in.Company, p.E164, in.Country),
	}
}
