package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// busy runs work off the UI goroutine, showing an infinite progress bar and disabling the
// button meanwhile, then hands the result to done on the UI goroutine. Key derivation
// (about half a second by design) and other slow steps go through it so the window never
// freezes.
func busy(bar *widget.ProgressBarInfinite, btn *widget.Button, work func() error, done func(error)) {
	btn.Disable()
	bar.Show()
	bar.Start()
	var err error
	runAsync(func() { err = work() }, func() {
		bar.Stop()
		bar.Hide()
		btn.Enable()
		done(err)
	})
}

// runAsync runs work on its own goroutine and then done on the UI goroutine. Tests replace
// it with a synchronous version: Fyne's test driver runs fyne.Do on the calling goroutine,
// which would otherwise race with the test reading the widgets.
var runAsync = func(work, done func()) {
	go func() {
		work()
		uiDo(done)
	}()
}

// uiDo hands a function to the UI goroutine (fyne.Do); tests serialise it with their reads.
var uiDo = fyne.Do

func newBusyBar() *widget.ProgressBarInfinite {
	b := widget.NewProgressBarInfinite()
	b.Stop()
	b.Hide()
	return b
}
