package web

// reportRoutes lists the reports pages (not built yet: the navigation shows them as soon).
func (s *Server) reportRoutes() []route { return nil }
