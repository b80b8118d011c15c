package httpx

import (
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// TestLocalize: a problem is said in Chinese by its code, the path's own
// words first (the registration endpoints'), field reasons by their
// reason code; English, an unknown language, a code the catalogue lacks
// and a reason without a code keep the server's own words.
func TestLocalize(t *testing.T) {
	problem := func() Problem {
		return Problem{Status: 422, Code: "invalid", Title: "the request has invalid fields", Detail: "d",
			Errors: []lead.FieldError{{Field: "email", Reason: "is not an e-mail address", Code: lead.ReasonInvalidEmail},
				{Field: "company", Reason: "company name must be longer than 6 characters"}, {Field: "x", Reason: "is unknown", Code: lead.ReasonUnknownField}}}
	}
	en := problem()
	Localize("en", &en, "register.", "")
	if want := problem(); en.Title != want.Title || en.Detail != want.Detail || en.Errors[0] != want.Errors[0] || en.Errors[2] != want.Errors[2] {
		t.Errorf("English changed: %+v", en)
	}
	fr := problem()
	if Localize("fr", &fr); fr.Title != problem().Title {
		t.Errorf("an unknown language changed: %+v", fr)
	}
	zh := problem()
	Localize("zh-CN", &zh)
	if zh.Title != "请求中有无效的字段。" || zh.Detail != "d" || zh.Errors[0].Reason != "电子邮箱地址无效。" ||
		zh.Errors[1].Reason != "company name must be longer than 6 characters" || zh.Errors[2].Reason != "没有此项。" {
		t.Errorf("Chinese: %+v", zh)
	}
	reg := problem()
	Localize("zh-CN", &reg, "register.", "")
	if reg.Title != "请检查标出的各项。" || reg.Errors[2].Reason != "登记表中没有此项。" || reg.Errors[0].Reason != "电子邮箱地址无效。" {
		t.Errorf("Chinese, the registration's words first: %+v", reg)
	}
	odd := Problem{Code: "no_such_code", Title: "as written"}
	if Localize("zh-CN", &odd); odd.Title != "as written" {
		t.Errorf("an unknown code: %+v", odd)
	}
	if prefixesOf("/api/v1/leads")[0] != "" {
		t.Error("the leads have the registration's words")
	}
	ProblemWords("/api/v1/register", "register.")
	if p := prefixesOf("/api/v1/register/abc"); len(p) != 2 || p[0] != "register." {
		t.Errorf("the registration's prefixes: %q", p)
	}
}
