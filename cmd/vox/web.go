package main

import "net/http"

// newWeb returns the web UI handler.
func newWeb(e *env) http.Handler { return nil }
