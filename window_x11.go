//go:build linux || freebsd || openbsd || netbsd

package main

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
#include <stdlib.h>
#include <string.h>

// maximise asks the window manager (EWMH) to maximise the window both ways.
static void fs_maximise(unsigned long win) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return;
	XEvent e;
	memset(&e, 0, sizeof e);
	e.xclient.type = ClientMessage;
	e.xclient.window = (Window)win;
	e.xclient.message_type = XInternAtom(d, "_NET_WM_STATE", False);
	e.xclient.format = 32;
	e.xclient.data.l[0] = 1; // _NET_WM_STATE_ADD
	e.xclient.data.l[1] = XInternAtom(d, "_NET_WM_STATE_MAXIMIZED_VERT", False);
	e.xclient.data.l[2] = XInternAtom(d, "_NET_WM_STATE_MAXIMIZED_HORZ", False);
	e.xclient.data.l[3] = 1; // source: an application
	XSendEvent(d, DefaultRootWindow(d), False, SubstructureRedirectMask | SubstructureNotifyMask, &e);
	XFlush(d);
	XCloseDisplay(d);
}
*/
import "C"

import "fyne.io/fyne/v2/driver"

func nativeHandle(ctx any) uintptr {
	if x, ok := ctx.(driver.X11WindowContext); ok {
		return x.WindowHandle
	}
	return 0
}

func maximiseNative(h uintptr) { C.fs_maximise(C.ulong(h)) }
