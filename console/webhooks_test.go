package console_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestConsoleWebhooks: an admin subscribes a local receiver from the page
// and sees its secret once, changes, rotates and deletes it through the
// service the API uses; a manager sees only their pool's subscriptions; a
// rep may not; the page speaks Chinese.
func TestConsoleWebhooks(t *testing.T) {
	w := apptest.NewWorld(t)
	recv := apptest.NewReceiver(t)
	admin := w.SignedIn(apptest.SubAdmin)
	page := w.Expect(admin.Get("/webhooks"), 200)
	apptest.WantText(t, page, "Outbound webhooks", `id="nav-webhooks"`, `id="create-webhook-form"`, `value="*"`, `value="lead.pooled"`)
	created := w.Expect(admin.Post(page, "/webhooks", url.Values{"url": {recv.URL}, "events": {"lead.pooled", "lead.created"},
		"pool_id": {w.PoolA}, "active": {"on"}, "request_id": {"console-hook-1"}}), 200)
	apptest.WantText(t, created, `id="webhook-secret"`, "shown only once", recv.URL, "Pool A")
	m := regexp.MustCompile(`id="secret-value">(whsec_[^<]+)<`).FindStringSubmatch(string(created.Body))
	if m == nil {
		t.Fatalf("no secret on the page: %.2000s", created.Body)
	}
	var list struct {
		Items []struct{ ID, URL string }
	}
	w.Expect(w.Do("GET", "/api/v1/webhooks", w.Admin, ""), 200).JSON(t, &list)
	id := ""
	for _, h := range list.Items {
		if h.URL == recv.URL {
			id = h.ID
		}
	}
	if id == "" {
		t.Fatalf("the API does not list the new subscription: %+v", list)
	}
	if again := w.Expect(admin.Get("/webhooks"), 200); strings.Contains(string(again.Body), m[1]) || strings.Contains(string(again.Body), "whsec_") {
		t.Error("the secret is shown again")
	}

	// Its page: change, rotate (a new secret, once), delete with a confirmation.
	hook := w.Expect(admin.Get("/webhooks/"+id), 200)
	apptest.WantText(t, hook, `id="save-webhook-form"`, `id="rotate-webhook-form"`, `id="delete-confirm"`)
	apptest.WantRedirect(t, admin.Post(hook, "/webhooks/"+id, url.Values{"url": {recv.URL}, "events": {"*"}}), "/webhooks/"+id+"?done=saved")
	apptest.WantText(t, w.Expect(admin.Get("/webhooks/"+id+"?done=saved"), 200), "Saved.", `id="webhook-active">No`)
	w.Expect(admin.Post(hook, "/webhooks/"+id, url.Values{"url": {recv.URL}}), 422)
	rotated := w.Expect(admin.Post(hook, "/webhooks/"+id+"/rotate-secret", nil), 200)
	if apptest.WantText(t, rotated, `id="secret-value">whsec_`, "shown only once"); strings.Contains(string(rotated.Body), m[1]) {
		t.Error("the rotation shows the old secret")
	}

	// A manager sees their pool's subscriptions, not another pool's.
	other := w.Webhook(w.PoolB, recv.URL+"/b", false)
	mgr := w.SignedIn(apptest.SubMgr)
	mine := w.Expect(mgr.Get("/webhooks"), 200)
	if apptest.WantText(t, mine, `href="/webhooks/`+id+`"`); strings.Contains(string(mine.Body), other) {
		t.Error("a manager sees another pool's subscription")
	}
	w.Expect(mgr.Get("/webhooks/"+other), 404)
	w.Expect(w.SignedIn(apptest.SubMember).Get("/webhooks"), 403)
	zh := w.Expect(admin.Get("/webhooks", "Accept-Language", "zh-CN"), 200)
	apptest.WantText(t, zh, "出站 Webhook", "新建订阅", "全部事件")
	apptest.WantText(t, w.Expect(admin.Get("/webhooks/"+id, "Accept-Language", "zh-CN"), 200), "投递记录", "轮换密钥")

	// A delivery: its row with its webhook-id, redelivered from its button.
	sub, n, _ := strings.Cut(w.WebhookDelivery(), "/deliveries/")
	log := w.Expect(admin.Get("/webhooks/"+sub), 200)
	apptest.WantText(t, log, `id="delivery-list"`, `id="delivery-`+n+`"`, "lead.pooled", `id="redeliver-`+n+`"`)
	apptest.WantRedirect(t, admin.Post(log, "/webhooks/"+sub+"/deliveries/"+n+"/redeliver", nil), "/webhooks/"+sub+"?done=redelivered")
	apptest.WantText(t, w.Expect(admin.Get("/webhooks/"+sub+"?done=redelivered", "Accept-Language", "zh-CN"), 200), "已重新排队投递。", "尝试次数")
	w.Expect(mgr.Post(mine, "/webhooks/"+other+"/deliveries/"+n+"/redeliver", nil), 404)

	w.Expect(admin.Post(hook, "/webhooks/"+id+"/delete", nil), 422)
	apptest.WantRedirect(t, admin.Post(hook, "/webhooks/"+id+"/delete", url.Values{"confirm": {"yes"}}), "/webhooks")
	w.Expect(w.Do("GET", "/api/v1/webhooks/"+id, w.Admin, ""), 404)
}
