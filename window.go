package main

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/fieldscreen/fieldscreen/app"
)

// placement opens the window at the size remembered in the settings, or maximised on the
// screen it opens on (a laptop's screen is small: every pixel is the officer's), and works
// out on closing what to remember.
type placement struct {
	w    fyne.Window
	work fyne.Size // the primary monitor's work area (without task bars), in Fyne units
}

// place sizes w before it is shown and maximises it once the desktop has mapped it.
func place(w fyne.Window, cfg app.Config) *placement {
	p := &placement{w: w}
	if cfg.WindowWidth > 0 && cfg.WindowHeight > 0 {
		w.Resize(fyne.NewSize(cfg.WindowWidth, cfg.WindowHeight))
		return p
	}
	w.Resize(fyne.NewSize(1100, 720)) // until the screen's size is known
	go func() {
		// the native window exists only once the driver has created it after Show
		for i := 0; i < 40; i++ {
			time.Sleep(50 * time.Millisecond)
			done := make(chan bool, 1)
			fyne.Do(func() { done <- p.maximise() })
			if <-done {
				return
			}
		}
	}()
	return p
}

// maximise runs on the main thread: it sizes the window to the work area (which is all a
// desktop without a window manager does) and asks the window manager to maximise it.
// It reports false while the native window does not exist yet.
func (p *placement) maximise() bool {
	nw, ok := p.w.(driver.NativeWindow)
	if !ok {
		return true // not a desktop window (tests): nothing to do
	}
	var handle uintptr
	nw.RunNative(func(ctx any) {
		if handle = nativeHandle(ctx); handle == 0 {
			return
		}
		if mon := glfw.GetPrimaryMonitor(); mon != nil {
			_, _, wpx, hpx := mon.GetWorkarea()
			if s := p.w.Canvas().Scale(); s > 0 && wpx > 0 && hpx > 0 {
				p.work = fyne.NewSize(float32(wpx)/s, float32(hpx)/s)
			}
		}
	})
	if handle == 0 {
		return false
	}
	if p.work.Width > 0 {
		p.w.Resize(p.work) // first: a maximised window ignores later resizes
	}
	nw.RunNative(func(any) { maximiseNative(handle) })
	return true
}

// remember is the size to store on closing (app.WindowSizeToRemember).
func (p *placement) remember() (w, h float32) {
	s := p.w.Canvas().Size()
	return app.WindowSizeToRemember(s.Width, s.Height, p.work.Width, p.work.Height)
}
