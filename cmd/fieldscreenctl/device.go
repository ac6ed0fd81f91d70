package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

func init() {
	register(Command{Name: "device", Summary: "list | pair | unpair | test: capture devices and their pairing (technician)", Run: runDevice})
	register(Command{Name: "capture", Summary: "headless capture of a case's plan (or a plan from flags) on paired devices", Run: runCapture})
}

// deviceFlags selects the drivers a device command searches; they become the same
// app.DeviceOptions the desktop's Settings give, and discovery runs through app's registry.
type deviceFlags struct {
	drivers  string
	sbiPorts string
	serials  multiFlag
	simSeed  int64
	timeout  time.Duration
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (d *deviceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.drivers, "drivers", strings.Join(app.RealDrivers, ","),
		"drivers to search, comma separated; add "+app.SimDriver+" for the simulated devices (demonstration and training only)")
	fs.StringVar(&d.sbiPorts, "sbi-ports", app.DefaultSBIPorts, "SBI port range FROM-TO on 127.0.0.1")
	fs.Var(&d.serials, "serial", "document reader port PATH[:BAUD[:PARITY]] (repeatable), e.g. /dev/ttyUSB0:9600:N or COM3")
	fs.Int64Var(&d.simSeed, "sim-seed", 1, "synthetic person of the simulated devices")
	fs.DurationVar(&d.timeout, "timeout", 40*time.Second, "time allowed for one capture")
}

func (d *deviceFlags) options() (app.DeviceOptions, error) {
	o := app.DeviceOptions{SimSeed: d.simSeed, SBIPorts: d.sbiPorts, Serial: d.serials}
	for _, n := range strings.Split(d.drivers, ",") {
		if n = strings.TrimSpace(n); n != "" {
			o.Drivers = append(o.Drivers, n)
		}
	}
	if len(o.Drivers) == 0 {
		return o, usageError("--drivers is empty: name at least one of %s", strings.Join(app.RealDrivers, ", "))
	}
	if err := o.Validate(); err != nil {
		return o, usageError("%v", err)
	}
	return o, nil
}

// discover finds devices through app's registry; driver errors are reported on stderr, not
// fatal, because one broken service must not hide the other devices.
func (e *Env) discover(df *deviceFlags) ([]hardware.Device, func(), error) {
	opt, err := df.options()
	if err != nil {
		return nil, func() {}, err
	}
	reg := app.NewDeviceRegistry(func() app.DeviceOptions { return opt })
	devs, err := reg.Discover(context.Background())
	if err != nil {
		if errors.Is(err, app.ErrDeviceOption) {
			reg.Close()
			return nil, func() {}, usageError("%v", err)
		}
		fmt.Fprintf(e.Stderr, "fieldscreenctl device: some devices could not be read: %s\n", oneLine(err.Error()))
	}
	return devs, func() { reg.Close() }, nil
}

func findDevice(devs []hardware.Device, id string) (hardware.Device, error) {
	for _, d := range devs {
		if d.Identity().ID() == id {
			return d, nil
		}
	}
	return nil, &hardware.Error{Code: hardware.CodeNotFound, Device: id, Detail: "not attached: run fieldscreenctl device list"}
}

