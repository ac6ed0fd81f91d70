package pdf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/carlos7ags/folio/layout"

	"github.com/fieldscreen/fieldscreen/assets"
	"github.com/fieldscreen/fieldscreen/forms"
)

// AccessVersion is the version of the access report's labels (access-v1.<lang>.json).
const AccessVersion = "v1"

// accessTexts is one access-v1.<lang>.json file: the labels the access report adds to the
// screening form's (the form's sections are printed with the form's own labels).
type accessTexts struct {
	Lang              string            `json:"lang"`
	TranslationStatus string            `json:"translationStatus"`
	Labels            map[string]string `json:"labels"`
}

var (
	accessOnce  sync.Once
	accessByLng map[string]*accessTexts
	accessErr   error
)

func loadAccessTexts() (map[string]*accessTexts, error) {
	accessOnce.Do(func() {
		accessByLng = map[string]*accessTexts{}
		prefix := "access-" + AccessVersion + "."
		names, err := assets.Leaflets.ReadDir("leaflets")
		if err != nil {
			accessErr = fmt.Errorf("read access report labels: %w", err)
			return
		}
		for _, n := range names {
			name := n.Name()
			if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".json") {
				continue
			}
			data, err := assets.Leaflets.ReadFile("leaflets/" + name)
			if err != nil {
				accessErr = fmt.Errorf("read %s: %w", name, err)
				return
			}
			var a accessTexts
			if err := json.Unmarshal(data, &a); err != nil {
				accessErr = fmt.Errorf("parse %s: %w", name, err)
				return
			}
			accessByLng[a.Lang] = &a
		}
	})
	return accessByLng, accessErr
}

// RenderAccessReport writes the answer to an access request (GDPR Art 15; Eurodac Art 43) as
// PDF in r.Lang: who answered and when, the screening form's sections with the person's data,
// the biometrics held (listed, no images: forms.AccessBiometrics), every security check per
// system, the packets sent, the corrections, the health details or why they are left out, the
// audit entries about the case or why they are left out, and every stored field of the case
// record. Every page names the case reference; nothing is made up for what is not recorded.
func RenderAccessReport(out io.Writer, r *forms.AccessReport, opts Options) error {
	if r == nil || r.Case == nil {
		return errors.New("render access report: no case")
	}
	c := r.Case
	if strings.TrimSpace(c.Reference) == "" {
		return fmt.Errorf("render access report: %w", ErrNoReference)
	}
	t, err := formLabels(r.Lang)
	if err != nil {
		return fmt.Errorf("render access report: %w", err)
	}
	all, err := loadAccessTexts()
	if err != nil {
		return fmt.Errorf("render access report: %w", err)
	}
	a, ok := all[r.Lang]
	if !ok {
		return fmt.Errorf("render access report %q: %w", r.Lang, ErrLanguage)
	}
	w, err := newWriter(r.Lang, t.Dir, a.Labels["title"]+" "+c.Reference, opts)
	if err != nil {
		return fmt.Errorf("render access report: %w", err)
	}
	x := &accessWriter{formWriter: &formWriter{writer: w, t: t, c: c}, a: a, en: all["en"], r: r}
	x.header()
	x.doc.Add(x.para(x.al("sec.form"), x.bold, headSize+1).SetSpaceBefore(10))
	x.sections()
	x.biometricsHeld()
	x.checks()
	x.packets()
	x.corrections()
	x.health()
	x.audit()
	x.record()
	x.doc.Add(x.para(x.al("rights"), x.reg, bodySize).SetSpaceBefore(10))
	if err := w.finish(out); err != nil {
		return fmt.Errorf("render access report: %w", err)
	}
	return nil
}

type accessWriter struct {
	*formWriter
	a, en *accessTexts
	r     *forms.AccessReport
}

// al is an access report label, English where a translation lacks it (a test makes sure none
// does), the key as a last resort so nothing is silently blank.
func (x *accessWriter) al(key string) string {
	if s, ok := x.a.Labels[key]; ok {
		return s
	}
	if x.en != nil {
		if s, ok := x.en.Labels[key]; ok {
			return s
		}
	}
	return key
}

