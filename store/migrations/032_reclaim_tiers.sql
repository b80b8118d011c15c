-- The stored reclaim deadline (030) follows the pool policy's reclaim
-- tiers by stage or grade and the SLA chain's reassignment (issue 29), as
-- lead.Deadlines does: the twin that lead.NextReclaim's test holds it to.
-- A timer counted in working time is left out, as before (the calendar
-- counts it, not SQL).
CREATE FUNCTION lead_reclaim_at(status text, assigned_at timestamptz, last_follow_up_at timestamptz, policy jsonb,
    stage text, custom jsonb)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    WITH tier AS (
        SELECT coalesce((
            SELECT t FROM jsonb_array_elements(coalesce(policy->'reclaim_tiers', '[]'::jsonb)) WITH ORDINALITY AS x(t, n)
            WHERE (t->>'field' = 'stage' AND t->>'value' = stage)
               OR (t->>'field' LIKE 'custom.%' AND custom->>substr(t->>'field', 8) = t->>'value')
            ORDER BY n LIMIT 1), '{}'::jsonb) AS t
    )
    SELECT CASE WHEN status = 'assigned' AND assigned_at IS NOT NULL THEN least(
        greatest(assigned_at, last_follow_up_at) + CASE WHEN tier.t ? 'no_follow_up_after'
            THEN policy_interval(tier.t, 'no_follow_up_after') ELSE policy_interval(policy, 'no_follow_up_after') END,
        assigned_at + CASE WHEN tier.t ? 'no_conversion_after'
            THEN policy_interval(tier.t, 'no_conversion_after') ELSE policy_interval(policy, 'no_conversion_after') END,
        CASE WHEN last_follow_up_at IS NULL OR last_follow_up_at < assigned_at THEN
            assigned_at + policy_interval(policy, 'first_contact_sla')
                + coalesce(policy_interval(policy, 'escalate_after'), policy_interval(policy, 'first_contact_sla'))
                + policy_interval(policy, 'reassign_after') END) END
    FROM tier
$$;

CREATE OR REPLACE FUNCTION leads_set_reclaim_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'assigned' THEN
        NEW.reclaim_at := NULL;
    ELSE
        NEW.reclaim_at := lead_reclaim_at(NEW.status, NEW.assigned_at, NEW.last_follow_up_at,
            (SELECT p.policy FROM pools p WHERE p.id = NEW.pool_id), NEW.stage, NEW.custom);
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER leads_reclaim_at ON leads;
CREATE TRIGGER leads_reclaim_at BEFORE INSERT OR UPDATE OF status, assigned_at, last_follow_up_at, pool_id, stage, custom ON leads
    FOR EACH ROW EXECUTE FUNCTION leads_set_reclaim_at();

CREATE OR REPLACE FUNCTION pools_set_reclaim_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE leads SET reclaim_at = lead_reclaim_at(status, assigned_at, last_follow_up_at, NEW.policy, stage, custom)
    WHERE pool_id = NEW.id AND status = 'assigned';
    RETURN NULL;
END
$$;
DROP FUNCTION lead_reclaim_at(text, timestamptz, timestamptz, jsonb);

UPDATE leads l SET reclaim_at = lead_reclaim_at(l.status, l.assigned_at, l.last_follow_up_at, p.policy, l.stage, l.custom)
FROM pools p WHERE p.id = l.pool_id AND l.status = 'assigned'
  AND (p.policy ? 'reclaim_tiers' OR p.policy ? 'reassign_after');
