package survey

// SetSegmentPage makes InviteSegment walk n customers per page until the
// returned function restores the default, so a test walks several pages
// without seeding thousands of customers. Tests using it must not run in
// parallel.
func SetSegmentPage(n int) (restore func()) {
	old := segmentPage
	segmentPage = n
	return func() { segmentPage = old }
}
