//go:build linux

// Package camera is the driver for V4L2 webcams used as face cameras (through
// github.com/blackjack/webcam, pure Go ioctls). It picks a YUYV or MJPEG
// format, lets auto-exposure settle, and converts frames to images.
//
// No camera exists on the CI machines: the frame conversion is unit-tested,
// the device code is not exercised there (see docs/devices.md).
package camera

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"sort"
	"time"

	"github.com/blackjack/webcam"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// V4L2 pixel formats (fourcc).
const (
	fmtYUYV  = webcam.PixelFormat('Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24)
	fmtMJPEG = webcam.PixelFormat('M' | 'J'<<8 | 'P'<<16 | 'G'<<24)
)

// Driver finds V4L2 capture devices under /dev/video*.
type Driver struct {
	Glob string // default /dev/video*
	// MaxWidth caps the chosen frame size (default 1920): larger frames cost
	// time and ICAO checks need about 640 px of face width at most.
	MaxWidth uint32
	// Warmup frames are dropped before a capture, for auto-exposure (default 5).
	Warmup int
}

// Supported is true where V4L2 exists (Linux); elsewhere Discover finds nothing.
const Supported = true

// Name is "camera".
func (Driver) Name() string { return "camera" }

// Discover opens each video node and keeps those that can stream YUYV or MJPEG.
func (d Driver) Discover(ctx context.Context) ([]hardware.Device, error) {
	glob := d.Glob
	if glob == "" {
		glob = "/dev/video*"
	}
	paths, err := filepath.Glob(glob)
	if err != nil {
		return nil, err
	}
	var out []hardware.Device
	var errs []error
	for _, p := range paths {
		dev, err := d.Open(p)
		if err != nil {
			if !errors.Is(err, hardware.ErrUnsupported) {
				errs = append(errs, err)
			}
			continue
		}
		out = append(out, dev)
	}
	return out, errors.Join(errs...)
}

// Device is one webcam.
type Device struct {
	path   string
	cam    *webcam.Webcam
	format webcam.PixelFormat
	w, h   int
	warmup int
	ident  hardware.Identity
	busy   hardware.Guard
}

// Open opens a video node and chooses its format.
func (d Driver) Open(path string) (*Device, error) {
	id := "camera:" + filepath.Base(path)
	cam, err := webcam.Open(path)
	if err != nil {
		return nil, hardware.Errorf(hardware.CodeNotFound, id, "open %s: %w", path, err)
	}
	maxW := d.MaxWidth
	if maxW == 0 {
		maxW = 1920
	}
	formats := cam.GetSupportedFormats()
	var pick webcam.PixelFormat
	for _, f := range []webcam.PixelFormat{fmtMJPEG, fmtYUYV} {
		if _, ok := formats[f]; ok {
			pick = f
			break
		}
	}
	if pick == 0 {
		cam.Close()
		return nil, hardware.Errorf(hardware.CodeUnsupported, id, "%s offers neither YUYV nor MJPEG", path)
	}
	sizes := cam.GetSupportedFrameSizes(pick)
	sort.Slice(sizes, func(i, j int) bool { return sizes[i].MaxWidth > sizes[j].MaxWidth })
	var w, h uint32 = 640, 480
	for _, s := range sizes {
		if s.MaxWidth <= maxW {
			w, h = s.MaxWidth, s.MaxHeight
			break
		}
	}
	got, gw, gh, err := cam.SetImageFormat(pick, w, h)
	if err != nil {
		cam.Close()
		return nil, hardware.Errorf(hardware.CodeNotReady, id, "set format on %s: %w", path, err)
	}
	name, _ := cam.GetName()
	bus, _ := cam.GetBusInfo()
	warm := d.Warmup
	if warm == 0 {
		warm = 5
	}
	return &Device{path: path, cam: cam, format: got, w: int(gw), h: int(gh), warmup: warm,
		ident: hardware.Identity{Driver: "camera", Kind: hardware.Face, Make: orUnknown(name), Model: orUnknown(name),
			Serial: orUnknown(bus + "-" + filepath.Base(path)), Firmware: "v4l2"}}, nil
}

func orUnknown(s string) string {
	if s == "" || s == "-" {
		return "unknown"
	}
	return s
}

// Identity: V4L2 gives the card name and bus; webcams rarely have serials.
func (d *Device) Identity() hardware.Identity { return d.ident }

// Supports faces, and documents as a colour frame of the page held under the camera (the
// Eurodac scan of the data page; a camera reads no MRZ).
func (d *Device) Supports(t hardware.Target) bool {
	return t.Kind == hardware.Face || t.Kind == hardware.Document
}

// Close releases the camera.
func (d *Device) Close() error { return d.cam.Close() }

func (d *Device) convert(frame []byte) (image.Image, error) {
	if d.format == fmtYUYV {
		return YUYVToImage(frame, d.w, d.h)
	}
	return MJPEGToImage(frame)
}

// frames streams converted frames to fn until fn returns false or ctx ends.
func (d *Device) frames(ctx context.Context, fn func(image.Image) bool) error {
	id := d.ident.ID()
	if err := d.cam.StartStreaming(); err != nil {
		return hardware.Errorf(hardware.CodeNotReady, id, "start streaming: %w", err)
	}
	defer d.cam.StopStreaming()
	for {
		if ctx.Err() != nil {
			return hardware.ContextError(ctx, id)
		}
		err := d.cam.WaitForFrame(100) // ms; short so ctx is honoured
		var to *webcam.Timeout
		if errors.As(err, &to) {
			continue
		}
		if err != nil {
			return hardware.Errorf(hardware.CodeNotFound, id, "wait for frame: %w", err)
		}
		buf, err := d.cam.ReadFrame()
		if err != nil {
			return hardware.Errorf(hardware.CodeNotFound, id, "read frame: %w", err)
		}
		if len(buf) == 0 {
			continue
		}
		img, err := d.convert(buf)
		if err != nil {
			return hardware.Errorf(hardware.CodeProtocol, id, "%w", err)
		}
		if !fn(img) {
			return nil
		}
	}
}

// Capture drops the warm-up frames and returns the next one.
func (d *Device) Capture(ctx context.Context, req hardware.Request) (*hardware.Capture, error) {
	release, err := d.busy.Begin(d, req.Target)
	if err != nil {
		return nil, err
	}
	defer release()
	req.Report(hardware.StageCapturing)
	var got image.Image
	n := 0
	err = d.frames(ctx, func(img image.Image) bool {
		n++
		got = img
		return n <= d.warmup
	})
	if err != nil {
		return nil, err
	}
	req.Report(hardware.StageDone)
	return &hardware.Capture{Target: req.Target, Image: got, DeviceScore: -1, Device: d.ident, At: time.Now().UTC()}, nil
}

// Preview streams frames until ctx ends; it holds the camera like a capture.
func (d *Device) Preview(ctx context.Context, t hardware.Target) (<-chan hardware.Frame, error) {
	if !d.Supports(t) {
		return nil, hardware.Errorf(hardware.CodeUnsupported, d.ident.ID(), "no preview for %s", t)
	}
	release, err := d.busy.Begin(d, t)
	if err != nil {
		return nil, err
	}
	ch := make(chan hardware.Frame, 1)
	go func() {
		defer release()
		defer close(ch)
		seq := 0
		d.frames(ctx, func(img image.Image) bool {
			seq++
			select {
			case ch <- hardware.Frame{Image: img, Seq: seq, At: time.Now()}:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	return ch, nil
}

var _ hardware.Device = (*Device)(nil)
