-- What the seeds lack: the stage a follow-up left the lead at, orders with
-- real columns, and custom field definitions.

-- The lead's stage after the follow-up (the given stage, or the stage it moved to).
ALTER TABLE follow_ups ADD COLUMN stage text NOT NULL DEFAULT '';

ALTER TABLE orders ADD COLUMN amount numeric CHECK (amount >= 0);
ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN product text NOT NULL DEFAULT '';
CREATE INDEX orders_customer_idx ON orders (customer_id, created_at);

-- The customer list: newest first, keyset paged.
CREATE INDEX customers_created_idx ON customers (created_at DESC, id DESC);

-- A lead's group, one of the groups option list ("group" is a keyword).
ALTER TABLE leads ADD COLUMN lead_group text NOT NULL DEFAULT '';

-- Custom field definitions of leads, customers and orders: the values live
-- in the entity's custom/data jsonb and are checked against these.
CREATE TABLE field_defs (
    id          uuid PRIMARY KEY,
    entity      text NOT NULL CHECK (entity IN ('lead', 'customer', 'order')),
    name        text NOT NULL,
    label       text NOT NULL,
    type        text NOT NULL CHECK (type IN ('text', 'number', 'date', 'select', 'multi_select')),
    options     text[] NOT NULL DEFAULT '{}',
    option_list text NOT NULL DEFAULT '',
    required    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (entity, name)
);
