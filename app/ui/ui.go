// Package ui holds the Fyne screens of the terminal and nothing else: every rule, every
// stored byte and every device goes through package app. A screen is one file with a
// constructor; the UI type switches between them.
package ui

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/vault"
)

// UI is the one window of the terminal and the session it shows.
type UI struct {
	win  fyne.Window
	term *app.Terminal
	sess *app.Session

	// current is the name of the screen on show, for tests and the screenshot walk; atomic
	// because the idle lock changes screens from a timer.
	current atomic.Value
	// lockNotice is shown on the unlock screen after an idle lock.
	lockNotice string
	// idleWarn counts down the last seconds before an idle lock, on every screen.
	idleWarn *widget.Label
	stopTick chan struct{}
	// openCase is the case screen on show, for the save shortcut.
	openCase *caseScreen
	// syncCancel stops the background sync worker (on lock).
	syncCancel func()
	// syncPackets is the Sync screen's packet list while it is on show, for tests.
	syncPackets *packetList
	// previewWin is the last form preview window, for tests.
	previewWin fyne.Window
	// enrolURL and enrolToken, when set, enrol the terminal after the next unlock (demo).
	enrolURL, enrolToken string
}

// EnrolAfterUnlock enrols with central in the background after the next unlock, unless the
// terminal is already enrolled (make run's demo passes a fresh token).
func (u *UI) EnrolAfterUnlock(url, token string) { u.enrolURL, u.enrolToken = url, token }

func (u *UI) enrolPending() {
	s := u.sess
	if u.enrolToken == "" || s == nil || s.Enrolled() {
		u.startSyncWorker()
		return
	}
	url, tok := u.enrolURL, u.enrolToken
	u.enrolToken = ""
	runAsync(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.Enrol(ctx, url, tok) // a failure shows on the Sync screen as "not enrolled"
	}, func() {
		if u.sess == s {
			u.startSyncWorker()
		}
	})
}

// idleWarning is how long before an idle lock the countdown shows.
const idleWarning = 30 * time.Second

// New builds the UI on a window; call Start to show the first screen.
func New(w fyne.Window, term *app.Terminal) *UI {
	SetLanguage(term.Config().Language)
	applyScale(term.Config().Scale)
	u := &UI{win: w, term: term, idleWarn: widget.NewLabel("")}
	u.idleWarn.Importance = widget.WarningImportance
	u.idleWarn.TextStyle.Bold = true
	u.idleWarn.Hide()
	u.addShortcuts()
	w.SetTitle(u.title())
	return u
}

func (u *UI) title() string {
	t := "fieldscreen"
	if u.term.Config().Demo {
		t += " — DEMO"
	}
	return t
}

// addShortcuts puts the common steps in the window's menu with keyboard shortcuts. Menu
// shortcuts work wherever the focus is, even inside a text field, which shortcuts added to
// the canvas do not.
func (u *UI) addShortcuts() {
	sc := func(k fyne.KeyName) fyne.Shortcut {
		return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
	}
	newCase := fyne.NewMenuItem(T("menu.newCase"), u.NewCase)
	newCase.Shortcut = sc(fyne.KeyN)
	save := fyne.NewMenuItem(T("menu.save"), u.Save)
	save.Shortcut = sc(fyne.KeyS)
	cases := fyne.NewMenuItem(T("menu.cases"), func() {
		if u.sess != nil && u.sess.Can(vault.Core, false) {
			u.showCaseList()
		}
	})
	cases.Shortcut = sc(fyne.KeyK)
	lock := fyne.NewMenuItem(T("menu.lock"), u.Lock)
	lock.Shortcut = sc(fyne.KeyL)
	items := []*fyne.MenuItem{newCase, save, cases, lock}
	var steps []*fyne.MenuItem
	for i, st := range caseSteps {
		i := i
		it := fyne.NewMenuItem(T("step."+st.key), func() {
			if u.Screen() == "case" && u.openCase != nil {
				u.touch()
				u.openCase.Step(i)
			}
		})
		it.Shortcut = sc(fyne.KeyName(fmt.Sprint(i + 1)))
		steps = append(steps, it)
	}
	items = append(items, steps...)
	u.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(T("menu.terminal"), cases, newCase, save, fyne.NewMenuItemSeparator(), lock),
		fyne.NewMenu(T("menu.steps"), steps...),
	))
	for _, it := range items {
		action := it.Action
		u.win.Canvas().AddShortcut(it.Shortcut, func(fyne.Shortcut) { action() })
	}
}

// NewCase opens a new case (Ctrl+N) when the signed-in role works on cases.
func (u *UI) NewCase() {
	if u.sess != nil && u.sess.Can(vault.Core, true) {
		u.touch()
		u.showNewCase()
	}
}

