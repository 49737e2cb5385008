package api_test

import (
	"fmt"
	"strings"
	"testing"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestSurveyInvitationsCSV uploads contact lists through the API, which
// reads them with the web form's parser (survey.ParseContactList):
// semicolons and a "telegram" header work, blank lines are skipped, a
// re-upload creates nothing, a bad row refuses the list at its line, and a
// file without a usable header is a 400.
func TestSurveyInvitationsCSV(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newSurveyEnv(t, db)
		id := e.createSurvey(npsSurvey)
		path := fmt.Sprintf("/api/v1/surveys/%d/invitations/csv?channel=email&wave=w1&delay_seconds=60", id)
		csv := "\ufeffName;Email;Lang;Telegram\nAnna;anna@example.com;RU;\n\nBoris;boris@example.com;en;12345\n"
		r := e.do("POST", path, csv, "Content-Type", "text/csv")
		if r.Status != 200 || r.JSON["rows"] != float64(2) || r.JSON["created"] != float64(2) {
			t.Fatalf("upload: %d %s", r.Status, r.Raw)
		}
		invs, err := db.Invitations(t.Context(), e.ws.ID, id, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, inv := range invs {
			got = append(got, inv.Address+" "+inv.Lang+" "+inv.Wave)
			if d := inv.SendAt.Sub(inv.CreatedAt).Seconds(); d < 59 || d > 61 {
				t.Errorf("%s sends %v s after it was made, want 60", inv.Address, d)
			}
		}
		if s := strings.Join(got, ","); !strings.Contains(s, "anna@example.com ru w1") || !strings.Contains(s, "boris@example.com en w1") {
			t.Errorf("invitations: %s", s)
		}
		if r := e.do("POST", path, csv, "Content-Type", "text/csv"); r.Status != 200 || r.JSON["created"] != float64(0) || r.JSON["duplicates"] != float64(2) {
			t.Errorf("re-upload: %d %s", r.Status, r.Raw)
		}
		bad := "email,name\nc@example.com,C\n\nnot-an-address,D\n"
		r = e.do("POST", path, bad, "Content-Type", "text/csv")
		if r.Status != 422 || r.ErrorField() != "customer.email" || !strings.Contains(r.JSON["error"].(map[string]any)["message"].(string), "line 4") {
			t.Errorf("bad row: %d %s", r.Status, r.Raw)
		}
		if n, _ := db.Invitations(t.Context(), e.ws.ID, id, 10); len(n) != 2 {
			t.Errorf("a refused list made %d invitations", len(n)-2)
		}
		for _, body := range []string{"", "name,city\nAnna,Omsk\n", "email\n", "email\n\"broken\n"} {
			if r := e.do("POST", path, body, "Content-Type", "text/csv"); r.Status != 400 || r.ErrorCode() != "invalid_csv" {
				t.Errorf("%q: %d %s", body, r.Status, r.Raw)
			}
		}
	})
}
