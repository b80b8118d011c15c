package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsentShowsWhy: the lead page's consent panel says why each
// suppressed address gets nothing, and since when: a hard bounce, a STOP
// reply and an unsubscription each in its own words (not "unsubscribed"
// for all), in English and in Chinese.
func TestConsentShowsWhy(t *testing.T) {
	s := apptest.NewStack(t)
	l := s.CreateLead(`{"company":"Consent Trading Co","name":"Cai","phone":"13800138777","country":"CN","email":"cai@consent.cn"}`)
	ctx := context.Background()
	for ch, reason := range map[string]string{lead.ChannelEmail: lead.SkipBounced, lead.ChannelSMS: lead.SkipStopped, lead.ChannelWhatsApp: lead.SkipUnsubscribed} {
		if err := s.DB.Suppress(ctx, ch, l.ChannelAddress(ch), reason, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	b := s.Browser()
	apptest.WantRedirect(t, b.SignIn(s.Admin, "/leads"), "/leads")
	en := s.Expect(b.Get("/leads/"+l.ID, "Accept-Language", "en"), 200)
	apptest.WantText(t, en, `data-reason="bounced">bounced for good `, ": the address is invalid",
		`data-reason="stopped">the lead answered STOP `, `data-reason="unsubscribed">unsubscribed by the lead`)
	if n := strings.Count(string(en.Body), "unsubscribed by the lead"); n != 1 {
		t.Errorf("%d channels say unsubscribed, want 1 (WhatsApp)", n)
	}
	zh := s.Expect(b.Get("/leads/"+l.ID, "Accept-Language", "zh-CN"), 200)
	apptest.WantText(t, zh, "硬退信：地址无效", "回复 STOP/退订", "联系人已于")
}

// TestEverySuppressionReasonHasItsWords: the consent panel names a
// suppression by "nurture.consent_" + its reason, and a campaign's
// skipped messages by "campaigns.skipped_" + theirs, both built at run
// time: each reason must be in both catalogues, those added later too.
func TestEverySuppressionReasonHasItsWords(t *testing.T) {
	var ids []string
	for _, r := range lead.SuppressionReasons {
		ids = append(ids, "nurture.consent_"+r, "campaigns.skipped_"+r)
	}
	for _, r := range []string{lead.SkipNoAddress, lead.SkipRenderFailed} {
		ids = append(ids, "campaigns.skipped_"+r)
	}
	for _, id := range ids {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, id) {
				t.Errorf("the %s catalogue lacks %s", lang, id)
			}
		}
	}
}
