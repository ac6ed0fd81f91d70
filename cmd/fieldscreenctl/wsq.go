package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // encode accepts JPEG captures as well as PNG
	"image/png"
	"os"
	"path/filepath"

	"github.com/fieldscreen/fieldscreen/biometrics/wsq"
)

// The wsq group converts fingerprint images between WSQ and PNG for technicians checking a
// scanner's output or preparing test files; it needs no vault.
func init() {
	register(Command{Name: "wsq", Summary: "WSQ fingerprint images: decode IN.wsq OUT.png | encode IN.png OUT.wsq [--bitrate 0.75] [--ppi 500]", Run: runWSQ})
}

func runWSQ(e *Env, args []string) error {
	sub, rest, err := subcommand("wsq", args, "decode", "encode")
	if err != nil {
		return err
	}
	fs := newFlags("wsq " + sub)
	bitrate := wsq.DefaultBitrate
	ppi := wsq.SpecPPI
	if sub == "encode" {
		fs.Float64Var(&bitrate, "bitrate", wsq.DefaultBitrate, "target bits per pixel")
		fs.IntVar(&ppi, "ppi", wsq.SpecPPI, "scan resolution of the input (WSQ needs 500)")
	}
	pos, err := parseMixed(fs, rest)
	if err != nil {
		return usageError("%v", err)
	}
	if len(pos) != 2 {
		if sub == "decode" {
			return usageError("usage: wsq decode IN.wsq OUT.png")
		}
		return usageError("usage: wsq encode IN.png OUT.wsq [--bitrate 0.75] [--ppi 500]")
	}
	if sub == "encode" && !(bitrate > 0 && bitrate <= wsq.MaxBitrate) {
		return usageError("--bitrate %v: want bits per pixel above 0 and at most %v (FBI: %v)", bitrate, wsq.MaxBitrate, wsq.DefaultBitrate)
	}
	if sub == "decode" {
		return wsqDecode(e, pos[0], pos[1])
	}
	return wsqEncode(e, pos[0], pos[1], bitrate, ppi)
}

func wsqDecode(e *Env, in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	info, err := wsq.DecodeInfo(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("decode %s: %w", filepath.Base(in), err)
	}
	img, err := wsq.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("decode %s: %w", filepath.Base(in), err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(out), err)
	}
	if err := wsqWriteFile(out, buf.Bytes()); err != nil {
		return err
	}
	ppi := "ppi unknown"
	if info.PPI > 0 {
		ppi = fmt.Sprintf("%d ppi", info.PPI)
	}
	fmt.Fprintf(e.Stdout, "%s: %d×%d, %s, %d bytes WSQ (%.3f bits per pixel) -> %s\n",
		filepath.Base(in), info.Width, info.Height, ppi, len(data), wsqBPP(len(data), info.Width, info.Height), out)
	return nil
}

func wsqEncode(e *Env, in, out string, bitrate float64, ppi int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("read %s: %w (want a PNG or JPEG image)", filepath.Base(in), err)
	}
	var buf bytes.Buffer
	err = wsq.Encode(&buf, img, &wsq.Options{Bitrate: bitrate, PPI: ppi})
	if errors.Is(err, wsq.ErrResolution) {
		return usageError("encode %s: %v", filepath.Base(in), err)
	}
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(in), err)
	}
	if err := wsqWriteFile(out, buf.Bytes()); err != nil {
		return err
	}
	b := img.Bounds()
	fmt.Fprintf(e.Stdout, "%s: %d×%d, %d bytes WSQ (%.3f bits per pixel, target %.2f; not FBI-certified, keep %s) -> %s\n",
		filepath.Base(in), b.Dx(), b.Dy(), buf.Len(), wsqBPP(buf.Len(), b.Dx(), b.Dy()), bitrate, filepath.Base(in), out)
	return nil
}

func wsqBPP(size, w, h int) float64 {
	if w*h == 0 {
		return 0
	}
	return 8 * float64(size) / float64(w*h)
}

// wsqWriteFile writes through a temporary file in the same folder, so a failed command
// never leaves a half-written image behind under the final name.
func wsqWriteFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wsq-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
