package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fieldscreen/fieldscreen/app"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

func init() {
	register(Command{Name: "sync", Summary: "run [--once] | status --json | pause | resume | limit | export --to DIR | renew: send packets to central", Run: runSync})
}

// syncOptions is overridden by tests (injected clock, shorter waits).
var syncOptions = func() sync.Options { return sync.Options{} }

func runSync(e *Env, args []string) error {
	sub, rest, err := subcommand("sync", args, "run", "status", "pause", "resume", "limit", "export", "renew")
	if err != nil {
		return err
	}
	switch sub {
	case "run":
		return syncRun(e, rest)
	case "renew":
		return syncRenew(e, rest)
	case "status":
		fs := newFlags("sync status")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := fs.Parse(rest); err != nil {
			return usageError("%v", err)
		}
		return e.withSession(func(v *vault.Vault, s *vault.Session) error {
			var st sync.Status
			if err := s.View(func(tx *vault.Tx) error {
				var err error
				st, err = sync.GetStatus(tx, time.Now())
				return err
			}); err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(e.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			last := "never"
			if st.LastContact != nil {
				last = st.LastContact.Local().Format(time.RFC3339)
			}
			fmt.Fprintf(e.Stdout, "pending %d (%d bytes), delivered %d, purged %d, refused %d\n", st.Pending, st.PendingBytes, st.Delivered, st.Purged, len(st.Refused))
			fmt.Fprintf(e.Stdout, "oldest urgent %s, last contact %s, breaker %s, paused %v\n",
				(time.Duration(st.OldestUrgentAgeSeconds) * time.Second).String(), last, st.Breaker, st.Paused)
			if st.AwaitingResults > 0 {
				fmt.Fprintf(e.Stdout, "central is still answering %d packets (results follow with the next sync)\n", st.AwaitingResults)
			}
			for _, r := range st.Refused {
				fmt.Fprintf(e.Stdout, "refused %s: %s\n", r.PacketID, r.Reason)
			}
			for _, l := range st.LateResults {
				fmt.Fprintf(e.Stdout, "late result for case %s (%s): %s %s %s of packet %s (audited; tell central's operator)\n",
					l.CaseID, l.Why, l.Type, l.System, l.Outcome, l.PacketID)
			}
			if st.AuditRollback != nil {
				fmt.Fprintf(e.Stdout, "AUDIT ROLLBACK found %s: %s\n", st.AuditRollback.Detected.Local().Format(time.RFC3339), st.AuditRollback.Reason)
			}
			return nil
		})
	case "pause", "resume", "limit":
		var limit int64 = -1
		if sub == "limit" {
			if len(rest) != 1 {
				return usageError("sync limit needs BYTES-PER-SECOND (0 = unlimited)")
			}
			n, err := strconv.ParseInt(rest[0], 10, 64)
			if err != nil || n < 0 {
				return usageError("sync limit: %q is not a number of bytes per second", rest[0])
			}
			limit = n
		}
		return e.withSession(func(v *vault.Vault, s *vault.Session) error {
			return s.Update(func(tx *vault.Tx) error {
				st, err := sync.LoadSettings(tx)
				if err != nil {
					return err
				}
				switch sub {
				case "pause":
					st.Paused = true
				case "resume":
					st.Paused = false
				default:
					st.BandwidthLimit = limit
				}
				if err := sync.SaveSettings(tx, st); err != nil {
					return err
				}
				fmt.Fprintf(e.Stdout, "sync paused %v, bandwidth limit %d bytes/s\n", st.Paused, st.BandwidthLimit)
				return tx.Audit(vault.AuditEvent{Action: "sync." + sub, Class: vault.Sync})
			})
		})
	default: // export
		fs := newFlags("sync export")
		to := fs.String("to", "", "folder on the removable medium")
		if err := fs.Parse(rest); err != nil {
			return usageError("%v", err)
		}
		if *to == "" {
			return usageError("sync export needs --to DIR")
		}
		return e.withSession(func(v *vault.Vault, s *vault.Session) error {
			n, err := sync.Export(s, v.PacketDir(), *to)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "exported %d sealed packets to %s (they stay queued until central's receipt)\n", n, *to)
			return nil
		})
	}
}

