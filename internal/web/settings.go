package web

// settingsRoutes lists the settings pages (not built yet: the navigation shows them as soon).
func (s *Server) settingsRoutes() []route { return nil }
