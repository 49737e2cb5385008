package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"vox/internal/store"
)

// BusinessHours is a workspace's working time: SLA clocks of its cases run
// only on these days and hours, in the workspace's time zone, so a case
// opened on Friday evening with an 8-hour SLA is due on Monday, not on
// Saturday morning.
type BusinessHours struct {
	Days  []int  `json:"days"`  // ISO weekdays: 1 Monday … 7 Sunday
	Start string `json:"start"` // "09:00"
	End   string `json:"end"`   // "18:00"; "24:00" is the end of the day
}

// BusinessHoursView is the setting as the API shows it.
type BusinessHoursView struct {
	Enabled  bool           `json:"enabled"`
	Hours    *BusinessHours `json:"hours"`
	Timezone string         `json:"timezone"`
}

// slaClock adds SLA durations in working time; a nil clock is the wall
// clock.
type slaClock struct {
	loc        *time.Location
	days       [7]bool // by time.Weekday
	start, end int     // minutes after local midnight
}

// parseClock reads "HH:MM" as minutes after midnight; "24:00" is allowed.
func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// clock validates the setting and returns its clock in loc.
func (b BusinessHours) clock(loc *time.Location) (*slaClock, error) {
	if len(b.Days) == 0 {
		return nil, fieldErr("days", "must name at least one working day (1 Monday … 7 Sunday)")
	}
	c := &slaClock{loc: loc}
	for i, d := range b.Days {
		if d < 1 || d > 7 {
			return nil, fieldErr(fmt.Sprintf("days[%d]", i), "must be 1 (Monday) … 7 (Sunday)")
		}
		c.days[d%7] = true // ISO 7 (Sunday) is time.Sunday (0)
	}
	var ok bool
	if c.start, ok = parseClock(b.Start); !ok || c.start >= 24*60 {
		return nil, fieldErr("start", "must be a time HH:MM, e.g. 09:00")
	}
	if c.end, ok = parseClock(b.End); !ok {
		return nil, fieldErr("end", "must be a time HH:MM, e.g. 18:00 (24:00 for midnight)")
	}
	if c.end <= c.start {
		return nil, fieldErr("end", "must be after start (overnight shifts are not supported)")
	}
	return c, nil
}

// Add returns the instant d of working time after t. A t outside working
// hours starts at the next working period; d = 0 there gives its start.
func (c *slaClock) Add(t time.Time, d time.Duration) time.Time {
	if c == nil {
		return t.Add(d)
	}
	lt := t.In(c.loc)
	// Each pass covers one calendar day; a year of closed days is a
	// setting bug, not an SLA, so the loop is bounded.
	for range 3660 {
		y, m, day := lt.Date()
		if c.days[lt.Weekday()] {
			open := time.Date(y, m, day, c.start/60, c.start%60, 0, 0, c.loc)
			closeAt := time.Date(y, m, day, c.end/60, c.end%60, 0, 0, c.loc)
			if lt.Before(closeAt) {
				if lt.Before(open) {
					lt = open
				}
				left := closeAt.Sub(lt)
				if d <= left {
					return lt.Add(d).In(t.Location())
				}
				d -= left
			}
		}
		lt = time.Date(y, m, day+1, 0, 0, 0, 0, c.loc)
	}
	return lt.Add(d).In(t.Location())
}

// clockFor returns the SLA clock of the workspace inside tx: nil (the wall
// clock) without business hours, or when the stored setting no longer
// parses (logged: a broken setting must not stop cases from opening).
func (s *Service) clockFor(ctx context.Context, tx *store.Tx, ws int64) (*slaClock, error) {
	row, err := tx.BusinessHours(ctx, ws)
	if err != nil {
		return nil, err
	}
	return s.parseClockRow(ws, row), nil
}

func (s *Service) parseClockRow(ws int64, row store.BusinessHoursRow) *slaClock {
	if row.Config == "" {
		return nil
	}
	var b BusinessHours
	if err := json.Unmarshal([]byte(row.Config), &b); err != nil {
		s.log.Warn("ignoring unreadable business hours", "workspace", ws, "err", err)
		return nil
	}
	c, err := b.clock(store.LoadLocation(row.Timezone))
	if err != nil {
		s.log.Warn("ignoring invalid business hours", "workspace", ws, "err", err)
		return nil
	}
	return c
}

// BusinessHours returns the workspace's working-time setting.
func (s *Service) BusinessHours(ctx context.Context, ws int64) (BusinessHoursView, error) {
	row, err := s.db.BusinessHours(ctx, ws)
	if err != nil {
		return BusinessHoursView{}, err
	}
	v := BusinessHoursView{Timezone: row.Timezone}
	if row.Config != "" {
		var b BusinessHours
		if err := json.Unmarshal([]byte(row.Config), &b); err == nil {
			v.Enabled, v.Hours = true, &b
		}
	}
	return v, nil
}

// SetBusinessHours validates and stores the workspace's working time (nil
// removes it). Cases opened or reopened afterwards use it; cases already
// open keep the due time they were given.
func (s *Service) SetBusinessHours(ctx context.Context, ws int64, b *BusinessHours) (BusinessHoursView, error) {
	config := ""
	if b != nil {
		if _, err := b.clock(time.UTC); err != nil {
			return BusinessHoursView{}, err
		}
		days := slices.Clone(b.Days)
		slices.Sort(days)
		norm := BusinessHours{Days: slices.Compact(days), Start: strings.TrimSpace(b.Start), End: strings.TrimSpace(b.End)}
		raw, _ := json.Marshal(norm)
		config = string(raw)
	}
	if err := s.db.SetBusinessHours(ctx, ws, config, s.now()); err != nil {
		return BusinessHoursView{}, err
	}
	return s.BusinessHours(ctx, ws)
}
