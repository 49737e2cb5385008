package main

import (
	"net/http"

	"vox/internal/web"
)

// newWeb returns the web UI handler.
func newWeb(e *env) http.Handler {
	return web.New(e.db, web.Options{Secure: e.cfg.SecureCookies, Logger: e.log,
		Alerts: e.alerts, Surveys: e.surveys, Reports: e.reports, Mailer: e.mailer, PublicURL: e.cfg.PublicURL,
		SentimentModel: e.analyzers.Model()}).Handler()
}
