package web

// journeyRoutes lists the journey pages (not built yet: the navigation shows them as soon).
func (s *Server) journeyRoutes() []route { return nil }
