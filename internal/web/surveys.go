package web

// surveyRoutes lists the surveys pages (not built yet: the navigation shows them as soon).
func (s *Server) surveyRoutes() []route { return nil }
