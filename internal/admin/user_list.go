package admin

import (
	"net/http"

	"seam/internal/adminuser"
	"seam/internal/store"
)

// userForm is the "Add user" form as typed.
type userForm struct {
	Email, Name, Role string
	Errors            map[string]string
}

type userList struct {
	Users []store.AdminUser
	Form  userForm
	// Password is the generated password of the user just added, shown
	// this once.
	Password, PasswordFor string
}

// userList lists the back office's users with their role and whether
// they are disabled, and the form that adds one.
func (h *Handler) userList(w http.ResponseWriter, r *http.Request) {
	h.userPage(w, r, http.StatusOK, userList{Form: userForm{Role: adminuser.Staff}})
}

func (h *Handler) userPage(w http.ResponseWriter, r *http.Request, status int, v userList) {
	var err error
	if v.Users, err = adminuser.List(r.Context(), h.cfg.DB.Read()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "user_list", "Admin users", "users", v)
}
