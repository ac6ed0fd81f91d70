package ui

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/mrz"
	"github.com/fieldscreen/fieldscreen/hardware"
)

// readTimeout bounds one document reading: the officer lays the passport on the reader.
const readTimeout = 60 * time.Second

// docReader is the "Read document" button of the document step and the check-digit result
// beside the fields.
type docReader struct {
	cs     *caseScreen
	s      *documentStep
	btn    *widget.Button
	bar    *widget.ProgressBarInfinite
	result *widget.Label
	msg    *widget.Label
	// filling is set while fill types the reading into the fields, so only the officer's
	// own edits turn the source to "manual".
	filling bool
}

func newDocReader(cs *caseScreen, s *documentStep) *docReader {
	r := &docReader{cs: cs, s: s, bar: newBusyBar(), result: widget.NewLabel(""), msg: errorLabel()}
	r.result.Wrapping = fyne.TextWrapWord
	r.result.Hide()
	r.btn = widget.NewButton(T("docread.button"), r.read)
	// "mrz" means the check digits vouch for the fields: an edit by hand ends that.
	edited := func() {
		if !r.filling && s.source == "mrz" {
			s.source = "manual"
			r.result.SetText(T("docread.edited"))
			r.result.Importance = widget.WarningImportance
			r.result.Show()
		}
	}
	for _, e := range []*widget.Entry{s.typ, s.number, s.state, s.expiry, s.surnames, s.givenNames, s.birth, s.nationality} {
		prev := e.OnChanged
		e.OnChanged = func(v string) {
			if prev != nil {
				prev(v)
			}
			edited()
		}
	}
	s.sex.OnChanged = func(string) { edited() }
	// Ctrl+R reads the document while the document step is on show, wherever the focus is.
	cs.u.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) {
			if oc := cs.u.openCase; oc != nil && cs.u.Screen() == "case" {
				if ds, ok := oc.view.(*documentStep); ok && ds.reader != nil && !ds.reader.btn.Disabled() {
					ds.reader.read()
				}
			}
		})
	return r
}

func (r *docReader) content() fyne.CanvasObject {
	return container.NewVBox(container.NewHBox(r.btn), r.bar, r.result, r.msg)
}

// read asks the first paired document reader for the MRZ off the UI goroutine, then fills
// the fields. Nothing is stored until the officer saves.
func (r *docReader) read() {
	r.cs.u.touch()
	setError(r.msg, "")
	sess := r.cs.u.sess
	var doc forms.Document
	var res *mrz.Result
	busy(r.bar, r.btn, func() error {
		dev, err := findPaired(sess, hardware.Document)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		doc, res, err = sess.ReadDocument(ctx, dev)
		return err
	}, func(err error) {
		if errors.Is(err, errNoReader) {
			setError(r.msg, T("docread.noReader"))
			return
		}
		if err != nil {
			setError(r.msg, deviceError(err))
			return
		}
		r.s.fill(doc)
		r.result.SetText(checkText(res))
		r.result.Importance = widget.SuccessImportance
		if !res.Valid || len(res.Problems) > 0 {
			r.result.Importance = widget.WarningImportance
		}
		r.result.Show()
	})
}

// fill puts a document read from the MRZ into the step's fields.
func (s *documentStep) fill(d forms.Document) {
	s.reader.filling = true
	defer func() { s.reader.filling = false }()
	s.typ.SetText(d.Type)
	s.number.SetText(d.Number)
	s.state.SetText(d.IssuingState)
	s.expiry.SetText(dateText(d.ExpiryDate))
	s.surnames.SetText(joinNames(d.Holder.Surnames))
	s.givenNames.SetText(joinNames(d.Holder.GivenNames))
	s.birth.SetText(dateText(d.Holder.BirthDate))
	s.sex.SetSelected(string(d.Holder.Sex))
	s.nationality.SetText(strings.Join(d.Holder.Nationalities, ", "))
	s.source = d.Source
}

// checkText says what the check digits showed: all valid, which failed, what OCR repairs
// were made, which fields are unusable and whether the document has expired.
func checkText(res *mrz.Result) string {
	var lines []string
	if res.Valid {
		lines = append(lines, T("docread.valid"))
	} else {
		var failed []string
		for k, ok := range res.Checks {
			if !ok {
				failed = append(failed, k)
			}
		}
		sort.Strings(failed)
		lines = append(lines, Tf("docread.invalid", strings.Join(failed, ", ")))
	}
	if len(res.Corrections) > 0 {
		var fields []string
		for _, c := range res.Corrections {
			fields = append(fields, c.Field)
		}
		lines = append(lines, Tf("docread.corrections", len(res.Corrections), strings.Join(fields, ", ")))
	}
	for _, p := range res.Problems {
		lines = append(lines, p.Field+": "+p.Message)
	}
	if res.NameTruncated {
		lines = append(lines, T("docread.truncated"))
	}
	if res.Expired {
		lines = append(lines, T("docread.expired"))
	}
	return strings.Join(lines, "\n")
}
