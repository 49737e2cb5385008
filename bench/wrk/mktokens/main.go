// Command mktokens prepares a wrk run against a running Vox: it creates a
// live NPS + open-text survey through the API and writes one-time survey
// links (paths like /s/<token>), one per line, to the files named on the
// command line. Each link is a distinct invitation for a distinct customer,
// so every submit through it stores a distinct, durable response.
//
//	go run ./bench/wrk/mktokens -url http://127.0.0.1:8080 -key $KEY -page 1000 -submit 60000
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "Vox base URL")
	key := flag.String("key", "", "API key of the workspace")
	pages := flag.Int("page", 1000, "links for the page benchmark (opened, never answered)")
	submits := flag.Int("submit", 60000, "links for the submit benchmark (each answered once)")
	out := flag.String("out", ".", "directory for page.txt and submit.txt")
	flag.Parse()
	if *key == "" {
		log.Fatal("-key is required")
	}
	c := &client{base: strings.TrimRight(*base, "/"), key: *key}
	var created struct{ ID int64 }
	c.post("/api/v1/surveys", map[string]any{"name": "wrk", "languages": []string{"en", "ru"},
		"questions": []map[string]any{
			{"type": "nps", "required": true, "text": map[string]string{"en": "How likely are you to recommend us?", "ru": "Порекомендуете ли вы нас?"}},
			{"type": "open", "text": map[string]string{"en": "Why?", "ru": "Почему?"}}}}, &created)
	fmt.Println("survey", created.ID)
	for _, f := range []struct {
		name, prefix string
		n            int
	}{{"page.txt", "p", *pages}, {"submit.txt", "s", *submits}} {
		links := c.invite(created.ID, f.prefix, f.n)
		if err := os.WriteFile(*out+"/"+f.name, []byte(strings.Join(links, "\n")+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.name, len(links))
	}
}

type client struct{ base, key string }

func (c *client) post(path string, body, into any) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e any
		_ = json.NewDecoder(resp.Body).Decode(&e)
		log.Fatalf("POST %s: %d %v", path, resp.StatusCode, e)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		log.Fatal(err)
	}
}

// invite creates n link invitations with 16 concurrent requests.
func (c *client) invite(survey int64, prefix string, n int) []string {
	links := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				var inv struct{ URL string }
				c.post(fmt.Sprintf("/api/v1/surveys/%d/invitations", survey), map[string]any{"channel": "link",
					"customer": map[string]string{"external_id": fmt.Sprintf("wrk-%s%d", prefix, i)}}, &inv)
				u, err := url.Parse(inv.URL)
				if err != nil {
					log.Fatal(err)
				}
				links[i] = u.Path
			}
		}()
	}
	wg.Wait()
	return links
}
