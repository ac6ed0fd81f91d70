package main

import (
	"context"
	"fmt"
	"time"

	"github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

func init() {
	register(Command{Name: "enroll", Summary: "--central URL --token TOKEN: enrol this terminal with central", Run: runEnroll})
}

func runEnroll(e *Env, args []string) error {
	fs := newFlags("enroll")
	url := fs.String("central", "", "central's base URL, https://host:port")
	token := fs.String("token", "", "one-time enrolment token from fieldscreen-central token create")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	if *url == "" || *token == "" {
		return usageError("enroll needs --central URL and --token TOKEN")
	}
	return e.withSession(func(v *vault.Vault, s *vault.Session) error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		en, err := sync.Enrol(ctx, s, *url, *token)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "enrolled with %s as device %s\n", en.Central, en.DeviceID)
		return nil
	})
}
