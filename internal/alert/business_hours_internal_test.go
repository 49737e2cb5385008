package alert

import (
	"testing"
	"time"
)

// TestBusinessClockAcrossWeekend walks SLA durations over working hours
// 09:00-18:00 Monday to Friday in Moscow: what does not fit before Friday's
// close continues on Monday morning, and time outside hours never counts.
func TestBusinessClockAcrossWeekend(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	c, err := BusinessHours{Days: []int{1, 2, 3, 4, 5}, Start: "09:00", End: "18:00"}.clock(msk)
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hh, mm int) time.Time { return time.Date(2026, 5, day, hh, mm, 0, 0, msk) } // 2026-05-01 is a Friday
	for _, tc := range []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"inside one day", at(4, 10, 0), 2 * time.Hour, at(4, 12, 0)},
		{"up to the close exactly", at(1, 10, 0), 8 * time.Hour, at(1, 18, 0)},
		{"friday evening → monday", at(1, 17, 0), 8 * time.Hour, at(4, 16, 0)},
		{"75 % of 8 h from friday 17:00", at(1, 17, 0), 6 * time.Hour, at(4, 14, 0)},
		{"opened on saturday", at(2, 11, 30), 3 * time.Hour, at(4, 12, 0)},
		{"opened sunday night", at(3, 23, 59), 30 * time.Minute, at(4, 9, 30)},
		{"before opening", at(5, 7, 0), time.Hour, at(5, 10, 0)},
		{"after closing", at(5, 19, 0), time.Hour, at(6, 10, 0)},
		{"24 h SLA from friday noon", at(1, 12, 0), 24 * time.Hour, at(5, 18, 0)},
		{"zero at night is next opening", at(2, 3, 0), 0, at(4, 9, 0)},
		{"a week of working time", at(4, 9, 0), 45 * time.Hour, at(8, 18, 0)},
	} {
		got := c.Add(tc.start.UTC(), tc.d)
		if !got.Equal(tc.want) {
			t.Errorf("%s: %s + %v = %s, want %s", tc.name, tc.start.Format("Mon 15:04"), tc.d,
				got.In(msk).Format("Mon 2006-01-02 15:04"), tc.want.Format("Mon 2006-01-02 15:04"))
		}
		if got.Location() != time.UTC {
			t.Errorf("%s: result in %v, want the input's location", tc.name, got.Location())
		}
	}
	var wall *slaClock
	if got := wall.Add(at(1, 17, 0), 8*time.Hour); !got.Equal(at(2, 1, 0)) {
		t.Errorf("wall clock: %v", got)
	}
}

// TestBusinessClockDST checks that a working day keeps its local hours on
// the day clocks change (Berlin, last Sunday of March, Sunday working).
func TestBusinessClockDST(t *testing.T) {
	ber, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	c, err := BusinessHours{Days: []int{6, 7}, Start: "00:00", End: "24:00"}.clock(ber)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 29, 0, 0, 0, 0, ber) // a 23-hour day
	if got, want := c.Add(start, 23*time.Hour), time.Date(2026, 3, 30, 0, 0, 0, 0, ber); !got.Equal(want) {
		t.Errorf("23 h from midnight on the DST day: %v, want %v (the end of that day)", got, want)
	}
	if got, want := c.Add(start, 24*time.Hour), time.Date(2026, 4, 4, 1, 0, 0, 0, ber); !got.Equal(want) {
		t.Errorf("24 h: %v, want %v (next Saturday 01:00)", got, want)
	}
}

func TestBusinessHoursValidation(t *testing.T) {
	for _, tc := range []struct {
		b     BusinessHours
		field string
	}{
		{BusinessHours{Start: "09:00", End: "18:00"}, "days"},
		{BusinessHours{Days: []int{0}, Start: "09:00", End: "18:00"}, "days[0]"},
		{BusinessHours{Days: []int{1}, Start: "9:00", End: "18:00"}, "start"},
		{BusinessHours{Days: []int{1}, Start: "24:00", End: "24:00"}, "start"},
		{BusinessHours{Days: []int{1}, Start: "09:00", End: "25:00"}, "end"},
		{BusinessHours{Days: []int{1}, Start: "18:00", End: "09:00"}, "end"},
		{BusinessHours{Days: []int{1}, Start: "09:00", End: "18:60"}, "end"},
	} {
		_, err := tc.b.clock(time.UTC)
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tc.field {
			t.Errorf("%+v: %v, want an error on %s", tc.b, err, tc.field)
		}
	}
	if _, err := (BusinessHours{Days: []int{1, 7}, Start: "00:00", End: "24:00"}).clock(time.UTC); err != nil {
		t.Error(err)
	}
}
