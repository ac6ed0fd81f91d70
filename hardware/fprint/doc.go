// Package fprint is the driver for fingerprint readers supported by
// libfprint-2 (DigitalPersona U.are.U, AuthenTec, Upek, Validity and other
// single-finger image sensors): it lists readers and captures raw images.
//
// It needs cgo and the Debian packages libfprint-2-dev and libglib2.0-dev,
// so the real driver is built only with the build tag "fprint"; without the
// tag, New reports that the driver was not built in. All libfprint calls run
// on one locked OS thread (capture iterates GLib's default main context,
// which belongs to one thread), fed through a command channel.
//
// Match-on-chip readers (Synaptics, Goodix MoC, ...) never return images and
// are listed as unsupported. libfprint has no slap or ten-print scanners.
package fprint
