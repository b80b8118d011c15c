-- What intake did with each lead (lead.IntakeOutcome) and the input
-- fields a rejecting validation rule named, so that a retried intake
-- answers exactly as the first try did.
ALTER TABLE leads ADD COLUMN intake_outcome text NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN field_errors jsonb;

UPDATE leads SET intake_outcome = CASE
    WHEN status = 'rejected' AND reject_reasons[1] LIKE 'duplicate of lead %' THEN 'duplicate_refused'
    WHEN status IN ('rejected', 'merged', 'pooled', 'offered', 'assigned') THEN status
    ELSE '' END
WHERE status <> 'received';
