package auth_test

import (
	"testing"

	"vox/internal/auth"
	"vox/internal/store"
)

func TestMayManageRole(t *testing.T) {
	for _, c := range []struct {
		actor, role string
		want        bool
	}{
		{store.RoleOwner, store.RoleOwner, true},
		{store.RoleOwner, store.RoleViewer, true},
		{store.RoleAdmin, store.RoleAdmin, true},
		{store.RoleAdmin, store.RoleEmployee, true},
		{store.RoleAdmin, store.RoleOwner, false},
		{store.RoleManager, store.RoleViewer, false},
		{store.RoleViewer, store.RoleViewer, false},
		{store.RoleOwner, "root", false},
	} {
		if got := auth.MayManageRole(c.actor, c.role); got != c.want {
			t.Errorf("MayManageRole(%s, %s) = %v, want %v", c.actor, c.role, got, c.want)
		}
	}
}
