package api_test

import (
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestAuthorizationMatrix sends every route of the API as each subject and
// checks the status against the access model (README, "Access model"). A
// route without a row fails the test. The fields of PATCH /pools/{id}
// have their own matrix, TestPoolFieldMatrix.
func TestAuthorizationMatrix(t *testing.T) {
	w := apptest.NewWorld(t)
	id := func(f func(*apptest.World) lead.Lead) func(*apptest.World) string {
		return func(w *apptest.World) string { return f(w).ID }
	}
	pooledLead, assignedLead, offeredLead := id((*apptest.World).Pooled), id((*apptest.World).Assigned), id((*apptest.World).Offered)
	shared := map[string]string{}
	once := func(key string, f func(*apptest.World) string) func(*apptest.World) string {
		return func(w *apptest.World) string {
			if _, ok := shared[key]; !ok {
				shared[key] = f(w)
			}
			return shared[key]
		}
	}
	readLead := once("assigned", assignedLead)
	fixed := func(v string) func(*apptest.World) string { return func(*apptest.World) string { return v } }
	self := func(w *apptest.World) string { return w.IDs[apptest.SubMember] }
	poolA := func(w *apptest.World) string { return w.PoolA }
	staffOnly := [apptest.Subjects]int{200, 200, 200, 403, 403, 403, 403}
	adminOnly := [apptest.Subjects]int{200, 403, 403, 403, 403, 403, 403}
	uniq := func(f string) func(*apptest.World) string {
		return func(w *apptest.World) string { return fmt.Sprintf(f, w.Seq.Add(1)) }
	}
	// A subscription to pool A's events (its manager's); an inactive one posts nothing.
	hook := once("webhook", func(w *apptest.World) string { return w.Webhook(w.PoolA, "http://127.0.0.1:9/h", false) })
	hookSeen := [apptest.Subjects]int{200, 200, 404, 403, 403, 403, 403}
	inbound := once("source", func(w *apptest.World) string { return w.Source() })
	// A chat target of the member rep's own: theirs and the admins' to manage.
	chatTarget := func(w *apptest.World) string {
		var out struct{ ID string }
		w.Expect(w.Do("POST", "/api/v1/chat-targets", w.Tokens[apptest.SubMember], `{"kind":"slack","url":"http://127.0.0.1:9/h","active":false}`), 201).JSON(w.T, &out)
		return out.ID
	}
	// A template of the manager's, and one to delete for each subject.
	template := func(w *apptest.World) string {
		var out struct{ ID string }
		w.Expect(w.Do("POST", "/api/v1/templates", w.Admin, fmt.Sprintf(`{"name":"Matrix %d","channel":"sms","language":"en","body":"Hi {{.Lead.Name}}"}`, w.Seq.Add(1))), 201).JSON(w.T, &out)
		return out.ID
	}
	staffWrites := [apptest.Subjects]int{200, 200, 200, 403, 403, 403, 403}
	// A bulk action of the member rep's: theirs and the admins' to see.
	bulk := once("bulk", func(w *apptest.World) string { return w.Bulk(apptest.SubMember) })
	ownJob := [apptest.Subjects]int{200, 404, 404, 200, 404, 404, 404}
	// A draft campaign of the manager's (to pool A's leads), one for each subject.
	campaignBody := func(w *apptest.World) string {
		tpl := once("email template", func(w *apptest.World) string {
			var out struct{ ID string }
			w.Expect(w.Do("POST", "/api/v1/templates", w.Admin, `{"name":"Matrix news","channel":"email","language":"en","subject":"News","body":"Hi {{.Lead.Name}}"}`), 201).JSON(w.T, &out)
			return out.ID
		})(w)
		return fmt.Sprintf(`{"name":"Matrix %d","channel":"email","template_id":%q,"audience":{"filter":{"pool_id":%q}}}`, w.Seq.Add(1), tpl, w.PoolA)
	}
	campaign := func(w *apptest.World) string {
		var out struct{ ID string }
		w.Expect(w.Do("POST", "/api/v1/campaigns", w.Tokens[apptest.SubMgr], campaignBody(w)), 201).JSON(w.T, &out)
		return out.ID
	}
	campaignSeen := [apptest.Subjects]int{200, 200, 404, 403, 403, 403, 403}
	// A sequence of the manager's (for pool A): a manager of another pool may not name pool A.
	sequence := once("sequence", (*apptest.World).Sequence)
	sequenceBody := func(w *apptest.World) string {
		return fmt.Sprintf(`{"name":"Matrix made %d","pool_ids":[%q],"steps":[{"wait":"1h"}]}`, w.Seq.Add(1), w.PoolA)
	}
	leadReaders := [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}
	// A global ignored company: the admins' to remove (the matrix's managers have no team).
	ignored := (*apptest.World).IgnoredCompany
	ownRulesTeam := once("own-rules", (*apptest.World).OwnRulesTeam)
	// Conversations of the inbox: one nobody is assigned, and the owner rep's.
	unassigned := func(w *apptest.World) string { return w.Conversation(-1) }
	ownersConversation := func(w *apptest.World) string { return w.Conversation(apptest.SubOwner) }
	member := func(w *apptest.World) string { return fmt.Sprintf(`{"rep_id":%q}`, w.IDs[apptest.SubMember]) }
	rows := map[string]apptest.Cell{
		"GET /api/v1/me":                  {Want: apptest.All(200)},
		"PATCH /api/v1/me":                {Body: fixed(`{"time_zone":"Asia/Shanghai","language":"zh-CN"}`), Want: apptest.All(200)},
		"GET /api/v1/me/invite":           {Want: apptest.All(200)},
		"POST /api/v1/me/invite/rotate":   {Want: apptest.All(200)},
		"POST /api/v1/me/token":           {Refresh: true, Want: apptest.All(200)},
		"GET /api/v1/settings/duplicates": {Want: staffOnly},
		"PUT /api/v1/settings/duplicates": {Body: fixed(`{"api":"warn"}`), Want: adminOnly},
		"POST /api/v1/users":              {Body: uniq(`{"name":"New %[1]d","email":"new%[1]d@example.com","role":"rep"}`), Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/users":               {Want: staffOnly},
		"GET /api/v1/users/:id":           {Fixture: self, Want: [apptest.Subjects]int{200, 200, 200, 200, 403, 403, 403}},
		"PATCH /api/v1/users/:id":         {Fixture: self, Body: fixed(`{"capacity":50}`), Want: adminOnly},
		"POST /api/v1/users/:id/token": {Fixture: func(w *apptest.World) string {
			id, _ := w.CreateRep(fmt.Sprintf("Fresh%d", w.Seq.Add(1)), 5)
			return id
		}, Want: adminOnly},
		"POST /api/v1/users/:id/sign-in-link":                 {Fixture: self, Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"POST /api/v1/leads":                                  {Body: uniq(`{"company":"Created Trading %[1]d","phone":"1390013%04[1]d","country":"CN"}`), Want: apptest.All(201)},
		"GET /api/v1/leads":                                   {Want: apptest.All(200)},
		"GET /api/v1/leads/:id":                               {Fixture: readLead, Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"GET /api/v1/leads/:id/history":                       {Fixture: readLead, Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"PATCH /api/v1/leads/:id":                             {Fixture: readLead, Body: fixed(`{"notes":"seen"}`), Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"POST /api/v1/leads/:id/follow-ups":                   {Fixture: readLead, Body: fixed(`{"type":"call","content":"called"}`), Want: [apptest.Subjects]int{201, 201, 404, 404, 404, 201, 404}},
		"POST /api/v1/leads/:id/claim":                        {Fixture: pooledLead, Want: [apptest.Subjects]int{200, 200, 404, 200, 404, 200, 200}},
		"POST /api/v1/leads/:id/assign":                       {Fixture: pooledLead, Body: func(w *apptest.World) string { return fmt.Sprintf(`{"rep_id":%q}`, w.IDs[apptest.SubMember]) }, Want: [apptest.Subjects]int{200, 200, 404, 403, 404, 403, 403}},
		"POST /api/v1/leads/:id/transfer":                     {Fixture: pooledLead, Body: func(w *apptest.World) string { return fmt.Sprintf(`{"pool_id":%q}`, w.PoolA2) }, Want: [apptest.Subjects]int{200, 200, 404, 403, 404, 403, 403}},
		"POST /api/v1/leads/:id/accept":                       {Fixture: offeredLead, Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 404, 200}},
		"POST /api/v1/leads/:id/decline":                      {Fixture: offeredLead, Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 404, 200}},
		"POST /api/v1/leads/:id/return":                       {Fixture: assignedLead, Body: fixed(`{"reason":"unreachable"}`), Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"POST /api/v1/leads/:id/reclaim":                      {Fixture: assignedLead, Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 403, 404}},
		"POST /api/v1/leads/:id/close":                        {Fixture: assignedLead, Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 403, 404}},
		"POST /api/v1/leads/:id/convert":                      {Fixture: assignedLead, Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"POST /api/v1/leads/:id/reopen":                       {Fixture: id((*apptest.World).Closed), Body: fixed(`{"reason":"the customer called back"}`), Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 403, 404}},
		"POST /api/v1/leads/:id/readmit":                      {Fixture: id((*apptest.World).Rejected), Body: fixed(`{"reason":"the number is right: an extension"}`), Want: [apptest.Subjects]int{200, 404, 404, 404, 404, 404, 404}},
		"POST /api/v1/leads/:id/review/keep":                  {Fixture: id((*apptest.World).Flagged), Want: [apptest.Subjects]int{200, 403, 404, 403, 404, 403, 403}},
		"POST /api/v1/leads/:id/review/reject":                {Fixture: id((*apptest.World).Flagged), Want: [apptest.Subjects]int{200, 403, 404, 403, 404, 403, 403}},
		"GET /api/v1/leads/:id/follow-ups":                    {Fixture: readLead, Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"GET /api/v1/customers":                               {Want: apptest.All(200)},
		"GET /api/v1/customers/:id":                           {Fixture: once("customer", (*apptest.World).Customer), Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"GET /api/v1/fields":                                  {Want: apptest.All(200)},
		"POST /api/v1/fields":                                 {Body: uniq(`{"entity":"lead","name":"matrix_%d","type":"text"}`), Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"PATCH /api/v1/fields/:id":                            {Fixture: once("field", (*apptest.World).Field), Body: fixed(`{"label":"Matrix"}`), Want: adminOnly},
		"DELETE /api/v1/fields/:id":                           {Fixture: (*apptest.World).Field, Want: [apptest.Subjects]int{204, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/options":                                 {Want: apptest.All(200)},
		"GET /api/v1/options/:list":                           {Fixture: fixed("stages"), Want: apptest.All(200)},
		"PUT /api/v1/options/:list":                           {Fixture: fixed("stages"), Body: fixed(`{"items":["New","Started","Follow-up","In progress","Completed"]}`), Want: adminOnly},
		"GET /api/v1/rules":                                   {Want: staffOnly},
		"GET /api/v1/rules/:kind":                             {Fixture: fixed("scoring"), Want: staffOnly},
		"PUT /api/v1/rules/:kind":                             {Fixture: fixed("scoring"), Body: fixed(`{"rules":[]}`), Want: adminOnly},
		"POST /api/v1/rules/:kind/test":                       {Fixture: fixed("scoring"), Body: fixed(`{"lead":{"company":"Acme Trading","phone":"13800138000","country":"CN"}}`), Want: staffOnly},
		"POST /api/v1/rules/:kind/preview":                    {Fixture: fixed("scoring"), Body: fixed(`{"rules":{"rules":[]}}`), Want: staffOnly},
		"GET /api/v1/rules/:kind/versions":                    {Fixture: fixed("scoring"), Want: staffOnly},
		"POST /api/v1/rules/:kind/versions/:version/activate": {Fixture: fixed("scoring/versions/1"), Want: adminOnly},
		"POST /api/v1/teams":                                  {Body: uniq(`{"name":"Team %d"}`), Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/teams":                                   {Want: apptest.All(200)},
		"PATCH /api/v1/teams/:id":                             {Fixture: func(w *apptest.World) string { return w.TeamOf(apptest.SubMember) }, Body: fixed(`{"time_zone":"Asia/Shanghai"}`), Want: adminOnly},
		"POST /api/v1/pools":                                  {Body: uniq(`{"name":"Pool %d","scope":"global"}`), Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/pools":                                   {Want: apptest.All(200)},
		"GET /api/v1/pools/:id":                               {Fixture: poolA, Want: [apptest.Subjects]int{200, 200, 200, 200, 403, 200, 200}},
		"PATCH /api/v1/pools/:id":                             {Fixture: poolA, Body: fixed(`{"policy":{"distribution":"claim_only"}}`), Want: [apptest.Subjects]int{200, 200, 403, 403, 403, 403, 403}},
		"POST /api/v1/pools/:id/transfer-ownership":           {Fixture: poolA, Body: func(w *apptest.World) string { return fmt.Sprintf(`{"admin_id":%q}`, w.IDs[apptest.SubMgr]) }, Want: [apptest.Subjects]int{200, 200, 403, 403, 403, 403, 403}},
		"GET /api/v1/pools/:id/recipients":                    {Fixture: poolA, Want: [apptest.Subjects]int{200, 200, 403, 403, 403, 403, 403}},
		"PUT /api/v1/pools/:id/recipients":                    {Fixture: poolA, Body: func(w *apptest.World) string { return fmt.Sprintf(`{"user_ids":[%q]}`, w.IDs[apptest.SubMgr]) }, Want: [apptest.Subjects]int{200, 200, 403, 403, 403, 403, 403}},
		"GET /api/v1/notifications":                           {Want: apptest.All(200)},
		"GET /api/v1/settings/notifications":                  {Want: apptest.All(200)},
		"PUT /api/v1/settings/notifications":                  {Body: fixed(`{"opt_out":[]}`), Want: apptest.All(200)},
		"GET /api/v1/imports/template":                        {Want: apptest.All(200)},
		"GET /api/v1/exports/:id":                             {Fixture: once("export", func(w *apptest.World) string { return w.Export(apptest.SubMember) }), Want: [apptest.Subjects]int{200, 404, 404, 200, 404, 404, 404}},
		"POST /api/v1/exports":                                {Body: fixed(`{"format":"csv"}`), Want: apptest.All(202)},
		"GET /api/v1/imports/:id":                             {Fixture: once("import", func(w *apptest.World) string { return w.ImportInto(apptest.SubMgr) }), Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 404, 404}},
		"GET /api/v1/imports/:id/errors.csv":                  {Fixture: once("import", func(w *apptest.World) string { return w.ImportInto(apptest.SubMgr) }), Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 404, 404}},
		"GET /api/v1/teams/:id/recipients":                    {Fixture: func(w *apptest.World) string { return w.TeamOf(apptest.SubMember) }, Want: staffOnly},
		"PUT /api/v1/teams/:id/recipients":                    {Fixture: func(w *apptest.World) string { return w.TeamOf(apptest.SubMember) }, Body: func(w *apptest.World) string { return fmt.Sprintf(`{"user_ids":[%q]}`, w.IDs[apptest.SubMember]) }, Want: adminOnly},
		"GET /api/v1/exports/:id/file":                        {Fixture: once("export", func(w *apptest.World) string { return w.Export(apptest.SubMember) }), Want: [apptest.Subjects]int{200, 404, 404, 200, 404, 404, 404}},
		"POST /api/v1/imports/preview":                        {Multipart: true, Want: staffOnly},
		"POST /api/v1/imports":                                {Multipart: true, Want: [apptest.Subjects]int{202, 202, 403, 403, 403, 403, 403}},
		"GET /api/v1/imports":                                 {Want: staffOnly},
		"GET /api/v1/exports":                                 {Want: apptest.All(200)},
		"POST /api/v1/bulk-actions":                           {Body: fixed(`{"action":"close","lead_ids":["00000000-0000-4000-8000-000000000002"]}`), Want: apptest.All(202)},
		"GET /api/v1/bulk-actions":                            {Want: apptest.All(200)},
		"GET /api/v1/bulk-actions/:id":                        {Fixture: bulk, Want: ownJob},
		"POST /api/v1/bulk-actions/:id/cancel":                {Fixture: bulk, Want: ownJob},
		"GET /api/v1/bulk-actions/:id/refused.csv":            {Fixture: bulk, Want: ownJob},
		"GET /api/v1/reports/funnel":                          {Want: apptest.All(200)},
		"GET /api/v1/reports/rejections":                      {Want: apptest.All(200)},
		"GET /api/v1/reports/activity":                        {Want: apptest.All(200)},
		"GET /api/v1/chat-targets":                            {Want: apptest.All(200)},
		"POST /api/v1/chat-targets":                           {Body: fixed(`{"kind":"wecom","url":"http://127.0.0.1:9/h","active":false}`), Want: apptest.All(201)},
		"PATCH /api/v1/chat-targets/:id":                      {Fixture: once("chat", chatTarget), Body: fixed(`{"kinds":["assigned"]}`), Want: [apptest.Subjects]int{200, 404, 404, 200, 404, 404, 404}},
		"DELETE /api/v1/chat-targets/:id":                     {Fixture: chatTarget, Want: [apptest.Subjects]int{204, 404, 404, 204, 404, 404, 404}},
		"GET /api/v1/calendars":                               {Want: staffOnly},
		"POST /api/v1/calendars":                              {Body: uniq(`{"name":"Matrix %d",` + apptest.OfficeHours + `}`), Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/calendars/:id":                           {Fixture: once("calendar", (*apptest.World).Calendar), Want: staffOnly},
		"PATCH /api/v1/calendars/:id":                         {Fixture: once("calendar", (*apptest.World).Calendar), Body: fixed(`{"holidays":["2026-12-25"]}`), Want: adminOnly},
		"GET /api/v1/calendars/:id/versions":                  {Fixture: once("calendar", (*apptest.World).Calendar), Want: staffOnly},
		"POST /api/v1/calendars/:id/ics":                      {Fixture: once("calendar", (*apptest.World).Calendar), Body: fixed("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), ContentType: "text/calendar", Want: adminOnly},
		"GET /api/v1/templates":                               {Want: apptest.All(200)},
		"POST /api/v1/templates":                              {Body: uniq(`{"name":"Made %d","channel":"sms","language":"zh-CN","body":"您好"}`), Want: [apptest.Subjects]int{201, 201, 201, 403, 403, 403, 403}},
		"GET /api/v1/templates/:id":                           {Fixture: once("template", template), Want: apptest.All(200)},
		"PATCH /api/v1/templates/:id":                         {Fixture: once("template", template), Body: fixed(`{"body":"Hello {{.Lead.Company}}"}`), Want: staffWrites},
		"DELETE /api/v1/templates/:id":                        {Fixture: template, Want: [apptest.Subjects]int{204, 204, 204, 403, 403, 403, 403}},
		"POST /api/v1/templates/:id/preview": {Fixture: once("template", template), Body: func(w *apptest.World) string {
			return fmt.Sprintf(`{"lead_id":%q}`, readLead(w))
		}, Want: [apptest.Subjects]int{200, 200, 422, 422, 422, 200, 422}},
		"POST /api/v1/leads/:id/messages":       {Fixture: readLead, Body: fixed(`{"channel":"sms","body":"Hi {{.Lead.Company}}"}`), Want: [apptest.Subjects]int{201, 201, 404, 404, 404, 201, 404}},
		"GET /api/v1/leads/:id/messages":        {Fixture: readLead, Want: leadReaders},
		"GET /api/v1/leads/:id/consent":         {Fixture: readLead, Want: leadReaders},
		"GET /api/v1/leads/:id/replies":         {Fixture: readLead, Want: leadReaders},
		"GET /api/v1/conversations":             {Want: apptest.All(200)},
		"GET /api/v1/conversations/:id":         {Fixture: once("conversation", unassigned), Want: [apptest.Subjects]int{200, 200, 200, 404, 404, 404, 404}},
		"POST /api/v1/conversations/:id/assign": {Fixture: once("conversation", unassigned), Body: member, Want: staffWrites},
		"GET /api/v1/conversations/:id/draft":   {Fixture: once("owners-conversation", ownersConversation), Want: [apptest.Subjects]int{403, 403, 403, 404, 404, 200, 404}},
		"POST /api/v1/conversations/:id/lead":   {Fixture: ownersConversation, Body: uniq(`{"company":"Inbox Matrix %d Ltd","phone":"13800138000","country":"CN"}`), Want: [apptest.Subjects]int{403, 403, 403, 404, 404, 201, 404}},
		"GET /api/v1/campaigns":                 {Want: staffOnly},
		"POST /api/v1/campaigns":                {Body: campaignBody, Want: [apptest.Subjects]int{201, 201, 201, 403, 403, 403, 403}},
		"GET /api/v1/campaigns/:id":             {Fixture: once("campaign", campaign), Want: campaignSeen},
		"POST /api/v1/campaigns/:id/start":      {Fixture: campaign, Want: [apptest.Subjects]int{202, 202, 404, 403, 403, 403, 403}},
		"POST /api/v1/campaigns/:id/pause":      {Fixture: campaign, Want: [apptest.Subjects]int{409, 409, 404, 403, 403, 403, 403}},
		"POST /api/v1/campaigns/:id/resume":     {Fixture: campaign, Want: [apptest.Subjects]int{409, 409, 404, 403, 403, 403, 403}},
		"POST /api/v1/campaigns/:id/cancel":     {Fixture: campaign, Want: campaignSeen},
		"GET /api/v1/reports/campaigns/:id":     {Fixture: once("campaign", campaign), Want: campaignSeen},
		"GET /api/v1/sequences":                 {Want: staffOnly},
		"POST /api/v1/sequences":                {Body: sequenceBody, Want: [apptest.Subjects]int{201, 201, 422, 403, 403, 403, 403}},
		"GET /api/v1/sequences/:id":             {Fixture: sequence, Want: campaignSeen},
		"PATCH /api/v1/sequences/:id":           {Fixture: sequence, Body: uniq(`{"name":"Matrix drip renamed %d"}`), Want: campaignSeen},
		"GET /api/v1/reports/sequences/:id":     {Fixture: sequence, Want: campaignSeen},
		"GET /api/v1/leads/:id/sequences":       {Fixture: readLead, Want: leadReaders},
		"POST /api/v1/leads/:id/sequences": {Fixture: readLead, Body: func(w *apptest.World) string {
			return fmt.Sprintf(`{"sequence_id":%q}`, sequence(w))
		}, Want: [apptest.Subjects]int{201, 201, 404, 404, 404, 201, 404}},
		"DELETE /api/v1/leads/:id/sequences/:enrolment": {Fixture: once("enrolment", func(w *apptest.World) string {
			return readLead(w) + "/sequences/" + w.Enrol(w.Admin, readLead(w), sequence(w)).ID
		}), Want: [apptest.Subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"GET /api/v1/companies/ignored":            {Want: staffOnly},
		"POST /api/v1/companies/ignored":           {Body: uniq(`{"name":"Ignored Matrix %d Ltd"}`), Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"DELETE /api/v1/companies/ignored/:id":     {Fixture: ignored, Want: [apptest.Subjects]int{204, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/crm-targets":                  {Want: adminOnly},
		"POST /api/v1/crm-targets":                 {Body: uniq(`{"name":"CRM %d","kind":"hubspot","base_url":"http://127.0.0.1:9","token":"t"}`), Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"DELETE /api/v1/crm-targets/:id":           {Fixture: (*apptest.World).CRMTarget, Want: [apptest.Subjects]int{204, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/teams/:id/registration-rules": {Fixture: ownRulesTeam, Want: adminOnly},
		"PUT /api/v1/teams/:id/registration-rules": {Fixture: ownRulesTeam, Body: fixed(`{"groups":[["lead.country == \"CN\""]]}`), Want: adminOnly},
		"POST /api/v1/webhooks": {Body: func(w *apptest.World) string {
			return fmt.Sprintf(`{"url":"http://127.0.0.1:9/h","events":["*"],"pool_id":%q,"active":false}`, w.PoolA)
		}, Want: [apptest.Subjects]int{201, 201, 403, 403, 403, 403, 403}},
		"GET /api/v1/webhooks":                                     {Want: staffOnly},
		"GET /api/v1/webhooks/:id":                                 {Fixture: hook, Want: hookSeen},
		"PATCH /api/v1/webhooks/:id":                               {Fixture: hook, Body: fixed(`{"events":["lead.created"]}`), Want: hookSeen},
		"DELETE /api/v1/webhooks/:id":                              {Fixture: func(w *apptest.World) string { return w.Webhook(w.PoolA, "http://127.0.0.1:9/h", false) }, Want: [apptest.Subjects]int{204, 204, 404, 403, 403, 403, 403}},
		"POST /api/v1/webhooks/:id/rotate-secret":                  {Fixture: hook, Want: hookSeen},
		"GET /api/v1/webhooks/:id/deliveries":                      {Fixture: hook, Want: hookSeen},
		"POST /api/v1/webhooks/:id/deliveries/:delivery/redeliver": {Fixture: once("delivery", (*apptest.World).WebhookDelivery), Want: [apptest.Subjects]int{202, 202, 404, 403, 403, 403, 403}},
		"POST /api/v1/sources":                                     {Body: uniq(`{"name":"matrix-%d"}`), Want: [apptest.Subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/sources":                                      {Want: adminOnly},
		"GET /api/v1/sources/:id":                                  {Fixture: inbound, Want: adminOnly},
		"PATCH /api/v1/sources/:id":                                {Fixture: inbound, Body: fixed(`{"duplicate_policy":"warn"}`), Want: adminOnly},
		"DELETE /api/v1/sources/:id":                               {Fixture: func(w *apptest.World) string { return w.Source() }, Want: [apptest.Subjects]int{204, 403, 403, 403, 403, 403, 403}},
		"POST /api/v1/sources/:id/rotate-secret":                   {Fixture: inbound, Want: adminOnly},
		// A view the pool A manager shares with their pools: its owner and
		// admins change it, its readers (pool A's members) may not, the
		// others do not see it.
		"POST /api/v1/pools/:id/archive": {Fixture: (*apptest.World).EmptyPool, Want: adminOnly},
		"POST /api/v1/pools/:id/restore": {Fixture: (*apptest.World).ArchivedPool, Want: adminOnly},
		"GET /api/v1/me/columns":         {Want: apptest.All(200)},
		"PUT /api/v1/me/columns":         {Body: fixed(`{"columns":["company","status","reclaim"]}`), Want: apptest.All(200)},
		"GET /api/v1/views":              {Want: apptest.All(200)},
		"POST /api/v1/views":             {Body: uniq(`{"name":"Matrix %d","filter":{"status":"assigned","period":"last 7 days"}}`), Want: apptest.All(201)},
		"PATCH /api/v1/views/:id":        {Fixture: once("view", (*apptest.World).ManagerView), Body: fixed(`{"sort":"score"}`), Want: [apptest.Subjects]int{200, 200, 404, 403, 404, 403, 403}},
		"DELETE /api/v1/views/:id":       {Fixture: (*apptest.World).ManagerView, Want: [apptest.Subjects]int{204, 204, 404, 403, 404, 403, 403}},
	}
	// Console routes with a row are sent by each subject signed in (the
	// others are checked for their sign-in redirect only).
	mgrImport := once("import", func(w *apptest.World) string { return w.ImportInto(apptest.SubMgr) })
	memberExport := once("export", func(w *apptest.World) string { return w.Export(apptest.SubMember) })
	importSeen := [apptest.Subjects]int{200, 200, 404, 404, 404, 404, 404}
	exportSeen := [apptest.Subjects]int{200, 404, 404, 200, 404, 404, 404}
	jobConsoleRows := map[string]apptest.Cell{
		"GET /imports":                {Want: staffOnly},
		"GET /imports/template":       {Want: apptest.All(200)},
		"POST /imports/preview":       {Multipart: true, Want: staffOnly},
		"POST /imports":               {Multipart: true, Want: [apptest.Subjects]int{303, 303, 403, 403, 403, 403, 403}},
		"GET /imports/:id":            {Fixture: mgrImport, Want: importSeen},
		"GET /imports/:id/progress":   {Fixture: mgrImport, Want: importSeen},
		"GET /imports/:id/errors.csv": {Fixture: mgrImport, Want: importSeen},
		"GET /exports":                {Want: apptest.All(200)},
		"POST /exports":               {Body: fixed("format=csv&fields=id"), Want: apptest.All(303)},
		"GET /exports/:id":            {Fixture: memberExport, Want: exportSeen},
		"GET /exports/:id/progress":   {Fixture: memberExport, Want: exportSeen},
		"GET /exports/:id/file":       {Fixture: memberExport, Want: exportSeen},
		// A bulk action of the member rep's: theirs and the admins' to see.
		"POST /bulk-actions/confirm":        {Body: fixed("action=close&lead_ids=00000000-0000-4000-8000-000000000003"), Want: apptest.All(200)},
		"POST /bulk-actions":                {Body: fixed("action=close&lead_ids=00000000-0000-4000-8000-000000000003"), Want: apptest.All(303)},
		"GET /bulk-actions":                 {Want: apptest.All(200)},
		"GET /bulk-actions/:id":             {Fixture: bulk, Want: ownJob},
		"GET /bulk-actions/:id/progress":    {Fixture: bulk, Want: ownJob},
		"POST /bulk-actions/:id/cancel":     {Fixture: bulk, Want: [apptest.Subjects]int{303, 404, 404, 303, 404, 404, 404}},
		"GET /bulk-actions/:id/refused.csv": {Fixture: bulk, Want: ownJob},
	}
	public := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /api/v1/openapi.json": true,
		"POST /api/v1/register": true, "POST /api/v1/register/:invite": true,
		"POST /api/v1/hooks/:source": true, "GET /api/v1/hooks/:source": true, // signed, not signed in: TestInboundSources, TestFacebookLeadAds
		// the providers' webhooks of the inbox, signed: TestDeliveryEvents, TestReplies
		"POST /api/v1/inbound/sendgrid/events": true, "POST /api/v1/inbound/sendgrid/parse/:secret": true,
		"POST /api/v1/inbound/twilio/status": true, "POST /api/v1/inbound/twilio/sms": true,
		"GET /api/v1/inbound/meta": true, "POST /api/v1/inbound/meta": true,
		"GET /r/:invite": true, "GET /register": true, "GET /": true,
		"GET /static/:name": true, "GET /login": true, "POST /login": true, "POST /login/code": true, "GET /login/:code": true,
		"GET /lang/:lang": true,                         // the language switch works before signing in too
		"GET /u/:token":   true, "POST /u/:token": true} // unsubscribe links: the signed token is the credential

	consoleRows := apptest.ConsoleMatrix(poolA, fixed, uniq, once)
	maps.Copy(consoleRows, apptest.RuleConsoleRows)
	maps.Copy(consoleRows, jobConsoleRows)
	maps.Copy(consoleRows, apptest.ViewConsoleRows)
	maps.Copy(consoleRows, apptest.SequenceConsoleRows)

	param := regexp.MustCompile(`:[a-z_]+(/versions/:version|/deliveries/:delivery|/sequences/:enrolment)?`)
	eachParam := regexp.MustCompile(`:[a-z_]+`)
	seen := map[string]bool{}
	for _, r := range w.App.GetRoutes(true) {
		key := r.Method + " " + r.Path
		if r.Method == "HEAD" || seen[key] || public[key] {
			continue
		}
		seen[key] = true
		if !strings.HasPrefix(r.Path, "/api/") {
			w.ConsoleNeedsSession(r.Method, eachParam.ReplaceAllLiteralString(r.Path, uuid.NewString()))
			if _, ok := consoleRows[key]; !ok && apptest.ManagementPage(r.Path) {
				t.Errorf("%s has no row in the authorization matrix", key)
			}
			continue
		}
		c, ok := rows[key]
		if !ok {
			t.Errorf("%s has no row in the authorization matrix", key)
			continue
		}
		for sub := range apptest.Subjects {
			path := r.Path
			if c.Fixture != nil {
				path = param.ReplaceAllLiteralString(path, c.Fixture(w))
			}
			var got apptest.Response
			if c.Multipart {
				got = w.Upload(path, w.Tokens[sub], "m.csv", []byte("company,phone,country\nMatrix Upload Co,13800000000,CN\n"),
					"pool_id", w.PoolA)
			} else {
				body := ""
				if c.Body != nil {
					body = c.Body(w)
				}
				var headers []string
				if c.ContentType != "" {
					headers = []string{"Content-Type", c.ContentType}
				}
				got = w.Do(r.Method, path, w.Tokens[sub], body, headers...)
			}
			if c.Refresh && got.Status == 200 {
				var u struct{ Token string }
				got.JSON(t, &u)
				w.Tokens[sub] = u.Token
				if sub == apptest.SubAdmin {
					w.Admin = u.Token
				}
			}
			if got.Status != c.Want[sub] {
				t.Errorf("%s as %s: %d, want %d; %s", key, apptest.SubjectNames[sub], got.Status, c.Want[sub], got.Body)
			}
		}
	}
	for key := range consoleRows {
		if !seen[key] {
			t.Errorf("the matrix has a console row for %s, which is not a route", key)
		}
	}
	for key := range rows {
		if !seen[key] {
			t.Errorf("the matrix has a row for %s, which is not a route", key)
		}
	}
	w.ConsoleRoutes(consoleRows, seen, param)
	// The console's dashboard, signed in: everyone has one (of the leads
	// they answer for); managers and admins land on it after signing in.
	for sub := range apptest.Subjects {
		b := w.Browser()
		land := "/leads"
		if sub == apptest.SubAdmin || sub == apptest.SubMgr || sub == apptest.SubOtherMgr {
			land = "/dashboard"
		}
		apptest.WantRedirect(t, b.SignIn(w.Tokens[sub], ""), land)
		apptest.WantText(t, w.Expect(b.Get("/dashboard"), 200), `id="headlines"`)
	}
}
