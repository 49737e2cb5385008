package api

import (
	"encoding/json"
	"net/http"
)

// apiError is the body of every error response:
// {"error":{"code":"…","message":"…","field":"…"}}.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Details any    `json:"details,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func errBadRequest(code, field, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Field: field, Message: msg}
}

var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized",
		Message: "missing or unknown API key: send Authorization: Bearer <key>"}
	errKeyWithoutAuthority = &apiError{Status: http.StatusForbidden, Code: "key_creator_lost_access",
		Message: "the user who created this API key is no longer an owner or admin of the workspace; an owner or admin must create a new key"}
	errNotFound = &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "no such object in this workspace"}
	errInternal = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; it has been logged"}
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, map[string]*apiError{"error": e})
}
