-- Pool administration: away reps, weighted members, pool owners.

-- A rep who is away gets no distributed leads (claims and owned leads are unaffected).
ALTER TABLE users ADD COLUMN away boolean NOT NULL DEFAULT false;

-- The weight of a member in weighted distribution; meaningful on 'member' rows.
ALTER TABLE pool_members ADD COLUMN weight integer NOT NULL DEFAULT 1 CHECK (weight > 0);
CREATE INDEX pool_members_user_idx ON pool_members (user_id, role);

-- The pool's primary administrator (always one of its admins), the one
-- transfer-ownership changes. The seeded default pool has none.
ALTER TABLE pools ADD COLUMN owner_id uuid REFERENCES users (id);
ALTER TABLE pools ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE pools SET updated_at = created_at;
