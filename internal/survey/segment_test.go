package survey_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/survey"
	"vox/internal/testutil"
)

// segmentCustomers seeds the workspace of fx with customers named by
// their first email (or phone): "vip" customers with and without emails,
// one opted out, one with an email the invitation rules refuse, one merged
// into another, and one of the "mass" segment. It returns their ids by name.
func segmentCustomers(t *testing.T, fx *fixture) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	add := func(name, segment, region string, idns ...store.Identity) {
		id, err := fx.db.UpsertCustomer(ctx, fx.ws, store.CustomerInput{Identities: idns, Segment: segment, Region: region, Lang: "ru"})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = id
	}
	email := func(v string) store.Identity { return store.Identity{Kind: store.IdentityEmail, Value: v} }
	phone := func(v string) store.Identity { return store.Identity{Kind: store.IdentityPhone, Value: v} }
	add("north", "vip", "north", email("north@example.com"))
	add("south", "vip", "south", email("south@example.com"), phone("+7 900 111-22-33"))
	add("phone-only", "vip", "north", phone("+79002223344"))
	add("opted", "vip", "south", email("opted@example.com"))
	add("broken", "vip", "north", email("broken-address"))
	add("merged", "vip", "north", email("zz-merged@example.com"))
	add("mass", "mass", "north", email("mass@example.com"))
	if err := fx.db.MergeCustomers(ctx, fx.ws, ids["north"], ids["merged"], "test"); err != nil {
		t.Fatal(err)
	}
	if err := fx.db.OptOut(ctx, fx.ws, ids["opted"], "email"); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestInviteSegment checks who a segment reaches on each channel, that a
// second send in the same wave queues nothing and a new wave queues again,
// that the region narrows it, and that another workspace's customers of a
// segment with the same name are never invited.
func TestInviteSegment(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
		ids := segmentCustomers(t, fx)
		other, err := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpsertCustomer(ctx, other.ID, store.CustomerInput{Segment: "vip", Region: "north",
			Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "stranger@example.com"}}}); err != nil {
			t.Fatal(err)
		}
		sv := fx.survey(t, survey.Options{})
		send := func(req survey.SegmentRequest) survey.SegmentResult {
			t.Helper()
			res, err := fx.svc.InviteSegment(ctx, fx.ws, sv, req)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		counts := func(r survey.SegmentResult) string {
			return fmt.Sprintf("matched %d queued %d dup %d opted %d throttled %d noaddr %d invalid %d",
				r.Matched, r.Queued, r.Duplicates, r.OptedOut, r.Throttled, r.NoAddress, len(r.Invalid))
		}

		res := send(survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: " vip ", Wave: "march"})
		if got, want := counts(res), "matched 5 queued 2 dup 0 opted 1 throttled 0 noaddr 1 invalid 1"; got != want {
			t.Fatalf("first send: %s, want %s", got, want)
		}
		if res.Invalid[0].CustomerID != ids["broken"] || res.Invalid[0].Field != "customer.email" {
			t.Errorf("invalid %+v", res.Invalid)
		}
		if len(res.Links) != 0 {
			t.Errorf("links for email: %+v", res.Links)
		}
		invs, err := db.Invitations(ctx, fx.ws, sv, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, inv := range invs {
			got = append(got, fmt.Sprintf("%s %d %s %s %s", inv.Address, *inv.CustomerID, inv.Status, inv.Wave, inv.Lang))
			if inv.DedupeKey != fmt.Sprintf("segment:march:%d", *inv.CustomerID) {
				t.Errorf("dedupe key %q", inv.DedupeKey)
			}
		}
		slices.Sort(got)
		want := []string{
			fmt.Sprintf("north@example.com %d pending march ru", ids["north"]), // the merged profile is not invited on its own
			fmt.Sprintf("opted@example.com %d opted_out march ru", ids["opted"]),
			fmt.Sprintf("south@example.com %d pending march ru", ids["south"]),
		}
		if !slices.Equal(got, want) {
			t.Errorf("invitations\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		fx.run(t)
		if fx.sender.count() != 2 {
			t.Errorf("sent %d emails, want 2", fx.sender.count())
		}
		for _, m := range fx.sender.sent {
			if m.To == "stranger@example.com" || m.To == "mass@example.com" {
				t.Errorf("sent to %s", m.To)
			}
		}

		again := send(survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "vip", Wave: "march"})
		if got, want := counts(again), "matched 5 queued 0 dup 3 opted 0 throttled 0 noaddr 1 invalid 1"; got != want {
			t.Errorf("same wave again: %s, want %s", got, want)
		}
		april := send(survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "vip", Wave: "april"})
		if got, want := counts(april), "matched 5 queued 2 dup 0 opted 1 throttled 0 noaddr 1 invalid 1"; got != want {
			t.Errorf("new wave: %s, want %s", got, want)
		}
		north := send(survey.SegmentRequest{Channel: survey.ChannelSMS, Segment: "vip", Region: "north", Wave: "march"})
		if got, want := counts(north), "matched 3 queued 1 dup 0 opted 0 throttled 0 noaddr 2 invalid 0"; got != want {
			t.Errorf("sms to the north: %s, want %s", got, want)
		}
		links := send(survey.SegmentRequest{Channel: survey.ChannelLink, Segment: "vip", Region: "south", Wave: "links"})
		if got, want := counts(links), "matched 2 queued 1 dup 0 opted 1 throttled 0 noaddr 0 invalid 0"; got != want {
			t.Errorf("links to the south: %s, want %s", got, want)
		}
		if len(links.Links) != 1 || links.Links[0].CustomerID != ids["south"] || !strings.HasPrefix(links.Links[0].URL, "https://vox.test/s/") {
			t.Errorf("links %+v", links.Links)
		}
		if none := send(survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "nobody", Wave: "march"}); none.Matched != 0 {
			t.Errorf("unknown segment: %s", counts(none))
		}

		// The other workspace's customer of a segment of the same name is never invited.
		for _, inv := range append(invs, mustInvitations(t, db, fx.ws, sv)...) {
			if inv.Address == "stranger@example.com" || inv.WorkspaceID != fx.ws {
				t.Errorf("invitation %+v reaches another workspace", inv)
			}
		}
		if _, err := fx.svc.InviteSegment(ctx, other.ID, sv, survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "vip"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("survey of another workspace: %v", err)
		}

		for _, tc := range []struct {
			req   survey.SegmentRequest
			field string
		}{
			{survey.SegmentRequest{Channel: "fax", Segment: "vip"}, "channel"},
			{survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "  "}, "segment"},
			{survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "vip", Wave: strings.Repeat("w", 101)}, "wave"},
			{survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "vip", DelaySeconds: -1}, "delay_seconds"},
		} {
			_, err := fx.svc.InviteSegment(ctx, fx.ws, sv, tc.req)
			var ie *survey.InviteError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Errorf("%+v: %v, want an error on %s", tc.req, err, tc.field)
			}
		}
		cur, _ := fx.svc.Survey(ctx, fx.ws, sv, 0)
		if _, err := fx.svc.UpdateSurvey(ctx, fx.ws, sv, survey.Input{Name: cur.Name, Status: "closed", Definition: cur.Definition}); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.InviteSegment(ctx, fx.ws, sv, survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "vip", Wave: "may"}); !errors.Is(err, survey.ErrSurveyNotLive) {
			t.Errorf("closed survey: %v", err)
		}
	})
}

