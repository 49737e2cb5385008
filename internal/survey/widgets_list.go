package survey

import (
	"context"
	"encoding/json"
)

// Widgets lists a survey's widgets with their embed snippets, for the
// survey's page in the web UI.
func (s *Service) Widgets(ctx context.Context, ws, surveyID int64) ([]Widget, error) {
	rows, err := s.DB.SurveyWidgets(ctx, ws, surveyID)
	if err != nil {
		return nil, err
	}
	out := make([]Widget, 0, len(rows))
	for _, w := range rows {
		var origins []string
		_ = json.Unmarshal([]byte(w.AllowedOrigins), &origins)
		out = append(out, s.widgetView(w.SiteKey, w.SurveyID, origins))
	}
	return out, nil
}
