//go:build fprint && cgo

package fprint

import (
	"context"
	"encoding/binary"
	"image"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/synth"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/hwtest"
)

var (
	drv  *Driver
	sock string
)

// TestMain points libfprint's virtual image reader at a socket in a temp dir
// (FP_VIRTUAL_IMAGE must be set before the context is created).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fprint")
	if err != nil {
		panic(err)
	}
	sock = filepath.Join(dir, "virtual-image.sock")
	os.Setenv("FP_VIRTUAL_IMAGE", sock)
	drv, err = New()
	if err != nil {
		panic(err)
	}
	code := m.Run()
	drv.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

func virtualReader(t *testing.T) *Device {
	t.Helper()
	devs, err := drv.Discover(context.Background())
	if err != nil {
		t.Logf("discover: %v", err)
	}
	for _, d := range devs {
		if d.Identity().Model == "virtual_image" {
			return d.(*Device)
		}
	}
	t.Fatalf("libfprint's virtual_image reader not found among %d readers (is libfprint-2-dev installed and FP_VIRTUAL_IMAGE honoured?)", len(devs))
	return nil
}

// sendImage plays the finger: it connects to the virtual reader's socket
// (created when the reader opens) and writes width, height and the pixels.
func sendImage(img *image.Gray, stop <-chan struct{}) error {
	var c net.Conn
	var err error
	for i := 0; i < 500; i++ {
		if c, err = net.Dial("unix", sock); err == nil {
			break
		}
		select {
		case <-stop:
			return nil
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err != nil {
		return err
	}
	defer c.Close()
	hdr := make([]byte, 8)
	binary.NativeEndian.PutUint32(hdr[0:], uint32(img.Rect.Dx()))
	binary.NativeEndian.PutUint32(hdr[4:], uint32(img.Rect.Dy()))
	if _, err := c.Write(hdr); err != nil {
		return err
	}
	_, err = c.Write(img.Pix)
	// Keep the connection until the reader has read it all.
	time.Sleep(200 * time.Millisecond)
	return err
}

func TestVirtualReaderReturnsTheSentPrintUnchanged(t *testing.T) {
	d := virtualReader(t)
	defer d.Close()
	print := synth.Finger(11, 2, synth.Options{})
	stop := make(chan struct{})
	defer close(stop)
	errc := make(chan error, 1)
	go func() { errc <- sendImage(print, stop) }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := d.Capture(ctx, hardware.Request{Target: hardware.Target{Kind: hardware.Finger, Finger: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("send: %v", err)
	}
	got := c.Image.(*image.Gray)
	if got.Rect != print.Rect || string(got.Pix) != string(print.Pix) {
		t.Fatalf("captured %v differs from the %v print sent in", got.Rect, print.Rect)
	}
	if c.PPI != 500 || c.Device.Driver != "fprint" {
		t.Errorf("ppi %d device %+v", c.PPI, c.Device)
	}
}

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	quiet := map[hardware.Device]bool{}
	slap := hardware.Target{Kind: hardware.Finger, Slap: hardware.RightFour}
	hwtest.Run(t, hwtest.Harness{
		Open: func(t *testing.T) hardware.Device {
			d := virtualReader(t)
			stop := make(chan struct{})
			t.Cleanup(func() { close(stop) })
			go func() {
				time.Sleep(50 * time.Millisecond)
				mu.Lock()
				q := quiet[d]
				mu.Unlock()
				if !q {
					sendImage(synth.Finger(3, 1, synth.Options{}), stop)
				}
			}()
			return d
		},
		Target:      hardware.Target{Kind: hardware.Finger, Finger: 1},
		Unsupported: &slap,
		Slow: func(t *testing.T, d hardware.Device, _ time.Duration) {
			mu.Lock()
			quiet[d] = true
			mu.Unlock()
		},
	})
}
