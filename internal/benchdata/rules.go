package benchdata

import (
	"encoding/json"
	"fmt"
)

// Validation50 is the JSON body of a 50-rule validation set: the three
// default rules (phoneValid, company length, ipCompanies("10m")) and 47
// using ==, hasTag, len, lead.custom.size and ipCompanies("1h") that do
// not reject a typical CN web lead, so all 50 run.
func Validation50() []byte {
	type rule struct {
		Name    string `json:"name"`
		When    string `json:"when"`
		Message string `json:"message"`
	}
	rs := []rule{
		{"phone_invalid", `!phoneValid(lead.phone, lead.country)`, "phone number is not valid for its country"},
		{"company_too_short", `len(trim(lead.company)) <= 4`, "company name must be longer than 4 characters"},
		{"ip_fraud", `ipCompanies("10m") >= 2`, "3 or more registrations from one IP"},
	}
	for i := 3; i < 50; i++ {
		var when string
		switch i % 5 {
		case 0: // a made-up country code ("QA", "QB"...), never CN
			when = fmt.Sprintf(`lead.country == "%c%c" && lead.source == "web"`, 'Q'+i/26, 'A'+i%26)
		case 1:
			when = fmt.Sprintf(`hasTag("blocked-%d")`, i)
		case 2:
			when = fmt.Sprintf(`len(lead.company) > %d`, 200+i)
		case 3:
			when = fmt.Sprintf(`lead.custom.size > %d`, 10000+i)
		case 4:
			when = fmt.Sprintf(`ipCompanies("1h") >= %d && lead.source != "import"`, 10+i)
		}
		rs = append(rs, rule{fmt.Sprintf("v%02d", i), when, fmt.Sprintf("rejected by rule %d", i)})
	}
	b, err := json.Marshal(map[string]any{"rules": rs})
	if err != nil {
		panic(err) // plain strings always marshal
	}
	return b
}
