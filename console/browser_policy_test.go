package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserWorkingTimePolicyInChinese (issue 29): an admin whose console
// speaks Chinese sets a pool's working-time policy in the browser: its
// calendar, the SLA escalation chain in working time, reclaim after two
// working days, the holding cap, the daily open limit, contact masking and
// distribution in working hours; the pool keeps exactly that, and a span
// the calendar cannot count is refused next to its field.
func TestBrowserWorkingTimePolicyInChinese(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	cal := s.Calendar()
	poolID := s.CreatePool(`{"name":"上班时间池","scope":"global","policy":{"distribution":"round_robin"}}`)
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "sign in, in Chinese, and open the pool", chromedp.EmulateViewport(1280, 1800),
		chromedp.Navigate(base+"/lang/zh-CN?next=/login"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), s.Admin), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("headlines")),
		chromedp.Navigate(base+"/pools/"+poolID), chromedp.WaitVisible(chromedp.ID("policy-form")))
	if got := apptest.Text(t, ctx, "#policy-form"); !strings.Contains(got, "首次联系提醒后多久通知线索池管理员") || !strings.Contains(got, "只在上班时段分配") {
		t.Fatalf("the policy form is not in Chinese: %q", got)
	}
	type field struct{ id, value string }
	for _, f := range []field{{"first_contact_sla", "4 working hours"}, {"escalate_after", "2 working hours"}, {"reassign_after", "1 working day"},
		{"no_follow_up_after", "3 working weeks"}, {"max_held_per_rep", "20"}, {"daily_open_limit", "30"}} {
		apptest.Run(t, ctx, "type "+f.id, chromedp.SetValue(chromedp.ID("policy-"+f.id), f.value))
	}
	apptest.Run(t, ctx, "choose the calendar and the switches", chromedp.SetValue(chromedp.ID("policy-calendar_id"), cal),
		chromedp.Click(chromedp.ID("policy-mask_contacts")), chromedp.Click(chromedp.ID("policy-distribute_in_working_hours")),
		chromedp.Click(chromedp.ID("save-policy")), chromedp.WaitVisible(chromedp.ID("problem")))
	if got := apptest.Text(t, ctx, "#err-no_follow_up_after"); got != "请填写时长，例如 90m、36h、7d、3 个工作日或 4 个工作小时。" {
		t.Errorf("the refusal next to a span of working weeks: %q", got)
	}
	if p := s.Pool(poolID); p.Policy.FirstContactSLA.On() {
		t.Fatalf("a refused policy was saved: %+v", p.Policy)
	}
	shot("policy-01-refused")
	apptest.Run(t, ctx, "correct it and save", chromedp.SetValue(chromedp.ID("policy-no_follow_up_after"), "2 working days"),
		chromedp.Click(chromedp.ID("save-policy")), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := apptest.Text(t, ctx, "#notice"); !strings.Contains(got, "规则已保存") {
		t.Errorf("the notice: %q", got)
	}
	shot("policy-02-saved")
	p := s.Pool(poolID).Policy
	hours := func(h int) lead.Span { return lead.Span{WorkingHours: lead.Duration(time.Duration(h) * time.Hour)} }
	if p.CalendarID != cal || p.FirstContactSLA != hours(4) || p.EscalateAfter != hours(2) || p.ReassignAfter != (lead.Span{WorkingDays: 1}) ||
		p.NoFollowUpAfter != (lead.Span{WorkingDays: 2}) || p.MaxHeldPerRep != 20 || p.DailyOpenLimit != 30 || !p.MaskContacts || !p.DistributeInWorkingHours {
		t.Fatalf("the pool's policy after the browser: %+v", p)
	}
}
