package metrics

import "time"

// Time grains accepted by Bucket.
const (
	GrainHour  = "hour"
	GrainDay   = "day"
	GrainWeek  = "week"
	GrainMonth = "month"
)

// ValidGrain reports whether Bucket understands grain; API handlers use it to
// reject bad parameters before querying.
func ValidGrain(grain string) bool {
	switch grain {
	case GrainHour, GrainDay, GrainWeek, GrainMonth:
		return true
	}
	return false
}

// Bucket returns the start of the hour, day, ISO week (Monday) or month that
// contains t in the workspace's time zone loc (nil means UTC). Days, weeks and
// months are computed on the calendar, not by subtracting 24-hour multiples, so
// a week spanning a DST change still starts at local midnight on Monday. In the
// rare zones where local midnight does not exist on a DST day, the bucket starts
// at the first instant of that day as normalised by time.Date. An unknown grain
// returns the zero time.
func Bucket(t time.Time, loc *time.Location, grain string) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, m, d := t.Date()
	switch grain {
	case GrainHour:
		// Subtracting the local minutes keeps both occurrences of a repeated
		// autumn hour apart, which time.Date cannot do.
		return t.Add(-time.Duration(t.Minute())*time.Minute - time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond()))
	case GrainDay:
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	case GrainWeek:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case GrainMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	return time.Time{}
}

// NextBucket returns the start of the bucket after the one starting at start,
// for filling gaps in a time series. An unknown grain returns the zero time.
func NextBucket(start time.Time, loc *time.Location, grain string) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	start = start.In(loc)
	y, m, d := start.Date()
	switch grain {
	case GrainHour:
		return Bucket(start.Add(time.Hour), loc, GrainHour)
	case GrainDay:
		return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	case GrainWeek:
		return time.Date(y, m, d+7, 0, 0, 0, 0, loc)
	case GrainMonth:
		return time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
	}
	return time.Time{}
}