// aenum is an access label "prefix.code", or the code itself when there is none.
func (x *accessWriter) aenum(prefix, code string) string {
	if code == "" {
		return x.l("notRecorded")
	}
	if s, ok := x.a.Labels[prefix+"."+code]; ok {
		return s
	}
	return code
}

func (x *accessWriter) header() {
	r := x.r
	x.footer(x.l("reference")+": "+r.Case.Reference, x.l("page"), formFooterGap)
	x.doc.Add(x.para(x.al("title"), x.bold, titleSize).SetSpaceAfter(2))
	x.doc.Add(x.para(x.al("subtitle"), x.reg, bodySize))
	x.doc.Add(x.para(x.l("reference")+": "+r.Case.Reference, x.bold, headSize).SetSpaceBefore(6))
	x.doc.Add(x.para(x.l("printed")+": "+x.stamp(r.PrintedAt), x.reg, bodySize))
	x.doc.Add(x.para(x.al("answeredBy")+": "+x.or(r.Supervisor), x.reg, bodySize))
	co := x.l("none")
	if len(r.CoSigners) > 0 {
		co = strings.Join(r.CoSigners, ", ")
	}
	x.doc.Add(x.para(x.al("coSigned")+": "+co, x.reg, bodySize))
	if strings.HasPrefix(x.a.TranslationStatus, "DRAFT") {
		x.doc.Add(x.para(x.a.TranslationStatus, x.reg, smallSize).SetSpaceBefore(2))
	}
	x.doc.Add(x.para(x.al("intro"), x.reg, bodySize+1).SetSpaceBefore(6))
	if r.LangFallback {
		x.doc.Add(x.para(x.al("langNote"), x.bold, bodySize+1).SetSpaceBefore(4))
	}
}

// heading starts one of the report's own sections.
func (x *accessWriter) heading(key string) {
	x.flush()
	x.doc.Add(x.para(x.al(key), x.bold, headSize+1).SetSpaceBefore(12).SetSpaceAfter(3))
}

// grid prints a table with a header row of access labels and the given rows.
func (x *accessWriter) grid(headers []string, rows [][]string) {
	if len(rows) == 0 {
		x.doc.Add(x.para(x.al("leftOut."+forms.LeftOutNoneHeld), x.reg, bodySize))
		return
	}
	widths := make([]float64, len(headers))
	for i := range widths {
		widths[i] = contentW / float64(len(headers))
	}
	t := x.table(widths...)
	h := t.AddHeaderRow()
	for _, k := range headers {
		x.cell(h, x.al(k), x.bold, bodySize).SetBackground(layout.Gray(rowShading))
	}
	for _, row := range rows {
		tr := t.AddRow()
		for _, v := range row {
			x.cell(tr, x.or(v), x.reg, bodySize)
		}
	}
	x.doc.Add(t)
}

func (x *accessWriter) biometricsHeld() {
	x.heading("sec.biometricsHeld")
	var rows [][]string
	for _, f := range forms.AccessBiometrics(x.r.Case) {
		img := x.al("image.none")
		if f.Image {
			img = x.al("image.held")
		}
		q := ""
		if f.Quality > 0 {
			q = fmt.Sprint(f.Quality)
		}
		st := x.enum("finger", string(f.Status))
		if !f.RetakeOn.IsZero() {
			st += " " + f.RetakeOn.String()
		}
		// the ANSI/NIST position after the name: a number first is misplaced in RTL lines
		rows = append(rows, []string{x.aenum("finger", fmt.Sprint(int(f.Position))) + " (" + fmt.Sprint(int(f.Position)) + ")", st, q, x.stampOr(f.At), img})
	}
	fc := x.r.Case.Biometrics.Face
	if fc.Status != "" {
		img := x.al("image.none")
		if fc.ImageRef != "" {
			img = x.al("image.held")
		}
		rows = append(rows, []string{x.l("face"), x.enum("face", string(fc.Status)), "", x.stampOr(fc.At), img})
	}
	x.grid([]string{"col.finger", "col.status", "col.quality", "col.capturedAt", "col.image"}, rows)
	x.doc.Add(x.para(x.al("biometricsNote"), x.reg, smallSize+1).SetSpaceBefore(3))
}

