package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"sync"
)

// The OpenAPI 3.1 document is hand-written: openapi.json holds the base and
// each feature adds an openapi_<feature>.json fragment ({"paths":{…},
// "components":{"schemas":{…}}}) beside its handlers. They are merged once;
// TestOpenAPIMatchesRoutes keeps the document and routes() in step.
//
//go:embed openapi*.json
var openAPIFiles embed.FS

var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
	openAPIErr  error
)

// OpenAPIDocument returns the merged document.
func OpenAPIDocument() ([]byte, error) {
	openAPIOnce.Do(func() { openAPIDoc, openAPIErr = mergeOpenAPI() })
	return openAPIDoc, openAPIErr
}

func mergeOpenAPI() ([]byte, error) {
	names, err := fs.Glob(openAPIFiles, "openapi*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var doc map[string]any
	for _, name := range names {
		raw, err := openAPIFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if name == "openapi.json" {
			doc = part
			continue
		}
		if doc == nil {
			return nil, fmt.Errorf("openapi.json must sort first")
		}
		for _, section := range [][]string{{"paths"}, {"components", "schemas"}} {
			src := dig(part, section)
			dst := dig(doc, section)
			for k, v := range src {
				if _, dup := dst[k]; dup {
					return nil, fmt.Errorf("%s: %v %q defined twice", name, section, k)
				}
				dst[k] = v
			}
		}
	}
	return json.MarshalIndent(doc, "", " ")
}

func dig(m map[string]any, path []string) map[string]any {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	return m
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request, _ int64) error {
	doc, err := OpenAPIDocument()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(doc)
	return nil
}