func mustInvitations(t *testing.T, db *store.DB, ws, sv int64) []store.Invitation {
	t.Helper()
	list, err := db.Invitations(context.Background(), ws, sv, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestInviteSegmentPages walks a segment two customers a page: every
// customer is invited once, whichever page it falls on, and the throttle
// forecast counts the recently surveyed.
func TestInviteSegmentPages(t *testing.T) {
	defer survey.SetSegmentPage(2)()
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
		if err := fx.svc.PutSettings(ctx, fx.ws, survey.Settings{ThrottleDays: 7}); err != nil {
			t.Fatal(err)
		}
		var inputs []store.CustomerInput
		for i := range 7 {
			inputs = append(inputs, store.CustomerInput{Segment: "smb",
				Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("c%d@example.com", i)}}})
		}
		if _, err := db.UpsertCustomers(ctx, fx.ws, inputs); err != nil {
			t.Fatal(err)
		}
		recent := fx.survey(t, survey.Options{})
		fx.invite(t, recent, "c3@example.com", "")
		fx.run(t)
		sv := fx.survey(t, survey.Options{})
		res, err := fx.svc.InviteSegment(ctx, fx.ws, sv, survey.SegmentRequest{Channel: survey.ChannelEmail, Segment: "smb", Wave: "q1"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 7 || res.Queued != 7 || res.Throttled != 1 || res.Duplicates != 0 {
			t.Fatalf("result %+v", res)
		}
		seen := map[string]bool{}
		for _, inv := range mustInvitations(t, db, fx.ws, sv) {
			if seen[inv.Address] {
				t.Errorf("%s invited twice", inv.Address)
			}
			seen[inv.Address] = true
		}
		if len(seen) != 7 {
			t.Errorf("%d addresses invited", len(seen))
		}
	})
}
