package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/vault"
)

// showUsers lets a supervisor see, add and remove users, and record who is trained to take
// minors' biometrics (Eurodac Art 14(1)).
func (u *UI) showUsers() {
	msg := errorLabel()
	users, err := u.sess.Users()
	if err != nil {
		setError(msg, errorText(err))
	}
	list := widget.NewList(
		func() int { return len(users) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, nil,
				container.NewHBox(widget.NewCheck(T("users.trainedMinors"), nil), widget.NewButton(T("users.remove"), nil)), widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			usr := users[i]
			c.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s — %s", usr.Name, T("role."+string(usr.Role))))
			right := c.Objects[1].(*fyne.Container)
			trained := right.Objects[0].(*widget.Check)
			trained.OnChanged = nil // SetChecked below is not the supervisor's change
			trained.SetChecked(usr.TrainedForMinors)
			trained.OnChanged = func(on bool) {
				u.touch()
				if err := u.sess.SetTrainedForMinors(usr.Name, on); err != nil {
					setError(msg, errorText(err))
				}
				u.showUsers()
			}
			rm := right.Objects[1].(*widget.Button)
			rm.OnTapped = func() {
				u.touch()
				if usr.Name == u.sess.User() {
					setError(msg, T("users.notSelf"))
					return
				}
				if err := u.sess.RemoveUser(usr.Name); err != nil {
					setError(msg, errorText(err))
					return
				}
				u.showUsers()
			}
		},
	)
	name := widget.NewEntry()
	name.SetPlaceHolder(T("users.name"))
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(T("users.initialPass"))
	roles := make([]string, 0, len(vault.Roles()))
	for _, r := range vault.Roles() {
		roles = append(roles, T("role."+string(r)))
	}
	role := widget.NewSelect(roles, nil)
	role.PlaceHolder = T("users.role")
	add := widget.NewButton(T("users.add"), func() {
		u.touch()
		i := role.SelectedIndex()
		if i < 0 {
			setError(msg, T("users.pickRole"))
			return
		}
		if err := u.sess.AddUser(name.Text, vault.Roles()[i], []byte(pass.Text)); err != nil {
			setError(msg, errorText(err))
			return
		}
		u.showUsers()
	})
	add.Importance = widget.HighImportance
	form := container.NewGridWithColumns(4, name, pass, role, add)
	u.showSection("users", container.NewBorder(container.NewVBox(form, msg), nil, nil, nil, list))
}
