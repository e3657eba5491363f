package admin

import (
	"net/http"

	"seam/internal/adminuser"
	"seam/internal/seam"
)

// userCreate adds a user with a generated password, shown this once for
// the Administrator to hand over.
func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	f := userForm{Email: clipped(r.PostFormValue("email"), 254), Name: clipped(r.PostFormValue("name"), 200), Errors: map[string]string{}}
	role, ok := adminuser.ParseRole(r.PostFormValue("role"))
	f.Role = role
	if !ok {
		f.Errors["role"] = "Choose Administrator or Staff."
		h.userPage(w, r, http.StatusBadRequest, userList{Form: f})
		return
	}
	password := adminuser.GeneratePassword()
	u, err := adminuser.Create(r.Context(), h.cfg.DB, actorOf(r).Name, adminuser.NewUser{Email: f.Email, Name: f.Name, Role: role, Password: password})
	if err != nil {
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		for _, e := range ue {
			f.Errors[e.Path.String()] = e.Message
		}
		h.userPage(w, r, http.StatusBadRequest, userList{Form: f})
		return
	}
	h.userPage(w, r, http.StatusCreated, userList{Form: userForm{Role: adminuser.Staff}, Password: password, PasswordFor: u.Email})
}
