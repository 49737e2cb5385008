package survey

import "time"

// SetSegmentPage makes InviteSegment walk n customers per page until the
// returned function restores the default, so a test walks several pages
// without seeding thousands of customers. Tests using it must not run in
// parallel.
func SetSegmentPage(n int) (restore func()) {
	old := segmentPage
	segmentPage = n
	return func() { segmentPage = old }
}

// SetSegmentBudget sets how long one run of a segment job walks before it
// hands over to a continuation job (0: after every page).
func SetSegmentBudget(d time.Duration) (restore func()) {
	old := segmentBudget
	segmentBudget = d
	return func() { segmentBudget = old }
}
