// Command fieldscreenctl is the headless operator's tool for fieldscreen: vault and user
// administration, case import and export, the audit log, document and biometric file tools,
// devices and sync. It never needs a display and builds with CGO_ENABLED=0.
//
// Each command group lives in its own file and registers itself in init(), so groups can be
// added without touching this dispatcher.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/fieldscreen/fieldscreen/app"
)

// Command is one top-level command group, such as "vault" or "wsq".
type Command struct {
	Name    string
	Summary string // one line for the usage text
	Run     func(e *Env, args []string) error
}

var commands = map[string]Command{}

// register adds a command group; called from init() in the group's file.
func register(c Command) {
	if _, dup := commands[c.Name]; dup {
		panic("fieldscreenctl: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// Env carries the global flags and the standard streams to a command.
type Env struct {
	VaultDir       string
	User           string
	PassphraseFile string
	Stdin          io.Reader
	Stdout         io.Writer
	Stderr         io.Writer
}

// ExitError asks main to exit with a specific status. Err may be nil when the command has
// already printed what the user needs (for example a JSON result with a failed check).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks a mistake in how the command was called (exit status 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: tests call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	fs := flag.NewFlagSet("fieldscreenctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.VaultDir, "vault", defaultVaultDir(), "vault directory")
	fs.StringVar(&e.User, "user", os.Getenv("FIELDSCREEN_USER"), "user name that unlocks the vault")
	fs.StringVar(&e.PassphraseFile, "passphrase-file", "", "file holding the passphrase (else $FIELDSCREEN_PASSPHRASE)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "fieldscreenctl: %v (see fieldscreenctl help)\n", err)
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "fieldscreenctl: unknown command %q (see fieldscreenctl help)\n", rest[0])
		return 2
	}
	err := c.Run(e, rest[1:])
	if err == nil {
		return 0
	}
	code := 1
	var ee *ExitError
	if errors.As(err, &ee) {
		code = ee.Code
		if ee.Err == nil {
			return code
		}
	}
	fmt.Fprintf(stderr, "fieldscreenctl %s: %s\n", rest[0], oneLine(err.Error()))
	return code
}

// oneLine keeps an error on one line: the contract is one clear line on stderr.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: fieldscreenctl [--vault DIR] [--user NAME] [--passphrase-file FILE] COMMAND ...")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprint(w, exitCodes)
}

// exitCodes is the exit status contract scripts rely on (docs/sync.md section 11).
const exitCodes = `
exit status:
  0  done
  1  error (one line on stderr names the cause)
  2  usage error
  3  sync run --once: packets still pending (offline, breaker open, backoff);
     case update: the case changed since --revision N (export it again)
  4  sync run --once: central refused a packet for good (see sync status)
  5  sync run --once: the audit log no longer extends what central countersigned
     (vault restored from an old copy?): tell your supervisor
`

// defaultVaultDir is the vault the desktop app uses (app.DefaultVaultDir).
func defaultVaultDir() string { return app.DefaultVaultDir() }

// subcommand splits "group SUB args..." and reports a usage error naming the choices.
func subcommand(group string, args []string, choices ...string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usageError("missing subcommand: %s %s", group, strings.Join(choices, "|"))
	}
	for _, c := range choices {
		if args[0] == c {
			return c, args[1:], nil
		}
	}
	return "", nil, usageError("unknown subcommand %q: %s %s", args[0], group, strings.Join(choices, "|"))
}
