package lead

// DefaultHTTPAddr is where the API listens when no address is configured
// (LEADFLOW_HTTP_ADDR).
const DefaultHTTPAddr = "127.0.0.1:8080"

// DefaultPublicURL is the base of the links leadflow hands out (invite
// links, links in e-mails) and the address `leadflow import` talks to when
// none is configured: the API at DefaultHTTPAddr.
const DefaultPublicURL = "http://" + DefaultHTTPAddr