func runDevice(e *Env, args []string) error {
	sub, rest, err := subcommand("device", args, "list", "pair", "unpair", "test")
	if err != nil {
		return err
	}
	fs := newFlags("device " + sub)
	var df deviceFlags
	df.register(fs)
	asJSON := fs.Bool("json", false, "list: print JSON")
	yes := fs.Bool("yes", false, "pair: do not ask for confirmation")
	pos, err := parseMixed(fs, rest)
	if err != nil {
		return usageError("device %s: %v", sub, err)
	}
	switch sub {
	case "list":
		if len(pos) != 0 {
			return usageError("device list takes no arguments")
		}
		return e.deviceList(&df, *asJSON)
	case "unpair":
		if len(pos) != 1 {
			return usageError("usage: device unpair ID")
		}
		return e.withApp(func(s *app.Session) error {
			if err := s.UnpairDevice(pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "unpaired %s\n", pos[0])
			return nil
		})
	}
	if len(pos) != 1 {
		return usageError("usage: device %s ID", sub)
	}
	devs, done, err := e.discover(&df)
	if err != nil {
		return err
	}
	defer done()
	dev, err := findDevice(devs, pos[0])
	if err != nil {
		return err
	}
	if sub == "test" {
		_, _, err := e.testCapture(dev, df.timeout)
		return err
	}
	// pair: the technician sees the identity and a test capture first.
	printIdentity(e, dev.Identity())
	score, id, err := e.testCapture(dev, df.timeout)
	if err != nil {
		return fmt.Errorf("test capture failed, not paired: %w", err)
	}
	if !*yes {
		fmt.Fprint(e.Stdout, "pair this device? [y/N] ")
		line, _ := bufio.NewReader(e.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return &ExitError{Code: 1, Err: errors.New("not paired: not confirmed")}
		}
	}
	return e.withApp(func(s *app.Session) error {
		if err := s.PairDevice(id, score); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "paired %s\n", id.ID())
		return nil
	})
}

func printIdentity(e *Env, id hardware.Identity) {
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "id\t%s\ndriver\t%s\nkind\t%s\nmake\t%s\nmodel\t%s\nserial\t%s\nfirmware\t%s\ncertificate\t%s\n",
		id.ID(), id.Driver, id.Kind, id.Make, id.Model, id.Serial, id.Firmware, orNone(id.CertFingerprint))
	tw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// testCapture takes app's test capture and prints its outcome. It returns the score to pin
// (the lowest finger quality; -1 for faces and documents) and the identity the capture
// itself reported (for SBI the signed one), which is what pairing pins. It never prints
// document contents: an MRZ is personal data.
func (e *Env) testCapture(d hardware.Device, timeout time.Duration) (int, hardware.Identity, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r, err := app.TestDevice(ctx, d, time.Now())
	if err != nil {
		return -1, r.Identity, fmt.Errorf("%w (%s)", err, hardware.Sentence(err, "en"))
	}
	switch r.Target.Kind {
	case hardware.Document:
		valid := "check digits wrong"
		if r.MRZValid {
			valid = "check digits right"
		}
		fmt.Fprintf(e.Stdout, "test capture: document, %d MRZ lines of %d characters, %s\n", r.MRZLines, r.MRZLineLength, valid)
		return -1, r.Identity, nil
	case hardware.Face:
		fmt.Fprintf(e.Stdout, "test capture: face %dx%d, %d photo problems\n", r.ImageSize.X, r.ImageSize.Y, r.FaceProblems)
		return -1, r.Identity, nil
	}
	var parts []string
	for _, f := range r.Fingers {
		parts = append(parts, fmt.Sprintf("%s %d", hardware.FingerName(f.Finger), f.Score))
	}
	dev := "none"
	if r.DeviceScore >= 0 {
		dev = strconv.Itoa(r.DeviceScore)
	}
	fmt.Fprintf(e.Stdout, "test capture: %s, quality %d (%s), device score %s\n", r.Target, r.Score, strings.Join(parts, ", "), dev)
	return r.Score, r.Identity, nil
}

// deviceRow is one line of device list --json.
type deviceRow struct {
	ID              string `json:"id"`
	Driver          string `json:"driver"`
	Kind            string `json:"kind"`
	Make            string `json:"make"`
	Model           string `json:"model"`
	Serial          string `json:"serial"`
	Firmware        string `json:"firmware"`
	CertFingerprint string `json:"certFingerprint,omitempty"`
	Attached        bool   `json:"attached"`
	Paired          bool   `json:"paired"`
	// Pairing is "ok", "none" or "identity changed: FIELDS".
	Pairing string `json:"pairing"`
}