// stampOr is the time, or "" (printed as not recorded) when there is none.
func (x *accessWriter) stampOr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return x.stamp(t)
}

func (x *accessWriter) checks() {
	x.heading("sec.checks")
	var rows [][]string
	for _, ch := range x.r.Case.Checks {
		st := x.enum("check", string(ch.Status))
		if ch.Reason != "" {
			st += ": " + ch.Reason
		}
		rows = append(rows, []string{ch.System, st, x.stampOr(ch.QueriedAt), x.stampOr(ch.AnsweredAt), ch.Reference})
	}
	x.grid([]string{"col.system", "col.status", "col.queriedAt", "col.answeredAt", "col.reference"}, rows)
}

func (x *accessWriter) packets() {
	x.heading("sec.packets")
	var rows [][]string
	for _, p := range x.r.Packets {
		rows = append(rows, []string{x.aenum("packet", p.Kind), x.stampOr(p.Created), x.aenum("state", p.State), x.stampOr(p.DeliveredAt)})
	}
	x.grid([]string{"col.packet", "col.created", "col.state", "col.delivered"}, rows)
}

func (x *accessWriter) corrections() {
	x.heading("sec.corrections")
	var rows [][]string
	for _, c := range x.r.Corrections {
		rows = append(rows, []string{x.stampOr(c.At), c.Field, c.Old, c.New, c.Reason, x.aenum("role", c.Role)})
	}
	x.grid([]string{"col.time", "col.field", "col.old", "col.new", "col.reason", "col.role"}, rows)
}

func (x *accessWriter) health() {
	x.heading("sec.healthDetails")
	d := x.r.Health
	if d == nil {
		why := x.r.HealthLeftOut
		if why == "" {
			why = forms.LeftOutNoneHeld
		}
		x.doc.Add(x.para(x.al("leftOut."+why), x.reg, bodySize+1))
		return
	}
	x.columns(labelW, contentW-labelW)
	for _, kv := range [][2]string{{"health.examiner", d.Examiner}, {"health.at", x.stampOr(d.At)}, {"health.findings", d.Findings},
		{"health.treatment", d.Treatment}, {"health.referredTo", d.ReferredTo}, {"health.publicHealthMeasure", d.PublicHealthMeasure}} {
		r := x.addRow()
		x.cell(r, x.al(kv[0]), x.bold, bodySize)
		x.cell(r, x.or(kv[1]), x.reg, bodySize)
	}
	x.flush()
}

func (x *accessWriter) audit() {
	x.heading("sec.audit")
	if x.r.AuditLeftOut != "" {
		x.doc.Add(x.para(x.al("leftOut."+x.r.AuditLeftOut), x.reg, bodySize+1))
		return
	}
	var rows [][]string
	for _, e := range x.r.Audit {
		rows = append(rows, []string{x.stampOr(e.At), e.Action, x.aenum("role", e.Role), e.Class})
	}
	x.grid([]string{"col.time", "col.action", "col.role", "col.class"}, rows)
}

func (x *accessWriter) record() {
	x.heading("sec.record")
	x.doc.Add(x.para(x.al("recordNote"), x.reg, bodySize).SetSpaceAfter(3))
	var rows [][]string
	for _, f := range x.r.Record {
		rows = append(rows, []string{f.Path, f.Value})
	}
	if len(rows) == 0 {
		x.grid(nil, nil)
		return
	}
	t := x.table(labelW+40, contentW-labelW-40)
	for _, row := range rows {
		tr := t.AddRow()
		x.cell(tr, row[0], x.reg, smallSize+0.5)
		x.cell(tr, row[1], x.reg, smallSize+0.5)
	}
	x.doc.Add(t)
}
