package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/fieldscreen/fieldscreen/vault"
)

func runAudit(e *Env, args []string) error {
	sub, rest, err := subcommand("audit", args, "verify", "show")
	if err != nil {
		return err
	}
	if sub == "verify" {
		if len(rest) != 0 {
			return usageError("usage: audit verify")
		}
		// verify needs no key: the chain is over ciphertexts, so anyone may check it
		v, err := e.openVault()
		if err != nil {
			return err
		}
		defer v.Close()
		rep, err := v.VerifyAudit()
		if err != nil {
			return fmt.Errorf("audit chain of %s is broken at entry %d (%s): the log or the vault was altered; keep this copy and tell the data protection officer", e.VaultDir, rep.FirstBroken, rep.Reason)
		}
		fmt.Fprintf(e.Stdout, "audit chain intact: %d entries, head %s\n", rep.Entries, hex.EncodeToString(rep.Head[:8]))
		return nil
	}

	fs := newFlags("audit show")
	var f vault.AuditFilter
	fs.StringVar(&f.User, "by", "", "only entries by this user")
	fs.StringVar(&f.Action, "action", "", "only this action (e.g. unlock, case.read)")
	caseID := fs.String("case", "", "only entries about this case ID")
	since := fs.String("since", "", "only entries at or after this time (RFC 3339)")
	fs.IntVar(&f.Limit, "limit", 0, "at most this many entries (0: all)")
	asJSON := fs.Bool("json", false, "print JSON lines")
	if err := fs.Parse(rest); err != nil {
		return usageError("%v", err)
	}
	f.Case = vault.CaseID(*caseID)
	if *since != "" {
		t, err := time.Parse(time.RFC3339, *since)
		if err != nil {
			return usageError("--since %q is not an RFC 3339 time such as 2026-06-12T08:00:00Z", *since)
		}
		f.Since = t
	}
	return e.withSession(func(_ *vault.Vault, s *vault.Session) error {
		entries, err := s.AuditEntries(f)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.Stdout)
			for _, en := range entries {
				if err := enc.Encode(auditJSON(en)); err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tTIME\tUSER\tROLE\tACTION\tCASE\tCLASS\tDETAIL")
		for _, en := range entries {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", en.Seq, en.At.UTC().Format(time.RFC3339), en.User, en.Role,
				en.Action, dash(string(en.Case)), dash(string(en.Class)), en.Detail)
		}
		return tw.Flush()
	})
}

type auditLine struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Role   string    `json:"role"`
	Action string    `json:"action"`
	Case   string    `json:"case,omitempty"`
	Class  string    `json:"class,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Hash   string    `json:"hash"`
}

func auditJSON(en vault.AuditEntry) auditLine {
	return auditLine{Seq: en.Seq, At: en.At.UTC(), User: en.User, Role: string(en.Role), Action: en.Action,
		Case: string(en.Case), Class: string(en.Class), Detail: en.Detail, Hash: hex.EncodeToString(en.Hash[:])}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
