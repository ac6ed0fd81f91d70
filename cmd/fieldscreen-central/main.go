// Command fieldscreen-central runs the reference central server for fieldscreen terminals
// and its operator tools: enrolment tokens, packet export and import, revocation, stats.
//
// State is either a data folder (--data DIR: bbolt, keys and packets; one process at a
// time) or a PostgreSQL database with the keys in their own folder (--store URL --keys
// DIR: any number of serve instances and operator commands at once). Every command below
// takes either.
//
//	fieldscreen-central migrate --store postgres://USER@HOST/DB   (create or update the schema)
//	fieldscreen-central serve --data DIR --listen 127.0.0.1:PORT [--watchlist FILE] [--hostname NAME] [--upload-ttl 24h] [--unavailable SIS,VIS]
//	fieldscreen-central serve --store postgres://… --keys DIR --listen ADDR [--metrics ADDR] […]
//	fieldscreen-central token create --data DIR [--ttl 24h]
//	fieldscreen-central packets export --data DIR OUTDIR
//	fieldscreen-central packets import --data DIR INDIR
//	fieldscreen-central device revoke --data DIR DEVICE-ID [--reason TEXT]   (also while serving: admin socket)
//	fieldscreen-central stats --data DIR [--json]
//	fieldscreen-central keys rotate-recipient --data DIR   (new packet key; old ones kept for old packets)
//	fieldscreen-central keys rotate-tls|rotate-receipt --data DIR   (next key, announced in the signed config)
//	fieldscreen-central keys activate --data DIR [--min-age 168h]  (central uses the announced keys from its next start)
//
// The data folder holds the keys (ca.pem, server.pem, age-identity.txt, receipt-key.pem),
// central.db and the stored packets. Only one process may use it at a time. A keys folder
// (--keys) holds the same key files and config.json; it must be mode 0700 with files 0600.
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/fieldscreen/fieldscreen/sync/central"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type usageErr struct{ msg string }

func (u usageErr) Error() string { return u.msg }

func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "fieldscreen-central: %s\n", strings.Join(strings.Fields(err.Error()), " "))
	var u usageErr
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

const usage = "usage: fieldscreen-central serve|token create|packets export|packets import|device revoke|stats|keys rotate-recipient|rotate-tls|rotate-receipt|activate --data DIR | --store postgres://… --keys DIR ...; fieldscreen-central migrate --store postgres://…"

// place is where central's state is: a data folder (bbolt, keys and packets in it), or a
// PostgreSQL database with the keys in their own folder.
type place struct {
	data  string // --data DIR
	store string // --store postgres://…
	keys  string // --keys DIR (with --store)
}

// keysDir is the folder of central's keys (and config.json).
func (p place) keysDir() string {
	if p.store != "" {
		return p.keys
	}
	return p.data
}

