package facebook

import (
	"encoding/json"
	"strings"
)

// The Graph API's webhooks of the inbox: a page's Messenger messages
// (object "page", entry[].messaging[]) and the comments on its posts
// (the feed field's changes), and the WhatsApp Business Account's
// messages and message statuses (object "whatsapp_business_account").

// Inbound is one message a person sent: on Messenger (From is the
// page-scoped id), on WhatsApp (From is the number in E.164), or a comment
// on the page's posts (Comment).
type Inbound struct {
	Channel  string // "messenger" or "whatsapp"
	ID       string // the message's (or comment's) id
	From     string
	FromName string
	Text     string
	Comment  bool
	PostID   string
}

// Status is a WhatsApp status of a message the business sent: sent,
// delivered, read or failed, with the error's code and title.
type Status struct {
	MessageID, Status, Recipient string
	ErrorCode                    int
	ErrorTitle                   string
}

type inboxPayload struct {
	Object string `json:"object"`
	Entry  []struct {
		Messaging []struct {
			Sender  struct{ ID string } `json:"sender"`
			Message *struct {
				MID    string `json:"mid"`
				Text   string `json:"text"`
				IsEcho bool   `json:"is_echo"`
			} `json:"message"`
		} `json:"messaging"`
		Changes []struct {
			Field string          `json:"field"`
			Value json.RawMessage `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type feedValue struct {
	Item      string `json:"item"`
	Verb      string `json:"verb"`
	CommentID string `json:"comment_id"`
	PostID    string `json:"post_id"`
	Message   string `json:"message"`
	From      struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"from"`
}

type whatsAppValue struct {
	Contacts []struct {
		WaID    string `json:"wa_id"`
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	} `json:"contacts"`
	Messages []struct {
		From string `json:"from"`
		ID   string `json:"id"`
		Type string `json:"type"`
		Text struct {
			Body string `json:"body"`
		} `json:"text"`
	} `json:"messages"`
	Statuses []struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		RecipientID string `json:"recipient_id"`
		Errors      []struct {
			Code  int    `json:"code"`
			Title string `json:"title"`
		} `json:"errors"`
	} `json:"statuses"`
}

// InboxDelivery reads a Graph API webhook delivery: the messages and
// comments people sent (echoes of the page's own messages, edits and
// removals left out) and WhatsApp's statuses.
func InboxDelivery(body []byte) ([]Inbound, []Status, error) {
	var p inboxPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, nil, err
	}
	var in []Inbound
	var st []Status
	for _, e := range p.Entry {
		for _, m := range e.Messaging {
			if m.Message == nil || m.Message.IsEcho || m.Message.MID == "" {
				continue
			}
			in = append(in, Inbound{Channel: "messenger", ID: m.Message.MID, From: m.Sender.ID, Text: m.Message.Text})
		}
		for _, c := range e.Changes {
			switch {
			case c.Field == "feed" && p.Object == "page":
				var v feedValue
				if json.Unmarshal(c.Value, &v) != nil || v.Item != "comment" || v.Verb != "add" || v.CommentID == "" {
					continue
				}
				in = append(in, Inbound{Channel: "messenger", ID: v.CommentID, From: v.From.ID, FromName: v.From.Name,
					Text: v.Message, Comment: true, PostID: v.PostID})
			case c.Field == "messages":
				var v whatsAppValue
				if json.Unmarshal(c.Value, &v) != nil {
					continue
				}
				names := map[string]string{}
				for _, ct := range v.Contacts {
					names[ct.WaID] = ct.Profile.Name
				}
				for _, m := range v.Messages {
					if m.ID == "" {
						continue
					}
					in = append(in, Inbound{Channel: "whatsapp", ID: m.ID, From: e164(m.From), FromName: names[m.From], Text: m.Text.Body})
				}
				for _, s := range v.Statuses {
					x := Status{MessageID: s.ID, Status: s.Status, Recipient: e164(s.RecipientID)}
					if len(s.Errors) > 0 {
						x.ErrorCode, x.ErrorTitle = s.Errors[0].Code, s.Errors[0].Title
					}
					st = append(st, x)
				}
			}
		}
	}
	return in, st, nil
}

// e164 is a WhatsApp number (digits) in E.164.
func e164(n string) string {
	if n == "" || strings.HasPrefix(n, "+") {
		return n
	}
	return "+" + n
}
