//go:build fprint && cgo

package fprint

/*
#cgo pkg-config: libfprint-2
#include <stdlib.h>
#include <string.h>
#include <fprint.h>

static GPtrArray *fs_devices(FpContext *ctx) { return fp_context_get_devices(ctx); }
static guint fs_len(GPtrArray *a) { return a->len; }
static FpDevice *fs_at(GPtrArray *a, guint i) { return FP_DEVICE(g_ptr_array_index(a, i)); }
static int fs_can_capture(FpDevice *d) { return fp_device_has_feature(d, FP_DEVICE_FEATURE_CAPTURE); }
static int fs_err_domain(GError *e) {
	if (e == NULL) return 0;
	if (e->domain == FP_DEVICE_ERROR) return 1;
	if (e->domain == FP_DEVICE_RETRY) return 2;
	if (e->domain == G_IO_ERROR) return 3;
	return 4;
}
static int fs_err_code(GError *e) { return e ? e->code : 0; }
static const char *fs_err_msg(GError *e) { return e ? e->message : ""; }
static int fs_cancelled(GError *e) { return e && e->domain == G_IO_ERROR && e->code == G_IO_ERROR_CANCELLED; }
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"image"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// Driver owns the libfprint context and the one thread that talks to it.
type Driver struct {
	cmds chan func()
	done chan struct{}
	ctx  *C.FpContext

	mu   sync.Mutex
	devs map[string]*Device
}

// New starts the libfprint thread and creates the context. Environment
// variables such as FP_VIRTUAL_IMAGE must be set before.
func New() (*Driver, error) {
	d := &Driver{cmds: make(chan func()), done: make(chan struct{}), devs: map[string]*Device{}}
	ready := make(chan struct{})
	go d.loop(ready)
	<-ready
	if d.ctx == nil {
		close(d.cmds)
		return nil, errors.New("libfprint: fp_context_new failed")
	}
	return d, nil
}

func (d *Driver) loop(ready chan struct{}) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(d.done)
	d.ctx = C.fp_context_new()
	close(ready)
	if d.ctx == nil {
		return
	}
	for f := range d.cmds {
		f()
	}
	C.g_object_unref(C.gpointer(d.ctx))
}

// do runs f on the libfprint thread and waits for it.
func (d *Driver) do(f func()) {
	ch := make(chan struct{})
	d.cmds <- func() { f(); close(ch) }
	<-ch
}

// Name is "fprint".
func (d *Driver) Name() string { return "fprint" }

// Close closes every opened reader and stops the libfprint thread.
func (d *Driver) Close() error {
	d.mu.Lock()
	devs := d.devs
	d.devs = map[string]*Device{}
	d.mu.Unlock()
	for _, dv := range devs {
		dv.Close()
	}
	close(d.cmds)
	<-d.done
	return nil
}

// Discover enumerates readers that can capture images.
func (d *Driver) Discover(ctx context.Context) ([]hardware.Device, error) {
	var out []hardware.Device
	var skipped []string
	d.do(func() {
		C.fp_context_enumerate(d.ctx)
		arr := C.fs_devices(d.ctx)
		for i := C.guint(0); i < C.fs_len(arr); i++ {
			dev := C.fs_at(arr, i)
			id := hardware.Identity{Driver: "fprint", Kind: hardware.Finger,
				Make:     C.GoString(C.fp_device_get_name(dev)),
				Model:    C.GoString(C.fp_device_get_driver(dev)),
				Serial:   C.GoString(C.fp_device_get_device_id(dev)),
				Firmware: "libfprint-2"}
			if C.fs_can_capture(dev) == 0 {
				skipped = append(skipped, id.Make)
				continue
			}
			d.mu.Lock()
			dv, ok := d.devs[id.ID()]
			if !ok {
				C.g_object_ref(C.gpointer(dev))
				dv = &Device{drv: d, dev: dev, ident: id}
				d.devs[id.ID()] = dv
			}
			d.mu.Unlock()
			out = append(out, dv)
		}
	})
	if len(skipped) > 0 {
		return out, hardware.Errorf(hardware.CodeUnsupported, "", "readers without image capture (match-on-chip): %v", skipped)
	}
	return out, nil
}

// Device is one libfprint reader.
type Device struct {
	drv   *Driver
	dev   *C.FpDevice
	ident hardware.Identity
	busy  hardware.Guard

	mu     sync.Mutex
	opened bool
	closed bool
}

// Identity: libfprint gives the reader's name, driver and device ID (USB path), no serial number.
func (d *Device) Identity() hardware.Identity { return d.ident }

// Supports single fingers (libfprint readers are single-finger sensors).
func (d *Device) Supports(t hardware.Target) bool {
	return t.Kind == hardware.Finger && t.Slap == hardware.NoSlap && t.Validate() == nil
}

// Preview is not offered by libfprint.
func (d *Device) Preview(ctx context.Context, t hardware.Target) (<-chan hardware.Frame, error) {
	return nil, hardware.Errorf(hardware.CodeUnsupported, d.ident.ID(), "libfprint readers have no preview")
}

func gerror(e *C.GError, id string) error {
	if e == nil {
		return nil
	}
	defer C.g_error_free(e)
	msg := C.GoString(C.fs_err_msg(e))
	code := int(C.fs_err_code(e))
	switch C.fs_err_domain(e) {
	case 1: // FpDeviceError
		switch code {
		case C.FP_DEVICE_ERROR_BUSY:
			return hardware.Errorf(hardware.CodeBusy, id, "libfprint: %s", msg)
		case C.FP_DEVICE_ERROR_NOT_SUPPORTED:
			return hardware.Errorf(hardware.CodeUnsupported, id, "libfprint: %s", msg)
		case C.FP_DEVICE_ERROR_REMOVED, C.FP_DEVICE_ERROR_NOT_OPEN:
			return hardware.Errorf(hardware.CodeNotFound, id, "libfprint: %s", msg)
		case C.FP_DEVICE_ERROR_PROTO:
			return hardware.Errorf(hardware.CodeProtocol, id, "libfprint: %s", msg)
		}
		return hardware.Errorf(hardware.CodeCaptureFailed, id, "libfprint: %s", msg)
	case 2: // FpDeviceRetry: the finger was too short, off-centre, ...
		return hardware.Errorf(hardware.CodeCaptureFailed, id, "libfprint asks to retry: %s", msg)
	}
	return hardware.Errorf(hardware.CodeCaptureFailed, id, "libfprint: %s", msg)
}

// open opens the reader once (on the libfprint thread).
func (d *Device) open() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return hardware.Errorf(hardware.CodeNotFound, d.ident.ID(), "reader was closed")
	}
	if d.opened {
		return nil
	}
	var err error
	d.drv.do(func() {
		var ge *C.GError
		if C.fp_device_open_sync(d.dev, nil, &ge) == 0 {
			err = gerror(ge, d.ident.ID())
		}
	})
	if err == nil {
		d.opened = true
	}
	return err
}

// Capture waits for a finger and returns the raw 8-bit image. Cancellation
// goes through a GCancellable, which libfprint checks while it waits.
func (d *Device) Capture(ctx context.Context, req hardware.Request) (*hardware.Capture, error) {
	id := d.ident.ID()
	release, err := d.busy.Begin(d, req.Target)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := d.open(); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, hardware.ContextError(ctx, id)
	}
	canc := C.g_cancellable_new()
	defer C.g_object_unref(C.gpointer(canc))
	stop := context.AfterFunc(ctx, func() { C.g_cancellable_cancel(canc) }) // thread-safe in GLib
	defer stop()
	req.Report(hardware.StageWaiting)
	var img *image.Gray
	var ppmm float64
	d.drv.do(func() {
		var ge *C.GError
		fi := C.fp_device_capture_sync(d.dev, C.TRUE, canc, &ge)
		if fi == nil {
			if C.fs_cancelled(ge) != 0 {
				C.g_error_free(ge)
				err = context.Canceled
				return
			}
			err = gerror(ge, id)
			return
		}
		defer C.g_object_unref(C.gpointer(fi))
		w, h := int(C.fp_image_get_width(fi)), int(C.fp_image_get_height(fi))
		var n C.gsize
		data := C.fp_image_get_data(fi, &n)
		if w <= 0 || h <= 0 || int(n) != w*h {
			err = hardware.Errorf(hardware.CodeProtocol, id, "libfprint image %dx%d with %d bytes", w, h, int(n))
			return
		}
		img = image.NewGray(image.Rect(0, 0, w, h))
		copy(img.Pix, unsafe.Slice((*byte)(unsafe.Pointer(data)), int(n)))
		ppmm = float64(C.fp_image_get_ppmm(fi))
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, hardware.ContextError(ctx, id)
		}
		return nil, err
	}
	// libfprint reports pixels per mm; the virtual reader says 0: assume 500 ppi.
	ppi := int(ppmm*25.4 + 0.5)
	if ppi < 100 {
		ppi = 500
	}
	req.Report(hardware.StageDone)
	return &hardware.Capture{Target: req.Target, Image: img, PPI: ppi, DeviceScore: -1, Device: d.ident, At: time.Now().UTC()}, nil
}

// Close closes the reader (Driver.Close closes all of them).
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	var err error
	d.drv.do(func() {
		if d.opened {
			var ge *C.GError
			if C.fp_device_close_sync(d.dev, nil, &ge) == 0 {
				err = gerror(ge, d.ident.ID())
			}
		}
		C.g_object_unref(C.gpointer(d.dev))
	})
	d.drv.mu.Lock()
	delete(d.drv.devs, d.ident.ID())
	d.drv.mu.Unlock()
	if err != nil {
		return fmt.Errorf("close %s: %w", d.ident.ID(), err)
	}
	return nil
}

var _ hardware.Device = (*Device)(nil)