// flags parses flags that may come before or after positional arguments.
func flags(name string, args []string, def func(*flag.FlagSet)) (*flag.FlagSet, []string, *place, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	p := &place{}
	fs.StringVar(&p.data, "data", "", "central data folder (bbolt store and keys)")
	fs.StringVar(&p.store, "store", "", "PostgreSQL URL (postgres://USER@HOST/DB?…); keys from --keys")
	fs.StringVar(&p.keys, "keys", "", "folder of central's keys, shared by the instances (with --store)")
	def(fs)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, nil, usageErr{fmt.Sprintf("%s: %v", name, err)}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	switch {
	case p.store != "" && p.data != "":
		return nil, nil, nil, usageErr{name + ": give either --data DIR (bbolt) or --store URL --keys DIR (PostgreSQL), not both"}
	case p.store != "" && !strings.HasPrefix(p.store, "postgres://") && !strings.HasPrefix(p.store, "postgresql://"):
		return nil, nil, nil, usageErr{name + ": --store must be a postgres:// URL"}
	case p.store != "" && p.keys == "":
		return nil, nil, nil, usageErr{name + " with --store needs --keys DIR (central's keys, shared by its instances)"}
	case p.store == "" && p.keys != "":
		return nil, nil, nil, usageErr{name + ": --keys goes with --store URL; with bbolt the keys are in --data DIR"}
	case p.store == "" && p.data == "":
		return nil, nil, nil, usageErr{name + " needs --data DIR or --store URL --keys DIR"}
	}
	return fs, pos, p, nil
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr{usage}
	}
	switch args[0] {
	case "serve":
		var listen, watch, host, unavailable *string
		var uploadTTL *time.Duration
		var metricsAddr *string
		_, _, data, err := flags("serve", args[1:], func(fs *flag.FlagSet) {
			metricsAddr = fs.String("metrics", "", "address for /metrics, /healthz and /readyz (plain HTTP: keep it on an internal network)")
			listen = fs.String("listen", "127.0.0.1:8443", "address to listen on")
			watch = fs.String("watchlist", "", "watch-list file for the simulated security checks")
			host = fs.String("hostname", "", "extra host name for the server certificate")
			unavailable = fs.String("unavailable", "", "comma-separated systems the simulated checks cannot reach (they answer not possible)")
			uploadTTL = fs.Duration("upload-ttl", central.DefaultUploadTTL, "remove resumable uploads untouched this long")
		})
		if err != nil {
			return err
		}
		if *uploadTTL <= 0 {
			return usageErr{fmt.Sprintf("serve: --upload-ttl %s must be positive (for example 24h)", *uploadTTL)}
		}
		opt := central.Options{UploadTTL: *uploadTTL}
		if *host != "" {
			opt.Hosts = []string{*host}
		}
		for _, sys := range strings.Split(*unavailable, ",") {
			if sys = strings.TrimSpace(sys); sys != "" {
				opt.Unavailable = append(opt.Unavailable, sys)
			}
		}
		if *watch != "" {
			if opt.Watchlist, err = central.LoadWatchlist(*watch); err != nil {
				return err
			}
		}
		srv, err := openServer(data, opt)
		if err != nil {
			return err
		}
		defer srv.Close()
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", *listen, err)
		}
		// Operator commands reach the running server through the admin socket.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		admDone := make(chan error, 1)
		if data.store != "" {
			close(admDone) // operator commands work on the database itself, beside the instances
		} else if adm, err := central.ListenAdmin(data.data); err != nil {
			// Serving goes on; only operator commands that need the running server fail.
			fmt.Fprintf(stderr, "warning: %v: device revoke works only after serve stops\n", err)
			close(admDone)
		} else {
			go func() { admDone <- central.ServeAdmin(ctx, adm, srv.AdminHandler()) }()
			defer os.Remove(central.AdminSocket(data.data))
		}
		if *metricsAddr != "" {
			mln, err := net.Listen("tcp", *metricsAddr)
			if err != nil {
				return fmt.Errorf("listen for metrics on %s: %w", *metricsAddr, err)
			}
			ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
			go ms.Serve(mln)
			defer ms.Close()
			fmt.Fprintf(stdout, "metrics on http://%s/metrics\n", mln.Addr())
		}
		fmt.Fprintf(stdout, "fieldscreen-central listening on https://%s\n", ln.Addr())
		err = srv.Serve(ctx, ln)
		stop()
		<-admDone
		return err
	case "token":
		if len(args) < 2 || args[1] != "create" {
			return usageErr{"usage: fieldscreen-central token create --data DIR [--ttl 24h]"}
		}
		var ttl *time.Duration
		_, _, data, err := flags("token create", args[2:], func(fs *flag.FlagSet) {
			ttl = fs.Duration("ttl", central.DefaultTokenTTL, "how long the token can be used")
		})
		if err != nil {
			return err
		}
		if *ttl <= 0 {
			return usageErr{fmt.Sprintf("token create: --ttl %s must be positive (for example 24h)", *ttl)}
		}
		return withServer(data, func(s *central.Server) error {
			tok, exp, err := s.CreateTokenTTL(*ttl)
			if err != nil {
				return err
			}
			// The token alone on stdout, so scripts can capture it; the expiry for the operator.
			fmt.Fprintln(stdout, tok)
			fmt.Fprintf(stderr, "one-time enrolment token, valid until %s (%s)\n", exp.Format(time.RFC3339), ttl)
			return nil
		})
	case "packets":
		if len(args) < 2 || (args[1] != "export" && args[1] != "import") {
			return usageErr{"usage: fieldscreen-central packets export|import --data DIR FOLDER"}
		}
		_, pos, data, err := flags("packets "+args[1], args[2:], func(*flag.FlagSet) {})
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usageErr{"packets " + args[1] + " needs one folder"}
		}
		return withServer(data, func(s *central.Server) error {
			if args[1] == "export" {
				n, q, err := central.ExportDir(s.Store(), pos[0])
				if err == nil {
					fmt.Fprintf(stdout, "exported %d sealed packets to %s\n", n, pos[0])
					if q > 0 {
						fmt.Fprintf(stdout, "left out %d quarantined packets (sealed content invalid; see stats)\n", q)
					}
				}
				return err
			}
			rep, err := s.ImportDir(pos[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "imported %d, duplicates %d, refused %d\n", rep.Imported, rep.Duplicates, len(rep.Refused))
			for _, r := range rep.Refused {
				fmt.Fprintf(stdout, "refused %s\n", r)
			}
			if len(rep.Refused) > 0 {
				return fmt.Errorf("%d packets refused", len(rep.Refused))
			}
			return nil
		})
	case "device":
		if len(args) < 2 || args[1] != "revoke" {
			return usageErr{"usage: fieldscreen-central device revoke --data DIR DEVICE-ID [--reason TEXT]"}
		}
		var reason *string
		_, pos, data, err := flags("device revoke", args[2:], func(fs *flag.FlagSet) {
			reason = fs.String("reason", "revoked by the central operator", "reason shown to the terminal")
		})
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usageErr{"device revoke needs one DEVICE-ID"}
		}
		req := central.RevokeRequest{Reason: *reason}
		if err := req.Check(); err != nil {
			return usageErr{"device revoke --reason: " + err.Error()}
		}
		err = withServer(data, func(s *central.Server) error { return s.RevokeDevice(pos[0], req.Reason) })
		if errors.Is(err, central.ErrBusy) { // central is serving: revoke through its admin socket
			err = central.AdminDo(data.data, "POST", "/admin/devices/"+pos[0]+"/revoke", req, nil)
			if errors.Is(err, central.ErrNoAdmin) {
				return fmt.Errorf("%w, and %w", central.ErrBusy, err)
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s\n", pos[0])
		return nil
	case "keys":
		return keysCmd(args[1:], stdout, stderr)
	case "stats":
		var asJSON *bool
		_, _, data, err := flags("stats", args[1:], func(fs *flag.FlagSet) { asJSON = fs.Bool("json", false, "JSON output") })
		if err != nil {
			return err
		}
		return withServer(data, func(s *central.Server) error {
			st, err := central.GetStats(s.Store())
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(stdout).Encode(st)
			}
			fmt.Fprintf(stdout, "packets %d (%d bytes), duplicates rejected %d, conflicts %d, devices %d (%d revoked), uploads expired %d, inner-invalid %d (%d quarantined)\n",
				st.Packets, st.Bytes, st.DuplicatesRejected, st.Conflicts, st.Devices, st.Revoked, st.UploadsExpired, st.InnerInvalid, st.Quarantined)
			return nil
		})
	case "migrate":
		fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		store := fs.String("store", "", "PostgreSQL URL")
		if err := fs.Parse(args[1:]); err != nil || *store == "" || fs.NArg() > 0 {
			return usageErr{"usage: fieldscreen-central migrate --store postgres://… (bbolt needs no migration)"}
		}
		ctx := context.Background()
		pool, err := central.ConnectPostgres(ctx, *store)
		if err != nil {
			return err
		}
		defer pool.Close()
		from, to, err := central.Migrate(ctx, pool)
		if err != nil {
			return err
		}
		if from == to {
			fmt.Fprintf(stdout, "schema version %d: up to date\n", to)
		} else {
			fmt.Fprintf(stdout, "schema version %d → %d\n", from, to)
		}
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usageErr{fmt.Sprintf("unknown command %q; %s", args[0], usage)}
}

