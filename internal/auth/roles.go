package auth

import "vox/internal/store"

// Permission names one thing a role may do. Pages and actions ask for a
// permission, never for a role, so the matrix below is the one place that
// decides who sees what (and what the route × role test walks).
type Permission string

// Permissions of the web UI. Pages not built yet already have theirs so the
// navigation and the matrix do not change shape when they land.
const (
	ViewOverview    Permission = "overview.view"
	ViewFeedback    Permission = "feedback.view"     // every item of the workspace
	ViewOwnFeedback Permission = "feedback.view_own" // only items about the employee linked to the user
	ViewCustomers   Permission = "customers.view"
	ViewMentions    Permission = "mentions.view"
	ViewJourney     Permission = "journey.view"
	ViewEmployees   Permission = "employees.view"
	ViewReports     Permission = "reports.view"
	ManageReports   Permission = "reports.manage" // order, change and send the weekly report email
	WorkCases       Permission = "cases.work"
	ManageSurveys   Permission = "surveys.manage"
	ManageSettings  Permission = "settings.manage"
	ManageUsers     Permission = "users.manage"
	ManageAPIKeys   Permission = "apikeys.manage"
	ViewAudit       Permission = "audit.view"
	ExportData      Permission = "data.export"
	// ManagePrivacy exports and erases one person's data and sets how long
	// feedback is kept (GDPR): owners and admins only.
	ManagePrivacy Permission = "privacy.manage"
)

var analystPerms = []Permission{ViewOverview, ViewFeedback, ViewCustomers, ViewMentions, ViewJourney, ViewEmployees, ViewReports}

var matrix = map[string]map[Permission]bool{
	store.RoleOwner: set(append(analystPerms, WorkCases, ManageSurveys, ManageSettings, ManageUsers, ManageAPIKeys,
		ViewAudit, ExportData, ManagePrivacy, ManageReports)...),
	store.RoleAdmin: set(append(analystPerms, WorkCases, ManageSurveys, ManageSettings, ManageUsers, ManageAPIKeys,
		ViewAudit, ExportData, ManagePrivacy, ManageReports)...),
	store.RoleManager:  set(append(analystPerms, WorkCases, ManageSurveys, ExportData, ManageReports)...),
	store.RoleAgent:    set(ViewOverview, ViewFeedback, ViewCustomers, ViewMentions, WorkCases),
	store.RoleViewer:   set(analystPerms...),
	store.RoleEmployee: set(ViewOverview, ViewOwnFeedback),
}

func set(ps ...Permission) map[Permission]bool {
	m := make(map[Permission]bool, len(ps))
	for _, p := range ps {
		m[p] = true
	}
	return m
}

// Can reports whether role grants p. Unknown roles can do nothing.
func Can(role string, p Permission) bool { return matrix[role][p] }
