//go:build !windows && !linux && !freebsd && !openbsd && !netbsd

package main

// nativeHandle: on other systems the window keeps the work area's size (set by placement)
// without asking for the maximised state.
func nativeHandle(ctx any) uintptr { return 1 }

func maximiseNative(h uintptr) {}
