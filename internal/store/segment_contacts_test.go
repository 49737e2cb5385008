package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestSegmentContacts walks a segment page by page on both databases:
// merged profiles and other workspaces are left out, each customer comes
// once with its oldest address of each kind, and the segment and region
// lists count only live profiles of the workspace.
func TestSegmentContacts(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
		other, _ := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		var inputs []store.CustomerInput
		for i := range 5 {
			inputs = append(inputs, store.CustomerInput{Segment: "vip", Region: []string{"north", "south"}[i%2], Lang: "ru",
				Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("c%d@example.com", i)},
					{Kind: store.IdentityPhone, Value: fmt.Sprintf("+7900000000%d", i)}}})
		}
		inputs = append(inputs, store.CustomerInput{Segment: "mass", Identities: []store.Identity{{Kind: store.IdentityExternalID, Value: "m-1"}}})
		ids, err := db.UpsertCustomers(ctx, ws.ID, inputs)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpsertCustomers(ctx, other.ID, []store.CustomerInput{{Segment: "vip", Region: "west",
			Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "stranger@example.com"}}}}); err != nil {
			t.Fatal(err)
		}
		if err := db.MergeCustomers(ctx, ws.ID, ids[0], ids[4], "test"); err != nil {
			t.Fatal(err)
		}

		var seen []int64
		f := store.SegmentFilter{Segment: "vip", Limit: 2}
		for pages := 0; ; pages++ {
			page, err := db.SegmentContacts(ctx, ws.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				if pages != 2 {
					t.Errorf("%d pages, want 2", pages)
				}
				break
			}
			for _, c := range page {
				seen = append(seen, c.ID)
				if c.Lang != "ru" || c.Addresses[store.IdentityPhone] == "" {
					t.Errorf("contact %+v", c)
				}
			}
			f.AfterID = page[len(page)-1].ID
		}
		if !slices.Equal(seen, ids[:4]) {
			t.Errorf("walked %v, want %v (merged %d left out)", seen, ids[:4], ids[4])
		}
		north, err := db.SegmentContacts(ctx, ws.ID, store.SegmentFilter{Segment: "vip", Region: "north"})
		if err != nil {
			t.Fatal(err)
		}
		// c0 (north) holds c4's identities too since the merge; one email is
		// given, the oldest (here: same time, so the smallest value).
		if len(north) != 2 || north[0].ID != ids[0] || north[0].Addresses[store.IdentityEmail] != "c0@example.com" || north[1].ID != ids[2] {
			t.Errorf("north: %+v", north)
		}
		if none, _ := db.SegmentContacts(ctx, ws.ID, store.SegmentFilter{}); len(none) != 0 {
			t.Errorf("an empty segment matched %d", len(none))
		}

		segs, err := db.CustomerSegments(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []store.SegmentCount{{Segment: "mass", Customers: 1}, {Segment: "vip", Customers: 4}}; !slices.Equal(segs, want) {
			t.Errorf("segments %v, want %v", segs, want)
		}
		regions, err := db.CustomerRegions(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(regions, []string{"north", "south"}) {
			t.Errorf("regions %v", regions)
		}
	})
}
