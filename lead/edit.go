package lead

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Texts are the edit's short text fields by their JSON names, the
// contact's and the stage (notes are longer; phones, emails and tags are
// lists): nil ones are left as they are.
func (e *EditFields) Texts() []Text {
	return []Text{{"name", e.Name}, {"company", e.Company}, {"phone", e.Phone}, {"country", e.Country}, {"email", e.Email},
		{"stage", e.Stage}, {"channel", e.Channel}, {"group", e.Group}, {"profession", e.Profession}, {"address", e.Address},
		{"district", e.District}, {"division", e.Division}}
}

// Clean trims an edit and checks its fields' formats and lengths; whether
// a stage is one of the configured stages is the caller's to check. The
// main phone and the company may change but not be emptied.
func (e *Edit) Clean() error {
	var bad Fields
	for _, s := range e.Texts() {
		if s.V != nil {
			*s.V = strings.TrimSpace(*s.V)
			if utf8.RuneCountInString(*s.V) > maxText {
				bad.Add(s.Name, "is longer than 200 characters")
			}
		}
	}
	if e.Company != nil && *e.Company == "" {
		bad.Add("company", "must not be empty")
	}
	if e.Phone != nil && *e.Phone == "" {
		bad.Add("phone", "must not be empty: the lead needs a main number")
	}
	if e.Country != nil {
		*e.Country = strings.ToUpper(*e.Country)
		if *e.Country != "" && !isAlpha2(*e.Country) {
			bad.Add("country", "must be a two-letter ISO 3166-1 code such as CN or US")
		}
	}
	if e.Notes != nil && utf8.RuneCountInString(*e.Notes) > 10000 {
		bad.Add("notes", "is longer than 10000 characters")
	}
	if e.Email != nil && *e.Email != "" && !ValidEmail(*e.Email) {
		bad.Add("email", "is not a valid e-mail address")
	}
	if e.Emails != nil {
		for _, a := range *e.Emails {
			if !ValidEmail(a) {
				bad.Add("emails", "each must be a valid e-mail address")
				break
			}
		}
	}
	if e.Phones != nil {
		for _, p := range *e.Phones {
			if strings.TrimSpace(p) == "" || utf8.RuneCountInString(p) > 40 {
				bad.Add("phones", "each must have 1 to 40 characters")
				break
			}
		}
	}
	if e.Tags != nil && len(*e.Tags) > 50 {
		bad.Add("tags", "has more than 50 tags")
	}
	return bad.Err()
}

// ValidEmail reports whether s is a bare e-mail address.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
