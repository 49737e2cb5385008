package web

import (
	"slices"

	"vox/internal/analytics"
)

// Topic shows a topic id (delivery, waiting_time) as its label in the UI
// language: the analyzer's taxonomy names topics with ids only, so the labels
// of the default topics live in i18n/topics.<lang>.json as topic.<id>. A
// topic a workspace defined itself has no label and shows as its id.
func (l *Localizer) Topic(id string) string { return l.Label("topic", id) }

// topicChoices are the topics a filter offers: the default taxonomy's, plus
// the chosen one when it is a workspace's own, so that it stays selected.
func topicChoices(chosen string) []string {
	out := slices.Clone(defaultTopicIDs)
	if chosen != "" && !slices.Contains(out, chosen) {
		out = append(out, chosen)
	}
	return out
}

// defaultTopicIDs are the ids of the built-in taxonomy, in its order.
var defaultTopicIDs = func() []string {
	var ids []string
	for _, tp := range analytics.DefaultTaxonomy().Topics {
		ids = append(ids, tp.Key)
	}
	return ids
}()
