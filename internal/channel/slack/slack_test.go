package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"vox/internal/channel/webhook"
)

func TestPostEscapesAndGuards(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
	}))
	defer srv.Close()
	c := &Client{Sender: &webhook.Sender{Guard: &webhook.Guard{Allow: webhook.LoopbackOnly}}}
	if err := c.Post(context.Background(), srv.URL, "NPS 1: "+Escape("<!channel> & <http://evil|click>")); err != nil {
		t.Fatal(err)
	}
	if got["text"] != "NPS 1: &lt;!channel&gt; &amp; &lt;http://evil|click&gt;" {
		t.Fatalf("text %q", got["text"])
	}
	if err := (&Client{}).Post(context.Background(), srv.URL, "x"); !webhook.IsForbidden(err) {
		t.Fatalf("loopback not refused by default: %v", err)
	}
}
