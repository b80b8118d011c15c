-- Skills and language routing (issue 29). A rep's skills, languages
-- (BCP-47 tags such as ja, zh-CN, en) and regions; a lead keeps what its
-- routing rule requires of the rep it is distributed to
-- ({"skills": [...], "languages": [...], "regions": [...]}, NULL: nothing),
-- so a redistribution after a decline or a reclaim requires it too.
-- Distribution decides eligibility by them in Go (lead.Requirement.Admits).
ALTER TABLE users ADD COLUMN skills text[] NOT NULL DEFAULT '{}',
    ADD COLUMN languages text[] NOT NULL DEFAULT '{}',
    ADD COLUMN regions text[] NOT NULL DEFAULT '{}';

ALTER TABLE leads ADD COLUMN requires jsonb;

-- Score decay needs no column: a pool policy's score_half_life is read
-- with policy_interval (030) by the one decayed-score expression in the
-- store (store/score.go).
