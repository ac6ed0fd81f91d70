package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	"github.com/fieldscreen/fieldscreen/vault"
)

func init() {
	register(Command{Name: "demo", Summary: "seed --cases N [--seed S] [--technician NAME]: synthetic complete screenings, captured on the simulated devices and queued", Run: runDemo})
}

// demoUsage is the whole story of demo seed, printed on a usage error: who acts, and how
// the simulated devices get paired (capture refuses unpaired devices, and only a
// technician may pair).
var demoUsage = `usage: fieldscreenctl --user OFFICER demo seed --cases N [--seed S] [--technician NAME]
  Creates N synthetic screenings (TESTPERSON ...; the same seed gives the same people),
  captures ten fingers and the face of each on the simulated scanner and camera, and
  queues their packets for central. The terminal must be enrolled (fieldscreenctl enroll).
  The simulated devices must be paired. Either pair them once as a technician
  (fieldscreenctl --user TECH device pair ` + demoScannerID + ` --drivers sim --yes, and
  the same for ` + demoCameraID + `), or pass --technician TECH with that technician's
  passphrase in $FIELDSCREEN_TECH_PASSPHRASE: the command then pairs them in a separate
  technician session (after a test capture, as device pair does) before the officer seeds.`

// The simulated devices' IDs (their identity does not depend on the seed).
var (
	demoScannerID = sim.New(hardware.Finger, sim.Options{}).Identity().ID()
	demoCameraID  = sim.New(hardware.Face, sim.Options{}).Identity().ID()
)

// errDemoUnpaired is the one line a user sees when the simulated devices are not paired.
var errDemoUnpaired = errors.New("the simulated scanner and camera are not paired on this terminal: pass --technician NAME (passphrase in $FIELDSCREEN_TECH_PASSPHRASE), or pair them as a technician with fieldscreenctl device pair " + demoScannerID + " --drivers sim --yes (and " + demoCameraID + ")")

func runDemo(e *Env, args []string) error {
	_, rest, err := subcommand("demo", args, "seed")
	if err != nil {
		return err
	}
	fs := newFlags("demo seed")
	n := fs.Int("cases", 0, "number of cases to create (1 to 500)")
	seed := fs.Int64("seed", 1, "seed of the synthetic people and prints")
	tech := fs.String("technician", "", "technician who pairs the simulated devices (passphrase in $FIELDSCREEN_TECH_PASSPHRASE)")
	pos, err := parseMixed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(e.Stdout, demoUsage)
		return nil
	}
	if err != nil {
		return usageError("demo seed: %v (see fieldscreenctl demo seed --help)", err)
	}
	if len(pos) != 0 || *n < 1 || *n > app.MaxDemoCases {
		return usageError("demo seed needs --cases N with N from 1 to %d (see fieldscreenctl demo seed --help)", app.MaxDemoCases)
	}
	scanner := sim.New(hardware.Finger, sim.Options{Seed: *seed})
	camera := sim.New(hardware.Face, sim.Options{Seed: *seed})
	defer scanner.Close()
	defer camera.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	term, err := e.openTerminal()
	if err != nil {
		return err
	}
	defer term.Close()
	if e.User == "" {
		return usageError("demo seed: no user: pass --user OFFICER or set FIELDSCREEN_USER")
	}
	pass, err := e.passphrase()
	if err != nil {
		return err
	}
	s, err := term.Unlock(e.User, pass)
	if err != nil {
		return fmt.Errorf("unlock as %s: %w", e.User, err)
	}
	defer s.Lock(app.LockedClosed)
	if !s.Can(vault.Core, true) {
		return fmt.Errorf("demo seed: %s is a %s, who may not create cases: run it as an officer (--user OFFICER) and name a technician with --technician", e.User, s.Role())
	}
	if *tech != "" {
		if err := e.pairDemoDevices(ctx, term, *tech, scanner, camera); err != nil {
			return err
		}
	}
	if !s.Enrolled() {
		return app.ErrNotEnrolled
	}
	if err := demoPaired(s, scanner, camera); err != nil {
		return err
	}
	ids, err := s.SeedDemo(ctx, *n, *seed, scanner, camera)
	for _, id := range ids {
		fmt.Fprintln(e.Stdout, id)
	}
	if err != nil {
		if len(ids) > 0 {
			return fmt.Errorf("%w (the %d cases listed were created)", err, len(ids))
		}
		return err
	}
	fmt.Fprintf(e.Stderr, "seeded %d demo cases (seed %d); their packets are queued: fieldscreenctl sync run --once\n", len(ids), *seed)
	return nil
}

// openTerminal opens the vault through the app layer without unlocking it, so a command
// can unlock two sessions (a technician's and the acting user's) on one open vault.
func (e *Env) openTerminal() (*app.Terminal, error) {
	if !vault.Exists(e.VaultDir) {
		_, err := e.openVault() // the error that says how to create one
		return nil, err
	}
	cfg := app.DefaultConfig()
	cfg.VaultDir = e.VaultDir
	cfg.IdleTimeout = time.Hour
	return app.OpenTerminal(cfg, vaultOptions())
}

// demoPaired checks both simulated devices are paired, so a missing pairing is one clear
// line before any case is created.
func demoPaired(s *app.Session, devs ...hardware.Device) error {
	ps, err := s.Pairings()
	if err != nil {
		return err
	}
	paired := map[string]bool{}
	for _, p := range ps {
		paired[p.ID] = true
	}
	for _, d := range devs {
		if !paired[d.Identity().ID()] {
			return errDemoUnpaired
		}
	}
	return nil
}

// pairDemoDevices pairs the simulated devices as the technician tech, in that technician's
// own session, after a test capture of each; devices already paired are left as they are.
func (e *Env) pairDemoDevices(ctx context.Context, term *app.Terminal, tech string, devs ...hardware.Device) error {
	pass := os.Getenv("FIELDSCREEN_TECH_PASSPHRASE")
	if pass == "" {
		return usageError("--technician %s needs that technician's passphrase in $FIELDSCREEN_TECH_PASSPHRASE", tech)
	}
	s, err := term.Unlock(tech, []byte(pass))
	if err != nil {
		return fmt.Errorf("unlock as technician %s: %w", tech, err)
	}
	defer s.Lock(app.LockedClosed)
	if s.Role() != vault.Technician {
		return fmt.Errorf("--technician %s is a %s: only a technician may pair devices", tech, s.Role())
	}
	ps, err := s.Pairings()
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range ps {
		have[p.ID] = true
	}
	for _, d := range devs {
		if have[d.Identity().ID()] {
			continue
		}
		tctx, cancel := context.WithTimeout(ctx, 40*time.Second)
		res, err := s.TestCapture(tctx, d)
		cancel()
		if err != nil {
			return fmt.Errorf("test capture on %s failed, not paired: %w", d.Identity().ID(), err)
		}
		if err := s.PairDevice(res.Identity, res.Score); err != nil {
			return err
		}
		fmt.Fprintf(e.Stderr, "paired %s as %s\n", res.Identity.ID(), tech)
	}
	return nil
}
