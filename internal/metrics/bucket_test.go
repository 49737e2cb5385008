package metrics

import (
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestBucket(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	shanghai := mustLoad(t, "Asia/Shanghai")
	kolkata := mustLoad(t, "Asia/Kolkata")
	moscow := mustLoad(t, "Europe/Moscow")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		t     string
		loc   *time.Location
		grain string
		want  string
	}{
		{"day in UTC", "2026-03-05T17:20:00Z", nil, GrainDay, "2026-03-05T00:00:00Z"},
		{"day crosses date in Shanghai", "2026-03-05T17:20:00Z", shanghai, GrainDay, "2026-03-05T16:00:00Z"},
		{"month crosses in Shanghai", "2026-01-31T23:30:00Z", shanghai, GrainMonth, "2026-01-31T16:00:00Z"},
		{"month in UTC", "2026-01-31T23:30:00Z", time.UTC, GrainMonth, "2026-01-01T00:00:00Z"},
		{"ISO week starts Monday", "2026-03-08T10:00:00Z", time.UTC, GrainWeek, "2026-03-02T00:00:00Z"},
		{"Monday is its own week", "2026-03-09T00:00:00Z", time.UTC, GrainWeek, "2026-03-09T00:00:00Z"},
		{"week across year end", "2027-01-01T12:00:00Z", time.UTC, GrainWeek, "2026-12-28T00:00:00Z"},
		// Berlin springs forward on Sunday 2026-03-29: the week started at
		// Monday 00:00 CET (UTC+1) although t is in CEST (UTC+2).
		{"week across spring DST", "2026-03-29T21:30:00Z", berlin, GrainWeek, "2026-03-22T23:00:00Z"},
		{"day after spring DST", "2026-03-29T21:30:00Z", berlin, GrainDay, "2026-03-28T23:00:00Z"},
		{"day of autumn DST", "2026-10-25T22:30:00Z", berlin, GrainDay, "2026-10-24T22:00:00Z"},
		{"first 02:xx of autumn DST", "2026-10-25T00:30:00Z", berlin, GrainHour, "2026-10-25T00:00:00Z"},
		{"second 02:xx of autumn DST", "2026-10-25T01:30:00Z", berlin, GrainHour, "2026-10-25T01:00:00Z"},
		{"half-hour offset zone", "2026-03-05T05:17:00Z", kolkata, GrainHour, "2026-03-05T04:30:00Z"},
		{"Moscow week", "2026-03-01T22:00:00Z", moscow, GrainWeek, "2026-03-01T21:00:00Z"},
	}
	for _, tt := range tests {
		got := Bucket(utc(tt.t), tt.loc, tt.grain)
		if want := utc(tt.want); !got.Equal(want) {
			t.Errorf("%s: Bucket = %v, want %v", tt.name, got.UTC(), want)
		}
	}
	if !Bucket(time.Now(), nil, "fortnight").IsZero() || ValidGrain("fortnight") || !ValidGrain(GrainWeek) {
		t.Error("unknown grain must be rejected")
	}
}

// TestBucketProperties checks on random instants in zones with DST that every
// bucket contains its instant, starts on the local boundary and is followed
// directly by NextBucket.
func TestBucketProperties(t *testing.T) {
	zones := []*time.Location{mustLoad(t, "Europe/Berlin"), mustLoad(t, "America/New_York"), mustLoad(t, "Australia/Sydney"), mustLoad(t, "Asia/Kolkata"), time.UTC}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for range 5000 {
		ts := time.Unix(start+rng.Int64N(3*365*24*3600), 0)
		loc := zones[rng.IntN(len(zones))]
		for _, g := range []string{GrainHour, GrainDay, GrainWeek, GrainMonth} {
			b := Bucket(ts, loc, g)
			next := NextBucket(b, loc, g)
			if b.After(ts) || !next.After(ts) {
				t.Fatalf("%v %s %s: bucket [%v, %v) misses it", ts.In(loc), loc, g, b.In(loc), next.In(loc))
			}
			if !Bucket(b, loc, g).Equal(b) || !Bucket(next, loc, g).Equal(next) {
				t.Fatalf("%v %s %s: bucket start not stable", ts, loc, g)
			}
			lb := b.In(loc)
			if g != GrainHour && (lb.Hour() != 0 || lb.Minute() != 0) {
				t.Fatalf("%v %s %s: bucket starts at %v", ts, loc, g, lb)
			}
			if g == GrainWeek && lb.Weekday() != time.Monday {
				t.Fatalf("%v: week starts on %v", ts, lb.Weekday())
			}
			if g == GrainMonth && lb.Day() != 1 {
				t.Fatalf("%v: month starts on day %d", ts, lb.Day())
			}
		}
	}
}
