package store

// decayedScore is the one definition of a lead's score as rules and lists
// see it (lead.Lead.Score): its stored score (score_raw) halved every
// score_half_life of its pool's policy (lead.Policy.ScoreHalfLife) since
// its last activity, its last follow-up or else its creation (when intake
// scored it), rounded to a whole number; the stored score when the pool
// sets no half-life. The lead list's score sort and its score_min and
// score_max filters use it, and leadColumns reads it. It needs leadFrom's
// pool p.
const decayedScore = `(CASE WHEN policy_interval(p.policy, 'score_half_life') > interval '0' THEN
	round(l.score * power(0.5, extract(epoch FROM now() - greatest(l.created_at, l.last_follow_up_at))
		/ extract(epoch FROM policy_interval(p.policy, 'score_half_life'))))::int
	ELSE l.score END)`
