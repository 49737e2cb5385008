package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"vox/internal/api"
	"vox/internal/ingest"
	"vox/internal/store"
)

// testEnv is a real API server on a real database with one workspace and
// its API key; tests of every feature's endpoints use it.
type testEnv struct {
	t   *testing.T
	db  *store.DB
	srv *httptest.Server
	ws  store.Workspace
	key string
}

func newEnv(t *testing.T, db *store.DB) *testEnv {
	t.Helper()
	ws, err := db.CreateWorkspace(context.Background(), "acme", "Acme", "Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := db.CreateAPIKey(context.Background(), ws.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(db, &ingest.Service{DB: db}, nil, nil)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &testEnv{t: t, db: db, srv: srv, ws: ws, key: key}
}

// otherWorkspace creates a second workspace and returns its key.
func (e *testEnv) otherWorkspace(slug string) (store.Workspace, string) {
	e.t.Helper()
	ws, err := e.db.CreateWorkspace(context.Background(), slug, slug, "UTC")
	if err != nil {
		e.t.Fatal(err)
	}
	_, key, err := e.db.CreateAPIKey(context.Background(), ws.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return ws, key
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// ErrorField returns error.field of an error body.
func (r response) ErrorField() string {
	e, _ := r.JSON["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

// ErrorCode returns error.code of an error body.
func (r response) ErrorCode() string {
	e, _ := r.JSON["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// do sends a request with the env's key. body may be nil, a string or
// []byte (sent as is) or any value (sent as JSON). headers are name, value pairs.
func (e *testEnv) do(method, path string, body any, headers ...string) response {
	return e.doKey(e.key, method, path, body, headers...)
}

func (e *testEnv) doKey(key, method, path string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.JSON)
	return r
}
