package web

import "github.com/leadflow/leadflow/lead"

// SourceRow is one inbound source with its pool's name and hook URL.
type SourceRow struct {
	lead.InboundSource
	PoolName string
	HookURL  string
	// Mapping is the field mapping as the form's lines ("path = target").
	Mapping string
}

// SourcesPage is the data of /sources: the inbound sources and the form
// that adds one.
type SourcesPage struct {
	Sources   []SourceRow
	Next      string
	Pools     []Choice
	Policies  []string
	Kinds     []string
	RequestID string
	// Facebook offers the Lead Ads settings.
	Facebook bool
	// Secret is the new source's signing secret, shown once, and Created
	// the source, with its hook URL.
	Secret  *Secret
	Created *SourceRow
	Form    map[string]string
	Errors  map[string]string
}

// SourcePage is the data of /sources/{id}: the source and its form.
type SourcePage struct {
	SecretForms SecretForms
	Source      SourceRow
	Pools       []Choice
	Policies    []string
	// Facebook offers the Lead Ads settings (a Lead Ads source).
	Facebook bool
	Secret   *Secret
	Form     map[string]string
	Errors   map[string]string
}
