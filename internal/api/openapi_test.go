package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"vox/internal/api"
	"vox/internal/testutil"
)

// TestOpenAPIMatchesRoutes checks that the served document describes exactly
// the routes the server answers: every documented operation is routed (it
// does not answer no_route) and every route found by probing is documented.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	db := testutil.SQLite(t)
	e := newEnv(t, db)
	r := e.doKey("", "GET", "/api/v1/openapi.json", nil)
	if r.Status != 200 {
		t.Fatalf("openapi.json: %d", r.Status)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			m := strings.ToUpper(method)
			documented[m+" "+path] = true
			probe := param.ReplaceAllString(path, "1")
			resp := e.do(m, probe, nil)
			if resp.Status == http.StatusNotFound && resp.ErrorCode() == "no_route" || resp.Status == http.StatusMethodNotAllowed {
				t.Errorf("documented %s %s is not routed (%d)", m, path, resp.Status)
			}
		}
	}
	var routed []string
	for _, rt := range api.Routes() {
		routed = append(routed, rt)
		if !documented[rt] {
			t.Errorf("route %s is not in the OpenAPI document", rt)
		}
	}
	sort.Strings(routed)
	if len(routed) != len(documented) {
		t.Errorf("%d routes vs %d documented operations", len(routed), len(documented))
	}
	// Every $ref resolves.
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([A-Za-z0-9_]+)"`).FindAllStringSubmatch(string(r.Raw), -1)
	var full map[string]any
	_ = json.Unmarshal(r.Raw, &full)
	schemas := full["components"].(map[string]any)["schemas"].(map[string]any)
	for _, m := range refs {
		if _, ok := schemas[m[1]]; !ok {
			t.Errorf("dangling $ref %s", m[1])
		}
	}
}
