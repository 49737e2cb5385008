package alert_test

import (
	"encoding/json"
	"testing"

	"vox/internal/alert"
	"vox/internal/store"
	"vox/internal/testutil"
)

// The hook reads a batch's customers only when something uses them. Here
// nothing does until the rule fires: its condition is the score alone and
// the only endpoint wants alerts, not item events. The alert must still
// name the detractor's customer, read when the rule fired.
func TestFiredRuleReadsItsCustomer(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, alert.Options{})
		rcv := newReceiver(t, 0)
		_, secret, err := h.svc.CreateWebhook(t.Context(), h.ws.ID, rcv.srv.URL, []string{"alert.triggered"})
		if err != nil {
			t.Fatal(err)
		}
		rcv.secret = secret
		h.rule(`{"name":"Detractor","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"webhook"}]}`)
		h.run()
		promoter := detractor("great", "p@example.com", 10)
		h.ingest(promoter, detractor("awful", "d@example.com", 3))
		got := rcv.waitDelivered(1)
		if len(got) != 1 || eventType(got[0]) != "alert.triggered" {
			t.Fatalf("deliveries %d", len(got))
		}
		var ev struct {
			Data struct {
				Item     store.FeedbackItem
				Customer *store.Customer
			}
		}
		if err := json.Unmarshal(got[0].Body, &ev); err != nil {
			t.Fatal(err)
		}
		c := ev.Data.Customer
		if ev.Data.Item.Text != "awful" || c == nil || len(c.Identities) != 1 || c.Identities[0].Value != "d@example.com" {
			t.Errorf("alert payload: item %q, customer %+v", ev.Data.Item.Text, c)
		}
	})
}
