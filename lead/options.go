package lead

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// The configurable option lists (DESIGN.md, "Settings": /api/v1/options/{list}).
const (
	OptionSources        = "sources"         // where leads come from: the values of a lead's channel
	OptionGroups         = "groups"          // customer groups a console offers as tags
	OptionInvalidReasons = "invalid_reasons" // reasons a rep may give when returning a lead
	OptionStages         = "stages"          // follow-up stages of a lead
	OptionFollowUpTypes  = "follow_up_types" // kinds of follow-up record
)

// OptionLists names every configurable list, in display order.
var OptionLists = []string{OptionSources, OptionGroups, OptionInvalidReasons, OptionStages, OptionFollowUpTypes}

// DefaultOptions are the lists a new installation starts with.
var DefaultOptions = map[string][]string{
	OptionSources:        {"Website", "Phone call", "Word of mouth", "Retail activation", "Campaign", "Event", "Referral", "Facebook"},
	OptionGroups:         {"SME", "Enterprise", "Public sector", "Reseller"},
	OptionInvalidReasons: DefaultInvalidReasons,
	OptionStages:         DefaultStages,
	OptionFollowUpTypes:  DefaultFollowUpTypes,
}

// KnownOptionList reports whether name is one of OptionLists.
func KnownOptionList(name string) bool {
	for _, n := range OptionLists {
		if n == name {
			return true
		}
	}
	return false
}

// CleanOptions trims a list's items and checks it: 1 to 200 items of 1 to
// 100 characters, no duplicates (ignoring case).
func CleanOptions(items []string) ([]string, error) {
	var f Fields
	if len(items) == 0 {
		f.Add("items", "needs at least one item")
	}
	if len(items) > 200 {
		f.Add("items", "has more than 200 items")
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(items))
	for _, it := range items {
		it = strings.TrimSpace(it)
		switch {
		case it == "":
			f.Add("items", "an item is empty")
		case utf8.RuneCountInString(it) > 100:
			f.Add("items", "item "+it[:min(len(it), 20)]+"… is longer than 100 characters")
		case seen[strings.ToLower(it)]:
			f.Add("items", "item "+it+" appears twice")
		}
		seen[strings.ToLower(it)] = true
		out = append(out, it)
	}
	return out, f.Err()
}

// OptionReason says why v is not an item of the list items, "" when it is.
func OptionReason(items []string, v string) string {
	if slices.Contains(items, v) {
		return ""
	}
	return "must be one of: " + strings.Join(items, ", ")
}
