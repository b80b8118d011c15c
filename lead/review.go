package lead

// Seed 000: "Register ≥3 IFM accounts by same IP with different company
// info at the same time … it will be failed to upload". A validation rule
// that counts the registrations from one IP (ipCompanies(window)) refuses
// the third; the earlier registrations of that burst are then put under
// review with the same reason, and an admin keeps or rejects each
// (ActReview).

// Burst is a refusing validation rule that counts registrations from the
// lead's IP address: the earlier registrations within Window go under
// review with Reason.
type Burst struct {
	Rule   string   `json:"rule"`
	Reason string   `json:"reason"`
	Window Duration `json:"window"`
}

// The events of a review.
const (
	// EventFlagged: a later registration from the lead's IP was refused by
	// a burst rule; the lead waits for an admin (data: rule, by, window).
	EventFlagged EventType = "flagged_for_review"
	// EventReviewKept: an admin kept a lead under review; it leaves review.
	EventReviewKept EventType = "review_kept"
)

// EmailFlagged tells a lead's owner that the lead was put under review.
const EmailFlagged = "flagged_for_review"