func syncRun(e *Env, args []string) error {
	fs := newFlags("sync run")
	once := fs.Bool("once", false, "drain the queue once and exit")
	every := fs.Duration("every", 30*time.Second, "pause between drains when not --once")
	waitResults := fs.Duration("wait-results", 10*time.Second, "after the drain, wait this long for central's answers to the packets it still processes (0: take what is there)")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	return e.withSession(func(v *vault.Vault, s *vault.Session) error {
		c, err := sync.CleanOrphans(s, v.PacketDir())
		if err != nil {
			return err
		}
		if len(c.RemovedOrphans) > 0 {
			fmt.Fprintf(e.Stderr, "removed %d sealed files whose case change never committed\n", len(c.RemovedOrphans))
		}
		for _, id := range c.MissingFiles {
			fmt.Fprintf(e.Stderr, "warning: packet %s is queued but its sealed file is missing; it cannot be sent (report it)\n", id)
		}
		opt := syncOptions()
		opt.ResultWait = *waitResults
		if opt.Applier == nil {
			// central's answers land on the cases, and late check answers go on to the
			// receiving authority as an addendum, as in the desktop app
			opt.Applier = app.ResultApplier(v.PacketDir(), time.Now)
		}
		if opt.Purgeable == nil {
			opt.Purgeable = app.PurgeCheck // the retention rule, as for `case purge` and the desktop app
		}
		if opt.Prune == nil {
			opt.Prune = app.PruneOversight // monitoring summaries past their period, as in the desktop app
		}
		w, err := sync.NewWorker(v, s, opt)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if !*once {
			err := w.Run(ctx, *every)
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		rep, err := w.RunOnce(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "delivered %d, refused %d, pending %d, results %d\n", rep.Delivered, rep.Refused, rep.Pending, rep.Results)
		if rep.Renewed {
			fmt.Fprintln(e.Stdout, "certificate renewed")
		}
		if rep.RenewErr != nil {
			fmt.Fprintf(e.Stderr, "warning: the terminal's certificate is due for renewal and could not be renewed: %v (tried again at every sync; fieldscreenctl sync renew forces it)\n", rep.RenewErr)
		}
		// The most serious outcome decides the status (fieldscreenctl help).
		if rep.AuditRollback != nil {
			return &ExitError{Code: 5, Err: rep.AuditRollback}
		}
		if rep.Refused > 0 {
			return &ExitError{Code: 4, Err: fmt.Errorf("central refused %d packets for good (reasons: fieldscreenctl sync status)", rep.Refused)}
		}
		if rep.Offline != nil {
			return &ExitError{Code: 3, Err: fmt.Errorf("%d packets still pending: %w", rep.Pending, rep.Offline)}
		}
		if rep.Pending > 0 {
			return &ExitError{Code: 3, Err: fmt.Errorf("%d packets still pending (in backoff; see sync status)", rep.Pending)}
		}
		return nil
	})
}

// syncRenew renews the terminal's certificate now, whether or not it is due (the worker
// renews it by itself when less than 30 days are left).
func syncRenew(e *Env, args []string) error {
	fs := newFlags("sync renew")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("sync renew takes no arguments")
	}
	return e.withSession(func(v *vault.Vault, s *vault.Session) error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		en, err := sync.Renew(ctx, s)
		if err != nil {
			return err
		}
		cert, err := x509.ParseCertificate(en.Cert)
		if err != nil {
			return fmt.Errorf("the renewed certificate: %w", err)
		}
		fmt.Fprintf(e.Stdout, "renewed the certificate of device %s: valid until %s\n", en.DeviceID, cert.NotAfter.UTC().Format(time.RFC3339))
		return nil
	})
}
