package ui

import (
	"fmt"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
)

// checksStep shows each queried system's own check state (pending, hit, no hit, not
// possible with its reason); states come from central, never typed. A pending check is
// shown as pending, never as "no hit".
type checksStep struct {
	stepBase
	flag     *widget.Select // the Eurodac security flag's ground (supervisors only)
	flagNote *widget.Entry
}

func newChecksStep(cs *caseScreen) stepView {
	s := &checksStep{stepBase: stepBase{newFieldSet()}}
	if len(cs.c.Checks) == 0 {
		s.fs.add("securityChecks", "checks.none", widget.NewLabel(T("checks.notQueued")))
	}
	for i, ch := range cs.c.Checks {
		text := T("checkstatus." + string(ch.Status))
		if ch.Status == forms.CheckNotPossible && ch.Reason != "" {
			text += ": " + ch.Reason
		}
		if ch.Reference != "" {
			text += " · " + ch.Reference
		}
		if !ch.AnsweredAt.IsZero() {
			text += " · " + timeText(ch.AnsweredAt)
		}
		l := widget.NewLabel(text)
		if ch.Status == forms.CheckHit {
			l.Importance = widget.DangerImportance
		}
		f := s.fs.add(fmt.Sprintf("securityChecks[%d]", i), "checks.system", l)
		f.label = ch.System
	}
	// the Eurodac security flag: shown to everyone, set by a supervisor (forms decides)
	opts := []string{T("flag.none")}
	for _, g := range forms.SecurityFlagGrounds {
		opts = append(opts, T("flag."+string(g)))
	}
	s.flag = widget.NewSelect(opts, nil)
	s.flag.SetSelectedIndex(0)
	s.flagNote = cs.u.entry("", T("flag.notePlaceholder"))
	if f := cs.c.SecurityFlag; f != nil {
		for i, g := range forms.SecurityFlagGrounds {
			if g == f.Ground {
				s.flag.SetSelectedIndex(i + 1)
			}
		}
		s.flagNote.SetText(f.Note)
	}
	if !cs.u.sess.CanSetSecurityFlag() {
		s.flag.Disable()
		s.flagNote.Disable()
	}
	s.fs.add("securityFlag", "flag.label", container.NewVBox(s.flag, s.flagNote))
	return s
}

// apply copies the flag's ground and note; who set it and when are app's stamps.
func (s *checksStep) apply(c *forms.Case) error {
	i := s.flag.SelectedIndex()
	if i <= 0 {
		c.SecurityFlag = nil
		return nil
	}
	f := forms.SecurityFlag{Ground: forms.SecurityFlagGrounds[i-1], Note: s.flagNote.Text}
	if old := c.SecurityFlag; old != nil {
		f.By, f.At = old.By, old.At
	}
	c.SecurityFlag = &f
	return nil
}