// Save saves the case on show (Ctrl+S).
func (u *UI) Save() {
	if u.sess != nil && u.Screen() == "case" && u.openCase != nil {
		u.openCase.save()
	}
}

// Start shows the first-run screen when there is no vault, else the unlock screen.
func (u *UI) Start() {
	if u.term.NeedsSetup() {
		content, focus := newFirstRunScreen(u)
		u.show("firstrun", content)
		u.win.Canvas().Focus(focus)
		return
	}
	u.showUnlock()
}

func (u *UI) showUnlock() {
	content, focus := newUnlockScreen(u)
	u.show("unlock", content)
	u.win.Canvas().Focus(focus)
}

// Screen names the screen on show ("firstrun", "unlock", "cases", "case").
func (u *UI) Screen() string {
	s, _ := u.current.Load().(string)
	return s
}

// Session is the unlocked session, or nil.
func (u *UI) Session() *app.Session { return u.sess }

// show replaces the window content with a screen, under a DEMO banner when the vault is a demo.
func (u *UI) show(name string, content fyne.CanvasObject) {
	if name != "case" && u.openCase != nil {
		u.openCase.close()
		u.openCase = nil
	}
	content = container.NewBorder(u.idleWarn, nil, nil, nil, content)
	if u.term.Config().Demo {
		banner := canvas.NewText("DEMO — "+T("demo.banner"), theme.Color(theme.ColorNameError))
		banner.TextStyle.Bold = true
		banner.Alignment = fyne.TextAlignCenter
		content = container.NewBorder(banner, nil, nil, nil, content)
	}
	u.win.SetContent(content)
	u.current.Store(name)
}

// unlocked is called after a successful unlock or first run.
func (u *UI) unlocked(s *app.Session) {
	u.sess = s
	u.lockNotice = ""
	stop := make(chan struct{})
	u.stopTick = stop
	s.OnLock(func(r app.LockReason) {
		close(stop)
		uiDo(func() { u.afterLock(r) })
	})
	go u.tickIdle(s, stop)
	u.enrolPending()
	u.showHome()
}

// Lock ends the session now (the lock shortcut, Ctrl+L).
func (u *UI) Lock() {
	if u.sess != nil {
		u.sess.Lock(app.LockedByUser)
	}
}

// tickIdle shows the countdown before an idle lock; it ends when the session locks.
func (u *UI) tickIdle(s *app.Session, stop <-chan struct{}) {
	t := time.NewTicker(time.Second / 2)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			left := s.IdleRemaining()
			uiDo(func() {
				if left > 0 && left <= idleWarning {
					u.idleWarn.SetText(Tf("idle.warning", int(left.Round(time.Second)/time.Second)))
					u.idleWarn.Show()
				} else {
					u.idleWarn.Hide()
				}
			})
		}
	}
}

func (u *UI) afterLock(r app.LockReason) {
	u.stopSyncWorker()
	u.idleWarn.Hide()
	u.sess = nil
	if r == app.LockedIdle {
		u.lockNotice = T("unlock.idleLocked")
	}
	u.showUnlock()
}

// touch tells the session the user is active, pushing the idle lock back.
func (u *UI) touch() {
	if u.sess != nil {
		u.sess.Touch()
	}
}

// errorText is an error as the screen shows it: a sentence in the interface language saying
// what to do. The sentences live in app (app.Sentence, which finds forms', hardware's and
// app's own and maps vault's, sync's and the system's); an error nobody translated shows a
// general sentence with the time, and its Go text goes to the log under that time, so a
// technician can find it. The Go text never reaches the screen: it is English, and may carry
// paths, IDs and internals.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		return ie.text
	case errors.Is(err, errNoScanner):
		return T("bio.noScanner")
	case errors.Is(err, errNoCamera):
		return T("bio.noCamera")
	case errors.Is(err, errNoReader):
		return T("docread.noReader")
	}
	if s, ok := app.Sentence(err, Language()); ok {
		return s
	}
	return Tf("err.unexpected", app.LogUnexplained(err).Format("15:04:05"))
}

// inputError is an input the screen could not read, already worded in the interface
// language (a date that is not a date, a line of a list that does not parse).
type inputError struct{ text string }

func (e *inputError) Error() string { return e.text }

// inputErrorf makes an *inputError; format is a translated string.
func inputErrorf(format string, args ...any) error {
	return &inputError{text: fmt.Sprintf(format, args...)}
}

// errorLabel is a wrapping red label for messages beside fields.
func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

func setError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// showPreview opens a second window (the form preview) that closes with the session.
func (u *UI) showPreview(title string, content fyne.CanvasObject) {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	w := a.NewWindow(title)
	w.SetContent(content)
	w.Resize(fyne.NewSize(700, 900))
	if u.sess != nil {
		u.sess.OnLock(func(app.LockReason) { uiDo(w.Close) })
	}
	u.previewWin = w
	w.Show()
}