func (e *Env) deviceList(df *deviceFlags, asJSON bool) error {
	return e.withApp(func(s *app.Session) error {
		pairings, err := s.Pairings()
		if err != nil {
			return err
		}
		devs, done, err := e.discover(df)
		if err != nil {
			return err
		}
		defer done()
		rows := []deviceRow{}
		seen := map[string]bool{}
		for _, d := range devs {
			id := d.Identity()
			r := row(id, true)
			seen[r.ID] = true
			err := hardware.Check(pairings, id)
			var ic *hardware.IdentityChangedError
			switch {
			case err == nil:
				r.Paired, r.Pairing = true, "ok"
			case errors.As(err, &ic):
				r.Pairing = "identity changed: " + strings.Join(ic.Fields, ", ")
			default:
				r.Pairing = "none"
			}
			rows = append(rows, r)
		}
		for _, p := range pairings {
			if !seen[p.ID] {
				r := row(p.Identity, false)
				r.Paired, r.Pairing = true, "ok"
				rows = append(rows, r)
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
		if asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rows)
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tMAKE\tMODEL\tFIRMWARE\tATTACHED\tPAIRING")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", r.ID, r.Make, r.Model, r.Firmware, r.Attached, r.Pairing)
		}
		return tw.Flush()
	})
}

func row(id hardware.Identity, attached bool) deviceRow {
	return deviceRow{ID: id.ID(), Driver: id.Driver, Kind: string(id.Kind), Make: id.Make, Model: id.Model, Serial: id.Serial,
		Firmware: id.Firmware, CertFingerprint: id.CertFingerprint, Attached: attached}
}

// runCapture captures a case's plan (with --case; stored in the vault by the
// app layer) or a plan given by flags (written to --out as PNG files and
// result.json, for bench tests of devices).
func runCapture(e *Env, args []string) error {
	fs := newFlags("capture")
	var df deviceFlags
	df.register(fs)
	caseID := fs.String("case", "", "case ID: capture its plan and store the images in the vault")
	devID := fs.String("device", "", "fingerprint device ID (from device list)")
	faceID := fs.String("face-device", "", "face camera ID")
	slaps := fs.String("slaps", "", "without --case: slaps to take, e.g. right,left,thumbs")
	fingers := fs.String("fingers", "", "without --case: single fingers 1-10, e.g. 2,7")
	var exc multiFlag
	fs.Var(&exc, "exception", "without --case: FINGER=STATUS (amputated, temporarily-unusable, unprintable, refused), repeatable")
	threshold := fs.Int("threshold", app.CaptureThreshold, "without --case: capture quality wanted 0-100")
	retries := fs.Int("retries", app.CaptureRetries, "without --case: extra attempts below threshold")
	face := fs.Bool("face", false, "without --case: take a face photo")
	out := fs.String("out", "", "without --case: directory for the PNG images and result.json")
	pos, err := parseMixed(fs, args)
	if err != nil || len(pos) != 0 {
		return usageError("usage: capture (--case ID | --slaps/--fingers/--face --out DIR) --device ID [--face-device ID]")
	}
	devs, done, err := e.discover(&df)
	if err != nil {
		return err
	}
	defer done()
	var fingerDev, faceDev hardware.Device
	if *devID != "" {
		if fingerDev, err = findDevice(devs, *devID); err != nil {
			return err
		}
	}
	if *faceID != "" {
		if faceDev, err = findDevice(devs, *faceID); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*df.timeout)
	defer cancel()
	events := func(ev hardware.Event) {
		if ev.Stage == hardware.StageDone {
			status := fmt.Sprintf("lowest quality %d", ev.Score)
			if ev.Err != nil {
				status = hardware.Sentence(ev.Err, "en")
			}
			fmt.Fprintf(e.Stderr, "capture %s attempt %d: %s\n", ev.Target, ev.Attempt, status)
		}
	}
	if *caseID != "" {
		return e.withApp(func(s *app.Session) error {
			res, err := s.CaptureBiometrics(ctx, vault.CaseID(*caseID), fingerDev, faceDev, events)
			if res != nil {
				printResult(e, res)
			}
			return err
		})
	}
	if *out == "" {
		return usageError("capture without --case needs --out DIR")
	}
	plan, err := flagPlan(*slaps, *fingers, exc, *threshold, *retries, *face)
	if err != nil {
		return err
	}
	return e.withApp(func(s *app.Session) error {
		pairings, err := s.Pairings()
		if err != nil {
			return err
		}
		sess := hardware.Session{Fingers: fingerDev, Face: faceDev, Pairings: pairings, Events: events}
		res, err := sess.Run(ctx, plan)
		if res != nil {
			printResult(e, res)
			if werr := writeResult(*out, res); werr != nil && err == nil {
				err = werr
			}
		}
		return err
	})
}

