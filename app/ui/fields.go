package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
)

// field is one input on a step: its JSON path (as forms.Validate names it), the widget, and
// a label under it for the problems about that path.
type field struct {
	path  string
	label string
	input fyne.CanvasObject
	msg   *widget.Label
}

// fieldSet lays out a step's fields and shows validation problems beside them. A problem
// whose path matches no field shows in the step's general message area.
type fieldSet struct {
	fields  []*field
	general *widget.Label
}

func newFieldSet() *fieldSet { return &fieldSet{general: errorLabel()} }

func (fs *fieldSet) add(path, labelKey string, input fyne.CanvasObject) *field {
	f := &field{path: path, label: T(labelKey), input: input, msg: errorLabel()}
	fs.fields = append(fs.fields, f)
	return f
}

// form lays the fields out as label / input / problem rows.
func (fs *fieldSet) form() fyne.CanvasObject {
	items := make([]*widget.FormItem, 0, len(fs.fields))
	for _, f := range fs.fields {
		items = append(items, widget.NewFormItem(f.label, container.NewVBox(f.input, f.msg)))
	}
	return container.NewVBox(widget.NewForm(items...), fs.general)
}

// showProblems puts each problem beside its field, in the interface language, and returns
// how many were shown. Problems under a field's path (documents[0].holder.surnames under
// documents[0]) go to the closest field.
func (fs *fieldSet) showProblems(ps forms.Problems) int {
	per := map[*field][]string{}
	var general []string
	n := 0
	for _, p := range ps {
		n++
		text := pick(p.Message.EN, p.Message.NL)
		var best *field
		for _, f := range fs.fields {
			if p.Path == f.path || strings.HasPrefix(p.Path, f.path+".") || strings.HasPrefix(p.Path, f.path+"[") {
				if best == nil || len(f.path) > len(best.path) {
					best = f
				}
			}
		}
		if best == nil {
			general = append(general, p.Path+": "+text)
			continue
		}
		per[best] = append(per[best], text)
	}
	for _, f := range fs.fields {
		setError(f.msg, strings.Join(per[f], "\n"))
	}
	setError(fs.general, strings.Join(general, "\n"))
	return n
}

// entry is a text field holding text whose typing counts as activity for the idle lock.
func (u *UI) entry(text, placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(text)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { u.touch() }
	return e
}

// stepBase gives a step its field set and the plain layout of it; steps embed it and
// override content when they show more than their fields.
type stepBase struct{ fs *fieldSet }

func (b stepBase) fields() *fieldSet { return b.fs }

func (b stepBase) content() fyne.CanvasObject { return b.fs.form() }

// Parsing helpers: an empty entry means "not known", never an error.

func splitNames(s string) []string { return strings.Fields(strings.ToUpper(s)) }

func joinNames(ns []string) string { return strings.Join(ns, " ") }

func splitCodes(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		out = append(out, strings.ToUpper(p))
	}
	return out
}

func parseDate(s string) (forms.PartialDate, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return forms.PartialDate{}, nil
	}
	return forms.ParsePartialDate(s)
}

func dateText(d forms.PartialDate) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// parseTime accepts "YYYY-MM-DD HH:MM" in local time, or RFC 3339.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02 15:04", s, time.Local)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}
