package lead

// DefaultHTTPAddr is where the API listens when no address is configured
// (LEADFLOW_HTTP_ADDR).
const DefaultHTTPAddr = "127.0.0.1:8080"

// DefaultPublicURL is the base of the links leadflow hands out (invite
// links, links in e-mails) and the address `leadflow import` talks to when
// none is configured: the API at DefaultHTTPAddr.
const DefaultPublicURL = "http://" + DefaultHTTPAddr

// TwilioStatusPath is where Twilio posts an SMS's status callbacks: every
// SMS leadflow sends names LEADFLOW_PUBLIC_URL + TwilioStatusPath as its
// StatusCallback, and the API serves it.
const TwilioStatusPath = "/api/v1/inbound/twilio/status"
