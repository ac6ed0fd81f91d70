//go:build windows

package main

import (
	"golang.org/x/sys/windows"

	"fyne.io/fyne/v2/driver"
)

var showWindow = windows.NewLazySystemDLL("user32.dll").NewProc("ShowWindow")

const swMaximize = 3

func nativeHandle(ctx any) uintptr {
	if w, ok := ctx.(driver.WindowsWindowContext); ok {
		return w.HWND
	}
	return 0
}

func maximiseNative(h uintptr) { showWindow.Call(h, swMaximize) }
