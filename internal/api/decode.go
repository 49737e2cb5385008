package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// readBody reads the whole (size-capped) body and rejects invalid UTF-8,
// which encoding/json would otherwise silently replace with U+FFFD.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, errBadRequest("unreadable_body", "", "could not read the request body")
	}
	if !utf8.Valid(body) {
		return nil, errBadRequest("invalid_utf8", "", "the request body is not valid UTF-8")
	}
	return body, nil
}

// decodeStrict decodes JSON refusing unknown fields, so a typo such as
// "npss" is an error naming the field rather than silently dropped data.
func decodeStrict(body []byte, v any, fieldPrefix string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, fieldPrefix)
	}
	if dec.More() {
		return errBadRequest("invalid_json", "", "unexpected data after the JSON value")
	}
	return nil
}

func jsonError(err error, prefix string) *apiError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return errBadRequest("invalid_json", "", "malformed JSON: "+syn.Error())
	case errors.As(err, &typ):
		return errBadRequest("invalid_type", join(prefix, typ.Field), "must be a JSON "+typ.Type.String()+", got "+typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errBadRequest("unknown_field", join(prefix, name), "unknown field "+name)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errBadRequest("invalid_json", "", "empty or truncated JSON body")
	}
	var te interface{ Error() string }
	if errors.As(err, &te) && strings.Contains(err.Error(), "parsing time") {
		return errBadRequest("invalid_time", join(prefix, "occurred_at"), "times must be RFC 3339, e.g. 2026-05-01T12:00:00Z")
	}
	return errBadRequest("invalid_json", "", "malformed JSON: "+err.Error())
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	if field == "" {
		return prefix
	}
	return prefix + "." + field
}
