// Command fieldscreen-central runs the reference central server for fieldscreen terminals
// and its operator tools: enrolment tokens, packet export and import, revocation, stats.
//
//	fieldscreen-central serve --data DIR --listen 127.0.0.1:PORT [--watchlist FILE] [--hostname NAME] [--upload-ttl 24h] [--unavailable SIS,VIS]
//	fieldscreen-central token create --data DIR [--ttl 24h]
//	fieldscreen-central packets export --data DIR OUTDIR
//	fieldscreen-central packets import --data DIR INDIR
//	fieldscreen-central device revoke --data DIR DEVICE-ID [--reason TEXT]   (also while serving: admin socket)
//	fieldscreen-central stats --data DIR [--json]
//	fieldscreen-central keys rotate-recipient --data DIR   (new packet key; old ones kept for old packets)
//
// The data folder holds the keys (ca.pem, server.pem, age-identity.txt, receipt-key.pem),
// central.db and the stored packets. Only one process may use it at a time.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
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

const usage = "usage: fieldscreen-central serve|token create|packets export|packets import|device revoke|stats|keys rotate-recipient --data DIR ..."

// flags parses flags that may come before or after positional arguments.
func flags(name string, args []string, def func(*flag.FlagSet)) (*flag.FlagSet, []string, *string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data := fs.String("data", "", "central data folder")
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
	if *data == "" {
		return nil, nil, nil, usageErr{name + " needs --data DIR"}
	}
	return fs, pos, data, nil
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr{usage}
	}
	switch args[0] {
	case "serve":
		var listen, watch, host, unavailable *string
		var uploadTTL *time.Duration
		_, _, data, err := flags("serve", args[1:], func(fs *flag.FlagSet) {
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
		srv, err := central.Open(*data, opt)
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
		if adm, err := central.ListenAdmin(*data); err != nil {
			// Serving goes on; only operator commands that need the running server fail.
			fmt.Fprintf(stderr, "warning: %v: device revoke works only after serve stops\n", err)
			close(admDone)
		} else {
			go func() { admDone <- central.ServeAdmin(ctx, adm, srv.AdminHandler()) }()
			defer os.Remove(central.AdminSocket(*data))
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
		return withServer(*data, func(s *central.Server) error {
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
		return withServer(*data, func(s *central.Server) error {
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
		err = withServer(*data, func(s *central.Server) error { return s.RevokeDevice(pos[0], *reason) })
		if errors.Is(err, central.ErrBusy) { // central is serving: revoke through its admin socket
			err = central.AdminDo(*data, "POST", "/admin/devices/"+pos[0]+"/revoke", map[string]string{"reason": *reason}, nil)
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
		if len(args) < 2 || args[1] != "rotate-recipient" {
			return usageErr{"usage: fieldscreen-central keys rotate-recipient --data DIR"}
		}
		_, _, data, err := flags("keys rotate-recipient", args[2:], func(*flag.FlagSet) {})
		if err != nil {
			return err
		}
		// Opening the data folder first refuses a running server: it read the keys at start.
		if err := withServer(*data, func(*central.Server) error { return nil }); err != nil {
			return err
		}
		r, err := central.RotateRecipient(*data)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, r)
		fmt.Fprintln(stderr, "new packet recipient; terminals seal to it after their next sync (older packets still open with age-identity.txt)")
		return nil
	case "stats":
		var asJSON *bool
		_, _, data, err := flags("stats", args[1:], func(fs *flag.FlagSet) { asJSON = fs.Bool("json", false, "JSON output") })
		if err != nil {
			return err
		}
		return withServer(*data, func(s *central.Server) error {
			st, err := central.GetStats(s.Store())
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(stdout).Encode(st)
			}
			fmt.Fprintf(stdout, "packets %d (%d bytes), duplicates rejected %d, conflicts %d, devices %d (%d revoked), uploads expired %d\n",
				st.Packets, st.Bytes, st.DuplicatesRejected, st.Conflicts, st.Devices, st.Revoked, st.UploadsExpired)
			return nil
		})
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usageErr{fmt.Sprintf("unknown command %q; %s", args[0], usage)}
}

func withServer(dir string, fn func(*central.Server) error) error {
	s, err := central.Open(dir, central.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}
