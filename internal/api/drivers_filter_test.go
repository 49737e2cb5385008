package api_test

import (
	"testing"

	"vox/internal/store"
	"vox/internal/testutil"
)

// Drivers and pain points follow filter[dim] like the metrics do.
func TestDriversAndPainPointsFiltered(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.do("POST", "/api/v1/feedback", `{"items":[
			{"text":"a","nps":9,"channel":"sms","region":"Moscow"},
			{"text":"b","nps":3,"channel":"sms","region":"Kazan"},
			{"text":"c","nps":10,"channel":"sms","region":"Moscow"},
			{"text":"d","nps":2,"channel":"email","region":"Moscow"},
			{"text":"e","nps":8,"channel":"email"}]}`)
		if r.Status != 201 {
			t.Fatalf("seed: %d %s", r.Status, r.Raw)
		}
		for _, c := range []struct {
			query string
			want  float64
		}{
			{"", 5},
			{"?filter[channel]=sms", 3},
			{"?filter[channel]=sms&filter[region]=Moscow", 2},
			{"?filter[region]=Moscow,Kazan", 4},
		} {
			for _, path := range []string{"/api/v1/drivers", "/api/v1/pain-points"} {
				r := e.do("GET", path+c.query, nil)
				if r.Status != 200 || r.JSON["answers"] != c.want {
					t.Errorf("GET %s%s: %d answers %v, want %v", path, c.query, r.Status, r.JSON["answers"], c.want)
				}
			}
		}
		for _, c := range []struct{ query, field string }{
			{"?filter[topic]=delivery", "filter[topic]"},
			{"?filter[employee]=anna", "filter[employee]"},
			{"?filter[colour]=red", "filter[colour]"},
			{"?fitler[region]=Moscow", "fitler[region]"},
		} {
			if r := e.do("GET", "/api/v1/drivers"+c.query, nil); r.Status != 400 || r.ErrorField() != c.field {
				t.Errorf("GET /api/v1/drivers%s: %d field %q, want 400 %q", c.query, r.Status, r.ErrorField(), c.field)
			}
		}
	})
}