func flagPlan(slaps, fingers string, exc []string, threshold, retries int, face bool) (hardware.Plan, error) {
	p := hardware.Plan{Threshold: threshold, Retries: retries, Face: face, Exceptions: map[int]hardware.FingerStatus{}}
	for _, s := range strings.Split(slaps, ",") {
		switch strings.TrimSpace(s) {
		case "right":
			p.Slaps = append(p.Slaps, hardware.RightFour)
		case "left":
			p.Slaps = append(p.Slaps, hardware.LeftFour)
		case "thumbs":
			p.Slaps = append(p.Slaps, hardware.Thumbs)
		case "":
		default:
			return p, usageError("--slaps %q: want right, left, thumbs", s)
		}
	}
	for _, f := range strings.Split(fingers, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return p, usageError("--fingers %q: not a number", f)
		}
		p.Fingers = append(p.Fingers, n)
	}
	for _, x := range exc {
		f, st, ok := strings.Cut(x, "=")
		n, err := strconv.Atoi(f)
		if !ok || err != nil {
			return p, usageError("--exception %q: want FINGER=STATUS", x)
		}
		p.Exceptions[n] = hardware.FingerStatus(st)
	}
	if err := p.Validate(); err != nil {
		return p, usageError("%v", err)
	}
	if len(p.Slaps)+len(p.Fingers) == 0 && !p.Face {
		return p, usageError("empty plan: give --slaps, --fingers or --face")
	}
	return p, nil
}

func printResult(e *Env, r *hardware.Result) {
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FINGER\tSTATUS\tQUALITY\tATTEMPTS\tREASON")
	for _, f := range r.Fingers {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", hardware.FingerName(f.Finger), f.Status, f.Quality, f.Attempts, f.Reason)
	}
	if r.Face != nil {
		fmt.Fprintf(tw, "face\tcaptured\t-\t%d\t%s\n", r.Face.Attempts, r.Face.Reason)
	}
	tw.Flush()
}

// writeResult writes finger-NN.png, face.png and result.json (without image bytes).
func writeResult(dir string, r *hardware.Result) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	meta := *r
	meta.Fingers = nil
	for _, f := range r.Fingers {
		if f.PNG != nil {
			if _, err := png.DecodeConfig(strings.NewReader(string(f.PNG))); err != nil {
				return fmt.Errorf("finger %d: %w", f.Finger, err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("finger-%02d.png", f.Finger)), f.PNG, 0o600); err != nil {
				return err
			}
		}
		f.PNG = nil
		meta.Fingers = append(meta.Fingers, f)
	}
	if r.Face != nil {
		if err := os.WriteFile(filepath.Join(dir, "face.png"), r.Face.PNG, 0o600); err != nil {
			return err
		}
		fc := *r.Face
		fc.PNG = nil
		meta.Face = &fc
	}
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "result.json"), append(b, '\n'), 0o600)
}
