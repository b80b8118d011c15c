package web

// This file holds the data of the bulk actions' pages: the action bar of
// a lead list, the confirmation with the count, and the list of jobs (a
// job's own page is a Job).

// BulkBar is the action bar of a lead list: the list's filter (hidden
// fields, for "select all matching"), the actions the reader may start
// and the choices their params take.
type BulkBar struct {
	CSRF            string
	Filter          []Field
	Actions         []string
	Reps, Pools     []Choice
	Stages, Reasons []string
	// Sequences are what the enroll action may enrol the leads in.
	Sequences []Choice
}

// BulkConfirm is the confirmation of a bulk action: what it does (its
// message id, with Count and Target), the form again as hidden fields,
// and the request's idempotency key.
type BulkConfirm struct {
	Sentence string
	Count    int
	Target   string
	Hidden   []Field
	Key      string
	Back     string
}

// BulkList is the list of the reader's bulk actions.
type BulkList struct {
	Jobs []JobItem
	Next string
}
