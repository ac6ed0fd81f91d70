package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/vault"
)

func runUser(e *Env, args []string) error {
	sub, rest, err := subcommand("user", args, "add", "list", "passwd", "remove", "set")
	if err != nil {
		return err
	}
	fs := newFlags("user " + sub)
	role := fs.String("role", "", "role of the new user: officer, registrar, medic, supervisor, technician, auditor, monitor")
	asJSON := fs.Bool("json", false, "print JSON")
	trained := fs.Bool("trained-for-minors", false, "add, set: the user is trained to take minors' biometric data (Eurodac Art 14(1)); only such users capture from a minor")
	pos, err := parseMixed(fs, rest)
	if err != nil {
		return usageError("%v", err)
	}
	return e.withSession(func(v *vault.Vault, s *vault.Session) error {
		switch sub {
		case "add":
			if len(pos) != 1 || *role == "" {
				return usageError("usage: user add NAME --role ROLE")
			}
			r, err := vault.ParseRole(*role)
			if err != nil {
				return err
			}
			if err := app.CheckUserName(pos[0]); err != nil {
				return err
			}
			pass, err := newPassphrase()
			if err != nil {
				return err
			}
			if err := s.AddUser(pos[0], r, pass); err != nil {
				return err
			}
			if *trained {
				if err := s.SetTrainedForMinors(pos[0], true); err != nil {
					return fmt.Errorf("added %s, but the minors' training was not recorded: %w", pos[0], err)
				}
			}
			fmt.Fprintf(e.Stdout, "added %s (%s%s)\n", pos[0], r, map[bool]string{true: ", trained for minors"}[*trained])
		case "set":
			if len(pos) != 1 || !flagGiven(fs, "trained-for-minors") {
				return usageError("usage: user set NAME --trained-for-minors=true|false")
			}
			if err := s.SetTrainedForMinors(pos[0], *trained); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "%s: trained for minors %s\n", pos[0], yesNo(*trained))
		case "list":
			users, err := s.Users()
			if err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(e.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(users)
			}
			tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tTRAINED FOR MINORS\tCREATED")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, yesNo(u.TrainedForMinors), u.Created.UTC().Format("2006-01-02 15:04Z"))
			}
			return tw.Flush()
		case "passwd":
			if len(pos) != 0 {
				return usageError("usage: user passwd (changes the passphrase of --user; new one from FIELDSCREEN_NEW_PASSPHRASE)")
			}
			old, err := e.passphrase()
			if err != nil {
				return err
			}
			pass, err := newPassphrase()
			if err != nil {
				return err
			}
			if err := s.ChangePassphrase(old, pass); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "changed the passphrase of %s\n", s.User())
		case "remove":
			if len(pos) != 1 {
				return usageError("usage: user remove NAME")
			}
			if err := s.RemoveUser(pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "removed %s\n", pos[0])
		}
		return nil
	})
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
