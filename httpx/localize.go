package httpx

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
)

// This file says problem answers in the reader's language: the title and
// detail by the problem's code (problem.title.<code>, problem.detail.<code>),
// each field's reason by its reason code (reason.<code>), from the message
// catalogues. English answers are the code's own words, never the
// catalogue's, so they stay as they always were; a reason without a code
// (a validation rule's message, written by an admin) stays as written.

// problemWords are the paths whose problems have words of their own,
// looked up first under a prefix (the registration endpoints' "register."),
// then under the common ids.
var problemWords []struct{ path, prefix string }

// ProblemWords makes the problems of path and the paths under it use the
// catalogue's ids under prefix first (prefix + "problem.title.<code>",
// prefix + "reason.<code>"). Call it when registering routes.
func ProblemWords(path, prefix string) {
	for _, w := range problemWords {
		if w.path == path {
			return
		}
	}
	problemWords = append(problemWords, struct{ path, prefix string }{path, prefix})
}

// ProblemLanguage is the language c's problems are said in: the query's
// lang= (the registration page's switch), else Accept-Language.
func ProblemLanguage(c *fiber.Ctx) string {
	return i18n.Pick(c.Get(fiber.HeaderAcceptLanguage), c.Query("lang"))
}

// prefixesOf are the id prefixes c's problems are looked up under, the
// path's own first.
func prefixesOf(path string) []string {
	for _, w := range problemWords {
		if path == w.path || strings.HasPrefix(path, w.path+"/") {
			return []string{w.prefix, ""}
		}
	}
	return []string{""}
}

// Localize says p in lang, looking each id up under prefixes in order
// (see the file's comment); English leaves p as it is.
func Localize(lang string, p *Problem, prefixes ...string) {
	if lang == i18n.EN || i18n.Match(lang) == "" {
		return
	}
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	word := func(id, def string) string {
		for _, pre := range prefixes {
			if i18n.Has(lang, pre+id) {
				return i18n.T(lang, pre+id)
			}
		}
		return def
	}
	p.Title = word("problem.title."+p.Code, p.Title)
	p.Detail = word("problem.detail."+p.Code, p.Detail)
	if p.Errors == nil {
		return
	}
	errs := make([]lead.FieldError, len(p.Errors))
	for i, e := range p.Errors {
		if e.Code != "" {
			e.Reason = word("reason."+e.Code, e.Reason)
		}
		errs[i] = e
	}
	p.Errors = errs
}
