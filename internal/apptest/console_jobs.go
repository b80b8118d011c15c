package apptest

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/leadflow/leadflow/internal/sendgridtest"
)

// Upload sends a multipart form of page (with its CSRF token): a file
// and the fields, a name then its value (a name may come again).
func (b *Browser) Upload(page Response, path, fileName string, data []byte, fields ...string) Response {
	b.s.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields = append([]string{"csrf", b.CSRF(page)}, fields...)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			b.s.T.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", fileName)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err != nil || mw.Close() != nil {
		b.s.T.Fatalf("multipart: %v", err)
	}
	req := httptest.NewRequest("POST", path, bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for name, v := range b.Cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	return b.s.Send(req, body.Bytes())
}

// EmailLink finds the links of an e-mail.
var EmailLink = regexp.MustCompile(`https://leadflow\.example\.com/[^\s"<>]*`)

var nextField = regexp.MustCompile(`name="next" value="([^"]*)"`)

// FollowEmailLink opens an e-mail's link in a browser without a session:
// the sign-in page comes first, and signing in with token brings the user
// back to the link's page, which it returns.
func (s *Stack) FollowEmailLink(link, token string) Response {
	s.T.Helper()
	path := strings.TrimPrefix(link, "https://leadflow.example.com")
	b := s.Browser()
	first := b.Get(path)
	WantRedirect(s.T, first, "/login?next="+url.QueryEscape(path))
	login := s.Expect(b.Get(first.Header.Get("Location")), 200)
	m := nextField.FindSubmatch(login.Body)
	if m == nil || html.UnescapeString(string(m[1])) != path {
		s.T.Fatalf("the sign-in page for %s keeps next %q", path, m)
	}
	WantRedirect(s.T, b.Post(login, "/login", url.Values{"token": {token}, "next": {html.UnescapeString(string(m[1]))}}), path)
	return s.Expect(b.Get(path), 200)
}

// MailLinks are the links of the last e-mail to addr whose subject has subject.
func (s *Stack) MailLinks(sg *sendgridtest.Server, addr, subject string) []string {
	s.T.Helper()
	var links []string
	s.WaitFor(30*time.Second, "an e-mail to "+addr+" about "+subject, func() bool {
		for _, m := range sg.DeliveredTo(addr) {
			if strings.Contains(m.Subject, subject) {
				links = nil
				links = append(links, EmailLink.FindAllString(m.Body("text/plain")+m.Body("text/html"), -1)...)
			}
		}
		return links != nil
	})
	return links
}
