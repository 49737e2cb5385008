package web

import (
	"net/http"

	"vox/internal/analytics"
)

// topicsData is the topic taxonomy: the built-in topics and the terms that
// evidence each in every UI language. Vox has no per-workspace topics yet,
// so the page only shows what the analyzer uses.
type topicsData struct {
	Langs  []string
	Topics []topicRow
}

// topicRow is one topic with its terms per language, in Langs order.
type topicRow struct {
	Key   string
	Terms [][]string
}

func (s *Server) topicsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d := topicsData{Langs: languages}
	for _, tp := range analytics.DefaultTaxonomy().Topics {
		row := topicRow{Key: tp.Key}
		for _, l := range languages {
			row.Terms = append(row.Terms, tp.Terms[l])
		}
		d.Topics = append(d.Topics, row)
	}
	s.render(w, r, rc, http.StatusOK, "settings_topics", "settings", rc.L.T("settings.topics.title"), d)
	return nil
}
