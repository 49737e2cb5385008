package web

import (
	"net/http"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

// apiKeysData is the API keys page. Secret is set only on the answer to
// the form that made the key: it is shown once and never stored.
type apiKeysData struct {
	Tabs    []accountTab
	Keys    []apiKeyRow
	Name    string
	Secret  string
	Created string // the new key's name
	Error   string // catalog key
	Notice  string // catalog key
	APIBase string // where the REST API answers, for the usage hint
}

// apiKeyRow is a listed key. Inactive marks a live key that answers 403
// because its creator is no longer an owner or admin (api.authenticate).
type apiKeyRow struct {
	store.APIKeyInfo
	Inactive bool
}

func (s *Server) apiKeysPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d := apiKeysData{}
	if r.URL.Query().Get("ok") == "revoked" {
		d.Notice = "account.apikeys.notice.revoked"
	}
	return s.renderAPIKeys(w, r, rc, http.StatusOK, d)
}

func (s *Server) renderAPIKeys(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d apiKeysData) error {
	keys, err := s.db.APIKeyInfos(r.Context(), rc.Workspace.ID)
	if err != nil {
		return err
	}
	d.Keys = make([]apiKeyRow, len(keys))
	for i, k := range keys {
		d.Keys[i] = apiKeyRow{APIKeyInfo: k, Inactive: k.RevokedAt == nil && !auth.Can(k.CreatorRole, auth.ManageAPIKeys)}
	}
	d.Tabs = accountTabs(rc, "apikeys")
	d.APIBase = s.accountLinkBase(r) + "/api/v1"
	s.render(w, r, rc, status, "apikeys", "settings", rc.L.T("account.apikeys.title"), d)
	return nil
}

// createAPIKey makes a key and shows its secret on this answer only.
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len([]rune(name)) > 100 {
		return s.renderAPIKeys(w, r, rc, http.StatusBadRequest, apiKeysData{Name: name, Error: "account.apikeys.error.name"})
	}
	k, secret, err := s.db.CreateAPIKeyAudited(r.Context(), rc.Workspace.ID, name, s.now(), accountActor(rc))
	if err != nil {
		return err
	}
	return s.renderAPIKeys(w, r, rc, http.StatusOK, apiKeysData{Secret: secret, Created: k.Name})
}

func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := accountPathID(r)
	if err != nil {
		return err
	}
	if err := s.db.RevokeAPIKeyAudited(r.Context(), rc.Workspace.ID, id, s.now(), accountActor(rc)); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/api-keys?ok=revoked", http.StatusSeeOther)
	return nil
}
