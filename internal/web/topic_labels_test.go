package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"vox/internal/analytics"
	"vox/internal/store"
)

// TestTopicLabels fails when a default topic lacks a label in a UI
// language, or when a Russian or Chinese label is left as the raw id.
func TestTopicLabels(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range analytics.DefaultTaxonomy().Topics {
		for _, lang := range languages {
			label, ok := cat[lang]["topic."+tp.Key]
			switch {
			case !ok || strings.TrimSpace(label) == "":
				t.Errorf("topic %q has no label in i18n/topics.%s.json", tp.Key, lang)
			case lang != "en" && (label == tp.Key || label == cat["en"]["topic."+tp.Key]):
				t.Errorf("topic %q is not translated into %s: %q", tp.Key, lang, label)
			}
		}
	}
	l := cat.localizer("ru", time.UTC)
	if got := l.Topic("waiting_time"); got != "Время ожидания" {
		t.Errorf("ru waiting_time = %q", got)
	}
	if got := l.Topic("our_own_topic"); got != "our_own_topic" {
		t.Errorf("a workspace's own topic shows as %q, want its id", got)
	}
}

// TestTopicChipsAndFilter: the explorer and the item page show topic
// labels in the UI language, and ?topic= lists only the items about it.
func TestTopicChipsAndFilter(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	ids := f.seedFeedback(f.wsA.ID, "", store.FeedbackItem{Kind: "review", Channel: "web", Text: "курьер опоздал", Topics: []string{"delivery", "waiting_time"}, OccurredAt: now.Add(-time.Hour)},
		store.FeedbackItem{Kind: "review", Channel: "web", Text: "дорого", Topics: []string{"price"}, OccurredAt: now.Add(-2 * time.Hour)},
		store.FeedbackItem{Kind: "review", Channel: "web", Text: "свой тег", Topics: []string{"our_own_topic"}, OccurredAt: now.Add(-3 * time.Hour)})
	// The same topic in another workspace never shows.
	f.seedFeedback(f.wsB.ID, "", store.FeedbackItem{Kind: "review", Channel: "web", Text: "globex delivery", Topics: []string{"delivery"}, OccurredAt: now})
	c := f.loggedIn("viewer")
	body := c.get("/feedback?lang=ru").Body
	mustContain(t, body, `data-topic="delivery">Доставка</span>`, `data-topic="waiting_time">Время ожидания</span>`,
		`data-topic="our_own_topic">our_own_topic</span>`, `<option value="price">Цена</option>`)
	res := c.get("/feedback?lang=zh&topic=delivery")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	mustContain(t, res.Body, "курьер опоздал", `<option value="delivery" selected>配送</option>`)
	mustNotContain(t, res.Body, "дорого", "свой тег", "globex delivery")
	// A workspace's own topic can be filtered by too, and stays selected.
	res = c.get("/feedback?topic=our_own_topic")
	mustContain(t, res.Body, "свой тег", `<option value="our_own_topic" selected>our_own_topic</option>`)
	mustNotContain(t, res.Body, "курьер опоздал")
	// LIKE wildcards in the topic match nothing more than the literal.
	mustNotContain(t, c.get("/feedback?topic=%25").Body, "курьер опоздал")
	item := c.get("/feedback/" + strconv.FormatInt(ids[0], 10) + "?lang=zh").Body
	mustContain(t, item, `data-topic="delivery">配送</span>`)
}
