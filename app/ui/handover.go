package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
)

// handoverRow asks, on the information step, whether the person received one document (the
// leaflet or the form's copy): not recorded, received, or refused to accept, and in which
// language; it shows who recorded it and when. The rule and the stamps are forms'
// (forms.Case.RecordHandover, through app.RecordHandover).
type handoverRow struct {
	doc    string
	status *widget.Select
	lang   *widget.Select
	stamp  *widget.Label
}

// handoverStatuses are the choices in the order shown; index 0 is "not recorded".
var handoverStatuses = []forms.HandoverStatus{"", forms.HandoverReceived, forms.HandoverRefused}

func newHandoverRow(doc string, h forms.HandedOver, leafletLang string) *handoverRow {
	r := &handoverRow{doc: doc, stamp: widget.NewLabel("")}
	labels := make([]string, len(handoverStatuses))
	for i, st := range handoverStatuses {
		labels[i] = T("handover.status." + string(st))
		if st == "" {
			labels[i] = T("handover.status.notRecorded")
		}
	}
	r.status = widget.NewSelect(labels, nil)
	r.status.SetSelectedIndex(0)
	for i, st := range handoverStatuses {
		if st == h.Status {
			r.status.SetSelectedIndex(i)
		}
	}
	r.lang = widget.NewSelect(app.LeafletLanguages(), nil)
	if h.Language != "" {
		r.lang.SetSelected(h.Language)
	} else {
		r.lang.SetSelected(leafletLang) // the leaflet language recorded above, to confirm
	}
	if h.Status != "" {
		r.stamp.SetText(Tf("handover.stamp", h.Version, timeText(h.At), h.By))
	} else {
		r.stamp.Hide()
	}
	return r
}

func (r *handoverRow) row() fyne.CanvasObject {
	return container.NewVBox(container.NewGridWithColumns(2, r.status, r.lang), r.stamp)
}

// apply copies the choice onto the case; version, time and who are stamped by app.
func (r *handoverRow) apply(c *forms.Case) {
	h := &c.Handover.Leaflet
	if r.doc == forms.HandoverForm {
		h = &c.Handover.Form
	}
	i := r.status.SelectedIndex()
	if i < 0 {
		i = 0
	}
	h.Status = handoverStatuses[i]
	h.Language = ""
	if h.Status != "" {
		h.Language = r.lang.Selected
	}
}

// addHandover puts the leaflet's and the form's handover rows on the information step.
func (s *informationStep) addHandover() {
	c := s.cs.c
	s.handover = []*handoverRow{
		newHandoverRow(forms.HandoverLeaflet, c.Handover.Leaflet, c.Info.LeafletLanguage),
		// the form's copy: no language chosen for the officer (the leaflet's need not be the
		// form's; a language the person was not given is never recorded by default)
		newHandoverRow(forms.HandoverForm, c.Handover.Form, ""),
	}
	s.fs.add("handover.leaflet", "handover.leaflet", s.handover[0].row())
	s.fs.add("handover.form", "handover.form", s.handover[1].row())
}
