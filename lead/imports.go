package lead

// ImportCounts are the progress and the outcome counts of a bulk import,
// as the store keeps them, the ImportWorkflow returns them and the API and
// `leadflow import` show them. Embedded in a struct, its fields encode as
// that struct's own JSON fields.
type ImportCounts struct {
	Total           int `json:"total"`            // data rows in the file
	Processed       int `json:"processed"`        // rows with an outcome so far
	Created         int `json:"created"`          // rows that became a new lead
	Merged          int `json:"merged"`           // rows merged into an existing lead
	Rejected        int `json:"rejected"`         // rows refused: bad values or a validation rule
	Failed          int `json:"failed"`           // rows that could not be processed
	AlreadyImported int `json:"already_imported"` // rows imported before (the same file again)
	Warnings        int `json:"warnings"`         // rows created with a warning (a possible duplicate)
}
