package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

// GDPR endpoints: export and erase one person, retention settings. They
// need a key whose creator may manage privacy (owner or admin; see
// store.APIKeyAccess), and every export and erase is audited.
func (a *API) privacyRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/customers/{id}/export", handle: a.exportCustomer},
		{method: "POST", path: "/api/v1/customers/{id}/erase", handle: a.eraseCustomer},
		{method: "POST", path: "/api/v1/privacy/export", handle: a.exportByIdentity},
		{method: "GET", path: "/api/v1/privacy/retention", handle: a.getRetention},
		{method: "PUT", path: "/api/v1/privacy/retention", handle: a.putRetention},
	}
}

var errPrivacyForbidden = &apiError{Status: http.StatusForbidden, Code: "forbidden",
	Message: "this API key's creator is not an owner or admin of the workspace; privacy actions need one"}

// privacyActor checks the key's role and names it for the audit log.
func (a *API) privacyActor(r *http.Request) (store.AuditActor, error) {
	return keyActor(r, auth.ManagePrivacy, errPrivacyForbidden)
}

// keyActor checks that the key's creator has perm (forbidden otherwise)
// and names the key for the audit log.
func keyActor(r *http.Request, perm auth.Permission, forbidden *apiError) (store.AuditActor, error) {
	if !auth.Can(grant(r).Role, perm) {
		return store.AuditActor{}, forbidden
	}
	return apiActor(r), nil
}

// apiActor names the request's API key for the audit log by its public
// prefix (never the secret).
func apiActor(r *http.Request) store.AuditActor {
	prefix := strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if len(prefix) > 12 {
		prefix = prefix[:12]
	}
	return store.AuditActor{Name: "api:" + prefix}
}

func (a *API) exportCustomer(w http.ResponseWriter, r *http.Request, ws int64) error {
	actor, err := a.privacyActor(r)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.writeExport(w, r, ws, id, actor)
}

func (a *API) writeExport(w http.ResponseWriter, r *http.Request, ws, id int64, actor store.AuditActor) error {
	ex, err := a.db.ExportPerson(r.Context(), ws, id, actor)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="customer-%d.json"`, ex.CustomerID))
	writeJSON(w, http.StatusOK, ex)
	return nil
}

// identityInput names a person by exactly one identity.
type identityInput struct {
	Email            string `json:"email"`
	Phone            string `json:"phone"`
	TelegramID       string `json:"telegram_id"`
	TelegramUsername string `json:"telegram_username"`
	ExternalID       string `json:"external_id"`
}

func (in identityInput) identity() (store.Identity, error) {
	var found []store.Identity
	for _, f := range []store.Identity{{Kind: store.IdentityEmail, Value: in.Email}, {Kind: store.IdentityPhone, Value: in.Phone},
		{Kind: store.IdentityTelegramID, Value: in.TelegramID}, {Kind: store.IdentityTelegramUsername, Value: in.TelegramUsername},
		{Kind: store.IdentityExternalID, Value: in.ExternalID}} {
		if strings.TrimSpace(f.Value) != "" {
			found = append(found, f)
		}
	}
	switch {
	case len(found) == 0:
		return store.Identity{}, errBadRequest("missing_field", "email",
			"name the person by one of email, phone, telegram_id, telegram_username or external_id")
	case len(found) > 1:
		return store.Identity{}, errBadRequest("ambiguous", found[1].Kind, "name the person by one identity only")
	}
	if store.NormalizeIdentity(found[0].Kind, found[0].Value) == "" {
		return store.Identity{}, errBadRequest("invalid_value", found[0].Kind, "is not a valid "+found[0].Kind)
	}
	return found[0], nil
}

func (a *API) exportByIdentity(w http.ResponseWriter, r *http.Request, ws int64) error {
	actor, err := a.privacyActor(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in identityInput
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	idn, err := in.identity()
	if err != nil {
		return err
	}
	id, err := a.db.FindCustomerByIdentity(r.Context(), ws, idn.Kind, idn.Value)
	if err != nil {
		return err
	}
	return a.writeExport(w, r, ws, id, actor)
}

// eraseInput must repeat the customer id in confirm: an erase cannot be
// undone, so a request that does not say which person it means is refused.
type eraseInput struct {
	Confirm json.RawMessage `json:"confirm"`
}

func (a *API) eraseCustomer(w http.ResponseWriter, r *http.Request, ws int64) error {
	actor, err := a.privacyActor(r)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in eraseInput
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	if strings.Trim(string(in.Confirm), `" `) != strconv.FormatInt(id, 10) {
		return errBadRequest("confirmation_required", "confirm", "erasing cannot be undone: send the customer's id in confirm")
	}
	rep, err := a.db.ErasePerson(r.Context(), ws, id, actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// retentionDoc is the JSON form of a retention policy: survey ids as keys.
type retentionDoc struct {
	Days    *int           `json:"days"`
	Surveys map[string]int `json:"surveys"`
}

func (a *API) getRetention(w http.ResponseWriter, r *http.Request, ws int64) error {
	if _, err := a.privacyActor(r); err != nil {
		return err
	}
	p, err := a.db.RetentionPolicyOf(r.Context(), ws)
	if err != nil {
		return err
	}
	doc := retentionDoc{Days: &p.Days, Surveys: map[string]int{}}
	for id, d := range p.Surveys {
		doc.Surveys[strconv.FormatInt(id, 10)] = d
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func (a *API) putRetention(w http.ResponseWriter, r *http.Request, ws int64) error {
	actor, err := a.privacyActor(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in retentionDoc
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	if in.Days == nil {
		return errBadRequest("missing_field", "days", "days is required (0 keeps feedback forever)")
	}
	p := store.RetentionPolicy{Days: *in.Days, Surveys: map[int64]int{}}
	for k, d := range in.Surveys {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || id <= 0 {
			return errBadRequest("invalid_value", "surveys."+k, "survey keys must be survey ids")
		}
		p.Surveys[id] = d
	}
	if err := a.db.SetRetentionPolicy(r.Context(), ws, p, actor); err != nil {
		var re *store.RetentionError
		if errors.As(err, &re) {
			return errBadRequest("invalid_value", re.Field, re.Message)
		}
		return err
	}
	return a.getRetention(w, r, ws)
}
