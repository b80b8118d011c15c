package activities

import (
	"context"

	"github.com/leadflow/leadflow/chat"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/store"
)

// chatSender is the sender of target t: the outbox when ChatOutbox (the
// post is only stored), else the robot's through the webhook guard's client,
// signed by the wall clock (the robots check it, not the rules' clock).
func (a *Activities) chatSender(t lead.ChatTarget) notify.Sender {
	if a.ChatOutbox {
		return notify.Outbox{}
	}
	return chat.Sender{Target: chat.Target{Kind: t.Kind, URL: t.URL, Secret: t.Secret}, Client: a.Hooks.httpClient()}
}

// postChats posts the notification of e to u's active chat targets and to
// their team's that take its kind, each once: a post is a notification
// keyed by the e-mail's key, "/chat/" and the target's id, claimed, leased
// and recorded like an e-mail (deliver), so a team's target gets one post
// per event however many of its members are notified, in the language of
// the first. Each outcome goes to record.
func (a *Activities) postChats(ctx context.Context, e lead.Email, d notify.Data, u store.MailUser, record func(string, error)) {
	targets, err := a.Store.ActiveChatTargets(ctx, u.ID, u.TeamID, e.Kind)
	if err != nil {
		record("chat targets", err)
		return
	}
	for _, t := range targets {
		n, err := a.render(e, d, u)
		if err != nil {
			record(t.Kind+" "+t.ID, err)
			continue
		}
		n.Key, n.ToEmail = e.Key+"/chat/"+t.ID, t.Kind+":"+t.ID
		record(t.Kind+" "+t.ID, a.deliver(ctx, n, u.Name, a.chatSender(t)))
	}
}
