-- Chat-app targets: group robots (WeCom, DingTalk, Feishu, Slack) that get
-- the notifications of one user or of one team's members beside their
-- e-mail. kinds are the e-mail kinds posted ('{}' posts every kind). Each
-- post is a row of notifications (key: the e-mail's key + '/chat/' +
-- target id), claimed, leased and recorded like an e-mail.
CREATE TABLE chat_targets (
    id         uuid PRIMARY KEY,
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    team_id    uuid REFERENCES teams (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'slack')),
    url        text NOT NULL,
    secret     text NOT NULL DEFAULT '',
    kinds      text[] NOT NULL DEFAULT '{}',
    active     boolean NOT NULL DEFAULT true,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((user_id IS NULL) <> (team_id IS NULL))
);
CREATE INDEX chat_targets_user_idx ON chat_targets (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX chat_targets_team_idx ON chat_targets (team_id) WHERE team_id IS NOT NULL;
