package auth

import "vox/internal/store"

// MayManageRole reports whether a user of actorRole, who may manage users,
// may grant role to someone, or change or remove a member who has it. The
// owner role is the one boundary: only an owner grants it or touches an
// owner, so an admin cannot lock the owners out or promote themselves.
func MayManageRole(actorRole, role string) bool {
	if !Can(actorRole, ManageUsers) || !store.ValidRole(role) {
		return false
	}
	return actorRole == store.RoleOwner || role != store.RoleOwner
}

// Password length bounds for accounts made or reset in the UI. Length is
// what makes a password strong (NIST SP 800-63B); the cap keeps a form
// from making the server hash megabytes.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)
