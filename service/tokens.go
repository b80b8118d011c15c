package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// Credentials: API tokens, shown once and stored as a hash, and one-time
// sign-in links to the console.

// TokenPrefix marks leadflow API tokens so they are easy to spot in logs and secret scanners.
const TokenPrefix = "lf_"

// SignInLinkTTL is how long a one-time sign-in link works.
const SignInLinkTTL = 30 * time.Minute

// RandomToken returns n random bytes, base64url-encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewToken returns a fresh API token and the hash to store; the token
// itself is shown once and never stored.
func NewToken() (token string, hash []byte) {
	token = TokenPrefix + RandomToken(32)
	return token, HashToken(token)
}

// HashToken is the stored form of a token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// BaseURL is the public URL without its trailing slash, or the local default.
func BaseURL(publicURL string) string {
	if base := strings.TrimRight(publicURL, "/"); base != "" {
		return base
	}
	return lead.DefaultPublicURL
}

// InviteURL is the public registration page of invite link tok.
func InviteURL(publicURL, tok string) string {
	return BaseURL(publicURL) + "/r/" + url.PathEscape(tok)
}

// NewSignInLink creates a one-time sign-in link for user userID: the code
// is in the URL, the store keeps its hash. publicURL is the base of the
// link. The link is for the user's current API token: it works until
// SignInLinkTTL or the token's expiry, whichever is first (the expiry
// returned), and not after the token is rotated; the session it opens is
// the token's as well (store.CreateSignInCode, store.CreateSession).
func NewSignInLink(ctx context.Context, db *store.DB, publicURL, userID string) (link string, expires time.Time, err error) {
	code := RandomToken(32)
	expires, err = db.CreateSignInCode(ctx, HashToken(code), userID, time.Now().Add(SignInLinkTTL).UTC().Truncate(time.Second))
	if err != nil {
		return "", expires, err
	}
	return BaseURL(publicURL) + "/login/" + code, expires, nil
}

// SignInLink makes a one-time sign-in link for user id (admins), an active
// user whose token has not expired; the store refuses the others.
func (s *Service) SignInLink(ctx context.Context, me lead.User, id string) (string, time.Time, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return "", time.Time{}, err
	}
	return NewSignInLink(ctx, s.db, s.cfg.PublicURL, id)
}

// UserWithToken is a user with its API token, shown once.
type UserWithToken struct {
	lead.User
	Token string `json:"token"`
}

// RotateToken gives user id a new API token, expiring after expiresIn when
// set; the old token stops working. Anyone may rotate their own, admins
// anyone's.
func (s *Service) RotateToken(ctx context.Context, me lead.User, id string, expiresIn *lead.Duration) (UserWithToken, error) {
	if id != me.ID {
		if err := Allowed(me, GateAdmin); err != nil {
			return UserWithToken{}, err
		}
	}
	var expires *time.Time
	if expiresIn != nil {
		if *expiresIn <= 0 {
			return UserWithToken{}, lead.Invalid(lead.FieldError{Field: "expires_in", Reason: "must be a positive duration such as 90d"})
		}
		t := time.Now().Add(time.Duration(*expiresIn))
		expires = &t
	}
	token, hash := NewToken()
	if err := s.db.SetUserToken(ctx, id, hash, expires); err != nil {
		return UserWithToken{}, err
	}
	u, err := s.db.User(ctx, id)
	if err != nil {
		return UserWithToken{}, err
	}
	return UserWithToken{User: u, Token: token}, nil
}