func withServer(p *place, fn func(*central.Server) error) error {
	s, err := openServer(p, central.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// openServer opens central where p says: the bbolt data folder, or PostgreSQL with the
// keys folder (created under a lock when empty, so instances started together share one
// set of keys).
func openServer(p *place, opt central.Options) (*central.Server, error) {
	if p.store == "" {
		return central.Open(p.data, opt)
	}
	if err := central.CheckKeysDir(p.keys); err != nil {
		return nil, err
	}
	st, err := central.OpenPostgres(p.store)
	if err != nil {
		return nil, err
	}
	opt.Store = st
	if opt.EventLog == nil {
		// Not a file in the shared (perhaps read-only) keys folder: each instance's
		// security events go to its log (journald under systemd), one JSON line each.
		opt.EventLog = os.Stderr
	}
	srv, err := central.Open(p.keys, opt)
	if err != nil {
		st.Close()
		return nil, err
	}
	return srv, nil
}

const keysUsage = "usage: fieldscreen-central keys rotate-recipient|rotate-tls|rotate-receipt|activate [--min-age 168h] --data DIR | --store URL --keys DIR"

// keysCmd rotates central's keys. Every key change is read by central at start: with bbolt
// it refuses to run beside a serving central; with --store the instances keep the keys they
// read at start and take the new ones when restarted one by one (docs/deploy.md).
func keysCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		return usageErr{keysUsage}
	}
	sub := args[0]
	var minAge *time.Duration
	_, _, data, err := flags("keys "+sub, args[1:], func(fs *flag.FlagSet) {
		if sub == "activate" {
			minAge = fs.Duration("min-age", 7*24*time.Hour, "refuse keys announced more recently than this")
		}
	})
	if err != nil {
		return err
	}
	switch sub {
	case "rotate-recipient", "rotate-tls", "rotate-receipt", "activate":
	default:
		return usageErr{keysUsage}
	}
	if data.store == "" {
		// Opening the data folder first refuses a running server: it read the keys at start.
		if err := withServer(data, func(*central.Server) error { return nil }); err != nil {
			return err
		}
	} else if err := central.CheckKeysDir(data.keys); err != nil {
		return err
	}
	dir := data.keysDir()
	switch sub {
	case "rotate-recipient":
		r, err := central.RotateRecipient(dir)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, r)
		fmt.Fprintln(stderr, "new packet recipient; terminals seal to it after their next sync (older packets still open with age-identity.txt)")
	case "rotate-receipt":
		pub, err := central.RotateReceiptKey(dir)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, hex.EncodeToString(pub))
		fmt.Fprintln(stderr, "next receipt key created; from central's next start the signed config announces it; run `keys activate` once every terminal has synced")
	case "rotate-tls":
		pin, err := central.RotateTLSKey(dir)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, pin)
		fmt.Fprintln(stderr, "next TLS key created (its pin above); from central's next start the signed config announces it; run `keys activate` once every terminal has synced")
	case "activate":
		acts, err := central.ActivateKeys(dir, *minAge, time.Now())
		if err != nil {
			return err
		}
		if len(acts) == 0 {
			return errors.New("keys activate: no announced key to activate (run keys rotate-tls or rotate-receipt first)")
		}
		for _, a := range acts {
			fmt.Fprintf(stdout, "%s key activated (announced %s ago); old key kept as %s\n", a.Key, a.Age.Round(time.Second), a.Retired)
		}
		fmt.Fprintln(stderr, "central uses the new keys from its next start: restart every instance")
	}
	return nil
}
