package sms_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"vox/internal/channel/sms"
	"vox/internal/ingest"
	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/surveyweb"
	"vox/internal/testutil"
)

func TestSMSInvitationAndDeliveryReceipt(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		var got []map[string]string
		provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user, pass, _ := r.BasicAuth()
			if r.URL.Path != "/messages" || user != "acme" || pass != "k3y" {
				http.Error(w, `{"error":"unauthorized"}`, 401)
				return
			}
			var m map[string]string
			_ = json.NewDecoder(r.Body).Decode(&m)
			mu.Lock()
			got = append(got, m)
			mu.Unlock()
			if m["to"] == "+70000000000" {
				http.Error(w, `{"error":"invalid number"}`, 400)
				return
			}
			_, _ = w.Write([]byte(`{"id":"msg-1"}`))
		}))
		defer provider.Close()

		mux := http.NewServeMux()
		site := httptest.NewServer(mux)
		defer site.Close()
		wsRow, _ := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
		ws := wsRow.ID
		signer, _ := survey.NewSigner([]byte("0123456789abcdef0123"))
		svc := survey.New(db, &ingest.Service{DB: db}, signer, site.URL)
		svc.Senders[survey.ChannelSMS] = &sms.Client{BaseURL: provider.URL, Sender: "ACME"}
		web, _ := surveyweb.New(svc, nil, 0)
		mux.Handle("/s/", web)
		w := &jobs.Worker{DB: db}
		svc.Register(w)
		// The workspace's own credentials.
		if err := svc.PutSettings(ctx, ws, survey.Settings{SMS: survey.SMSAccount{User: "acme", Token: "k3y"}}); err != nil {
			t.Fatal(err)
		}
		sid, _ := svc.CreateSurvey(ctx, ws, survey.Input{Name: "CSAT", Definition: survey.Definition{Languages: []string{"ru"},
			Questions: []survey.Question{{Type: survey.TypeCSAT, Text: survey.Text{"ru": "Как вам доставка?"}}}}})
		out, err := svc.Invite(ctx, ws, sid, []survey.InviteRequest{
			{Channel: survey.ChannelSMS, Customer: &ingest.CustomerRef{Phone: "+7 (900) 123-45-67"}, DelaySeconds: 0},
			{Channel: survey.ChannelSMS, Customer: &ingest.CustomerRef{Phone: "+7 000 000 00 00"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(got) == 2 && got[0]["to"] != "+79001234567" { // the worker sends in parallel
			got[0], got[1] = got[1], got[0]
		}
		mu.Unlock()
		if len(got) != 2 || got[0]["to"] != "+79001234567" || got[0]["from"] != "ACME" ||
			!strings.HasPrefix(got[0]["text"], "Как вам доставка? "+site.URL+"/s/") || got[0]["reference"] == "" {
			t.Fatalf("provider got %+v", got)
		}
		if len(got[0]["text"]) > 160 {
			t.Errorf("sms text %d bytes", len(got[0]["text"]))
		}
		good, bad := out[0].Invitation, out[1].Invitation
		if inv, _ := db.Invitation(ctx, ws, bad.ID); inv.Status != store.InvitationFailed {
			t.Errorf("refused number: %s", inv.Status)
		}
		// The provider posts the receipt to the callback URL.
		resp, err := http.Post(got[0]["callback_url"], "application/json", strings.NewReader(`{"status":"delivered"}`))
		if err != nil || resp.StatusCode != 204 {
			t.Fatalf("receipt: %v %v", err, resp.StatusCode)
		}
		resp, _ = http.Post(site.URL+"/s/forged/receipt", "application/json", strings.NewReader(`{"status":"delivered"}`))
		if resp.StatusCode != 404 {
			t.Errorf("forged receipt: %d", resp.StatusCode)
		}
		if inv, _ := db.Invitation(ctx, ws, good.ID); inv.Status != store.InvitationDelivered || inv.DeliveredAt == nil || inv.ProviderID != "msg-1" {
			t.Errorf("after receipt: %+v", inv)
		}
		st, _ := svc.Stats(ctx, ws, sid)
		if st.Total.Sent != 1 || st.Total.Delivered != 1 || st.Total.Failed != 1 || st.Channels[0].Channel != "sms" {
			t.Errorf("stats %+v", st)
		}
	})
}
