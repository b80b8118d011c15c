-- Business-hours calendars (issue 29): when a team or a pool works, in
-- its zone, with holidays and the weekend days worked instead. body holds
-- time_zone, working_hours, holidays and extra_working_days as
-- lead.Calendar writes them; each change is a new version, kept whole in
-- calendar_versions so the history can say which version set a deadline.
CREATE TABLE calendars (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    version    integer NOT NULL DEFAULT 1,
    body       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX calendars_name_idx ON calendars (lower(name));
-- At most one calendar is the global default.
CREATE UNIQUE INDEX calendars_default_idx ON calendars (is_default) WHERE is_default;

CREATE TABLE calendar_versions (
    calendar_id uuid NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    body        jsonb NOT NULL,
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (calendar_id, version)
);

-- A team's calendar. A pool names its own in its policy (calendar_id),
-- which wins; then the team's counts; then the default.
ALTER TABLE teams ADD COLUMN calendar_id uuid REFERENCES calendars (id);
