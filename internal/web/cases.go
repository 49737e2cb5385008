package web

// caseRoutes lists the cases pages (not built yet: the navigation shows them as soon).
func (s *Server) caseRoutes() []route { return nil }
