package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fieldscreen/fieldscreen/app"
)

func init() {
	register(Command{Name: "monitor", Summary: "list | export | rebuild | prune: the pseudonymised view for the independent monitoring mechanism (monitor role; rebuild, prune: case staff)", Run: runMonitor})
}

// runMonitor gives the monitoring mechanism (Screening Regulation Art 10) its view of a period:
// "list" prints it, "export" writes it as CSV and JSON. Both are audited; the monitor role's
// keys open no personal field, so neither can print one. "rebuild" (case staff) recomputes
// the summaries of the cases on the terminal, for cases saved before monitoring existed.
// "prune" (case staff) deletes the summaries past their retention now, as the sync worker
// does after its purges (app.PruneMonitorSummaries), audited.
func runMonitor(e *Env, args []string) error {
	sub, rest, err := subcommand("monitor", args, "list", "export", "rebuild", "prune")
	if err != nil {
		return err
	}
	fs := newFlags("monitor " + sub)
	from := fs.String("from", "", "first day (YYYY-MM-DD) or time (RFC 3339) of the period: cases whose screening started then or later")
	to := fs.String("to", "", "last day (YYYY-MM-DD, included) or end time (RFC 3339, excluded) of the period")
	out := fs.String("out", "", "export: FILE.csv, FILE.json, or a name without extension for both (NAME.csv and NAME.json)")
	pos, err := parseMixed(fs, rest)
	if err != nil {
		return usageError("monitor %s: %v", sub, err)
	}
	if len(pos) > 0 {
		return usageError("monitor %s: unexpected argument %q", sub, pos[0])
	}
	var p app.Period
	if p.From, err = parseDayOrTime("--from", *from, false); err != nil {
		return err
	}
	if p.To, err = parseDayOrTime("--to", *to, true); err != nil {
		return err
	}
	if sub == "export" && (*out == "" || *from == "" || *to == "") {
		return usageError("usage: monitor export --from DAY --to DAY --out FILE[.csv|.json]")
	}
	return e.withApp(func(s *app.Session) error {
		if sub == "prune" {
			n, err := s.PruneMonitorSummaries()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "%d monitoring summaries pruned\n", n)
			return nil
		}
		if sub == "rebuild" {
			n, err := s.RebuildOversight()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "%d cases summarised for monitoring\n", n)
			return nil
		}
		if sub == "list" {
			cases, err := s.MonitorCases(p)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PSEUDONYM\tSTARTED\tTRIGGER\tSTATUS\tHOURS\tMINOR\tVULNERABILITIES\tREFUSALS\tMISSED LIMITS")
			for _, c := range cases {
				var missed []string
				for _, m := range c.MissedLimits {
					r := string(m.Reason)
					if r == "" {
						r = "no reason"
					}
					missed = append(missed, string(m.Deadline)+":"+r)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%v\t%s\t%d\t%s\n", c.Pseudonym, c.StartedAt.UTC().Format("2006-01-02 15:04Z"),
					c.Trigger, c.Status, c.DurationHours, c.Minor.Minor, dash(strings.Join(c.Vulnerability.Indicators, ",")),
					c.Refusals.Fingers+c.Refusals.Recorded, dash(strings.Join(missed, ",")))
			}
			return tw.Flush()
		}
		exp, err := s.ExportMonitoring(p)
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".csv":
			return writeOutput(e, *out, exp.CSV)
		case ".json":
			return writeOutput(e, *out, exp.JSON)
		case "":
			if err := writeOutput(e, *out+".csv", exp.CSV); err != nil {
				return err
			}
			return writeOutput(e, *out+".json", exp.JSON)
		}
		return usageError("monitor export: --out %q: use a .csv or .json file, or a name without extension for both", *out)
	})
}

// parseDayOrTime reads a day (YYYY-MM-DD, UTC) or an RFC 3339 time. A day given as the end of
// a period includes that whole day. Empty is an open bound.
func parseDayOrTime(flag, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError("%s %q: give a day such as 2026-06-12 or an RFC 3339 time such as 2026-06-12T08:00:00Z", flag, s)
	}
	return t, nil
}
