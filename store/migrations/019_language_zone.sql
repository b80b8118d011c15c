-- Each user's language (en or zh-CN) and time zone (an IANA name) for the
-- console, e-mails and the digest; empty means the default: the browser's
-- language, the team's zone, then the server's.
ALTER TABLE users ADD COLUMN language text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT '';
ALTER TABLE teams ADD COLUMN time_zone text NOT NULL DEFAULT '';
