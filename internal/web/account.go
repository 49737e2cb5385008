package web

// accountRoutes lists the account pages (not built yet: the navigation shows them as soon).
func (s *Server) accountRoutes() []route { return nil }
