package app

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
)

// CommandsFor turns an edited copy of a case into the named commands that make base into
// it, section by section, so a screen that edits a copy and a script that sends a whole
// case (case update) change a case the same way as every other caller: through Do, with
// its rules and revision check. Sections only the system writes, and the stamps the
// terminal sets (times, examiner, screener, leaflet version), must be unchanged in edited:
// otherwise it returns *ProtectedError naming the first such field. Lifecycle moves
// (status) become their commands; history, outcome and open checks follow from them.
func CommandsFor(base, edited *forms.Case) ([]Command, error) {
	var cmds []Command
	same := func(a, b any) bool { return reflect.DeepEqual(a, b) || jsonEqual(a, b) }
	protect := func(field string) error { return &ProtectedError{Field: field} }
	stamp := func(field string) error {
		return &ProtectedError{Field: field, Reason: "stamped by the terminal when the step is recorded, never typed"}
	}

	if edited.Reference != base.Reference {
		return nil, &ProtectedError{Field: "reference", Reason: "the case reference is made by the terminal and printed on the form; it never changes"}
	}
	bt, et := base.Trigger, edited.Trigger
	if bt.Reason != et.Reason || bt.Place != et.Place || !bt.At.Equal(et.At) || bt.HeldAtBorderOver72h != et.HeldAtBorderOver72h {
		cmds = append(cmds, SetTrigger{edited.Trigger})
	}

	bi, ei := base.Info, edited.Info
	if !bi.At.Equal(ei.At) {
		return nil, stamp("information.at")
	}
	if bi.LeafletVersion != ei.LeafletVersion {
		return nil, stamp("information.leafletVersion")
	}
	if bi.Medium != ei.Medium {
		return nil, stamp("information.medium")
	}
	if !same(bi, ei) {
		cmds = append(cmds, RecordInformation{ei})
	}
	for _, h := range []struct {
		doc  string
		b, e forms.HandedOver
	}{{forms.HandoverForm, base.Handover.Form, edited.Handover.Form}, {forms.HandoverLeaflet, base.Handover.Leaflet, edited.Handover.Leaflet}} {
		if h.b.Version != h.e.Version || !h.b.At.Equal(h.e.At) || h.b.By != h.e.By {
			return nil, stamp("handover." + h.doc + " (version, at, by)")
		}
		if h.b.Status != h.e.Status || h.b.Language != h.e.Language {
			cmds = append(cmds, RecordHandover{Document: h.doc, Status: h.e.Status, Language: h.e.Language})
		}
	}

	if !same(base.Identity, edited.Identity) {
		cmds = append(cmds, SetIdentity{edited.Identity})
	}
	cmds = append(cmds, documentCommands(base.Documents, edited.Documents, same)...)

	bh, eh := base.Health, edited.Health
	if bh.Examiner != eh.Examiner {
		return nil, stamp("health.examiner")
	}
	if !bh.At.Equal(eh.At) {
		return nil, stamp("health.at")
	}
	if bh.Result != eh.Result || bh.DefersBiometrics != eh.DefersBiometrics {
		cmds = append(cmds, RecordHealth{Outcome: forms.HealthOutcome{Result: eh.Result, DefersBiometrics: eh.DefersBiometrics}})
	}

	bv, ev := base.Vulnerability, edited.Vulnerability
	if bv.Screener != ev.Screener {
		return nil, stamp("vulnerability.screener")
	}
	if !bv.At.Equal(ev.At) {
		return nil, stamp("vulnerability.at")
	}
	if !same(bv, ev) {
		cmds = append(cmds, RecordVulnerability{ev})
	}

	if !same(base.Application, edited.Application) {
		cmds = append(cmds, RecordApplication{edited.Application})
	}
	if !same(base.Family, edited.Family) || base.FamilyInMemberState != edited.FamilyInMemberState {
		cmds = append(cmds, SetFamily{Family: edited.Family, Answer: edited.FamilyInMemberState})
	}
	bc, ec := base.Cooperation, edited.Cooperation
	if !bc.At.Equal(ec.At) {
		return nil, stamp("cooperation.at")
	}
	if !same(bc, ec) {
		cmds = append(cmds, RecordCooperation{ec})
	}
	if !same(base.Statement, edited.Statement) {
		cmds = append(cmds, RecordStatement{edited.Statement})
	}
	bk, ek := base.Remarks, edited.Remarks
	if !bk.CopyAt.Equal(ek.CopyAt) {
		return nil, stamp("remarks.copyAt")
	}
	if !same(bk, ek) {
		cmds = append(cmds, RecordRemarks{ek})
	}
	bn, en := notEstablished(base), notEstablished(edited)
	for _, it := range forms.Art17Items {
		if bn[it.Path] != en[it.Path] {
			cmds = append(cmds, SetNotEstablished{Item: it.Path, Reason: en[it.Path]})
		}
	}
	for item := range en {
		if _, ok := bn[item]; !ok && !isArt17Item(item) {
			cmds = append(cmds, SetNotEstablished{Item: item, Reason: en[item]}) // refused by forms, naming it
		}
	}

	if !same(base.Checks, edited.Checks) {
		return nil, protect("securityChecks")
	}
	if !same(base.FormPackets, edited.FormPackets) {
		return nil, protect("formPackets")
	}
	if !same(base.Corrections, edited.Corrections) {
		return nil, &ProtectedError{Field: "corrections", Reason: "recorded by a supervisor's correction (fieldscreenctl case correct), never typed"}
	}
	if bf, ef := flagOf(base), flagOf(edited); bf != ef {
		if ef.By != bf.By || !ef.At.Equal(bf.At) {
			return nil, stamp("securityFlag")
		}
		cmds = append(cmds, SetSecurityFlag{edited.SecurityFlag})
	}
	be, ee := base.Eurodac, edited.Eurodac
	be.Category, ee.Category = "", ""
	if !same(be, ee) {
		return nil, protect("eurodac")
	}
	if base.Eurodac.Category != edited.Eurodac.Category {
		cmds = append(cmds, SetEurodacCategory{edited.Eurodac.Category})
	}

	bb, eb := base.Biometrics, edited.Biometrics
	if !same(bb.Face, eb.Face) {
		return nil, protect("biometrics.face")
	}
	if bb.Operator != eb.Operator {
		return nil, protect("biometrics.operator")
	}
	if !bb.CapturedAt.Equal(eb.CapturedAt) {
		return nil, protect("biometrics.capturedAt")
	}
	if !same(captured(bb.Fingers), captured(eb.Fingers)) {
		return nil, protect("biometrics.fingers (captured)")
	}
	if !same(bb.Companion, eb.Companion) {
		cmds = append(cmds, SetCompanion{eb.Companion})
	}
	bx, ex := base.FingerExceptions(), edited.FingerExceptions()
	for pos := forms.RightThumb; pos <= forms.LeftLittle; pos++ {
		if b, e := bx[pos], ex[pos]; b != e {
			cmds = append(cmds, SetFingerException{Position: pos, Status: e.Status, RetakeOn: e.RetakeOn})
		}
	}
	if len(eb.Refusals) < len(bb.Refusals) || len(bb.Refusals) > 0 && !same(bb.Refusals, eb.Refusals[:len(bb.Refusals)]) {
		return nil, &ProtectedError{Field: "biometrics.refusals", Reason: "recorded refusals stay on record: add a new one"}
	}
	for _, r := range eb.Refusals[len(bb.Refusals):] {
		cmds = append(cmds, RecordRefusal{What: r.What, Informed: r.Informed})
	}

	if len(edited.DeadlineMisses) < len(base.DeadlineMisses) || len(base.DeadlineMisses) > 0 && !same(base.DeadlineMisses, edited.DeadlineMisses[:len(base.DeadlineMisses)]) {
		return nil, &ProtectedError{Field: "deadlineMisses", Reason: "recorded reasons stay on record: add a new one"}
	}
	for _, m := range edited.DeadlineMisses[len(base.DeadlineMisses):] {
		cmds = append(cmds, RecordDeadlineMiss{m})
	}

	// the lifecycle last: completing the form needs everything above
	if !same(base.History, edited.History) {
		return nil, &ProtectedError{Field: "history", Reason: "the terminal writes the history as the status changes"}
	}
	if !same(base.OpenChecks, edited.OpenChecks) {
		return nil, &ProtectedError{Field: "openChecks", Reason: "listed by the terminal when the screening ends at the deadline"}
	}
	bs, es := statusOf(base), statusOf(edited)
	br, er := base.Referral, edited.Referral
	if !br.At.Equal(er.At) {
		return nil, stamp("referral.at")
	}
	switch {
	case es == bs:
		if base.Outcome != edited.Outcome {
			return nil, &ProtectedError{Field: "outcome", Reason: "set when the form is completed or the screening ends at the deadline"}
		}
		if !same(br, er) {
			cmds = append(cmds, RecordReferral{er})
		}
	case es == forms.StatusFormCompleted || es == forms.StatusReferred || es == forms.StatusClosed:
		if bs != forms.StatusFormCompleted && bs != forms.StatusReferred && bs != forms.StatusClosed {
			switch edited.Outcome {
			case forms.OutcomeEndedAtDeadlineWithOpenChecks:
				cmds = append(cmds, EndAtDeadline{})
			case "", forms.OutcomeCompleted:
				cmds = append(cmds, CompleteForm{})
			default:
				return nil, &ProtectedError{Field: "outcome", Reason: fmt.Sprintf("%q is not an outcome", edited.Outcome)}
			}
		}
		if !same(br, er) || es != forms.StatusFormCompleted {
			cmds = append(cmds, RecordReferral{er})
		}
		if es == forms.StatusClosed {
			cmds = append(cmds, ChangeStatus{forms.StatusClosed})
		}
	default:
		if base.Outcome != edited.Outcome {
			return nil, &ProtectedError{Field: "outcome", Reason: "set when the form is completed or the screening ends at the deadline"}
		}
		if !same(br, er) {
			cmds = append(cmds, RecordReferral{er})
		}
		cmds = append(cmds, ChangeStatus{es})
	}
	return cmds, nil
}

// notEstablished maps each item marked as not established to its reason (the mark's time
// is the terminal's stamp and not compared).
func notEstablished(c *forms.Case) map[string]string {
	m := map[string]string{}
	for _, n := range c.NotEstablished {
		m[n.Item] = n.Reason
	}
	return m
}

func isArt17Item(path string) bool {
	for _, it := range forms.Art17Items {
		if it.Path == path {
			return true
		}
	}
	return false
}

// flagOf is the case's security flag as a value (zero when not set), for comparing.
func flagOf(c *forms.Case) forms.SecurityFlag {
	if c.SecurityFlag == nil {
		return forms.SecurityFlag{}
	}
	return *c.SecurityFlag
}

func statusOf(c *forms.Case) forms.Status {
	if c.Status == "" {
		return forms.StatusOpened
	}
	return c.Status
}

func captured(fs []forms.Finger) []forms.Finger {
	var out []forms.Finger
	for _, f := range fs {
		if f.Status == forms.FingerCaptured {
			out = append(out, f)
		}
	}
	return out
}

// Rebase carries a screen's unsaved edits over to the case as it is now. base is the case
// the screen read, edited the screen's copy with the officer's input, fresh the stored case
// after someone changed it. When the change touched only what the system fills (results,
// captures, submissions, lifecycle moves), the edits cannot conflict with it: Rebase returns
// fresh as the new base and the edits applied on fresh's system sections, ok true. When an
// officer's section changed too, ok is false and the screen must show fresh and ask the
// officer to redo their change (it returns fresh and a copy of it).
func Rebase(base, edited, fresh *forms.Case, now time.Time) (newBase, newEdited *forms.Case, ok bool) {
	probe := base.Clone()
	copySystem(probe, fresh)
	if cmds, err := CommandsFor(probe, fresh); err != nil || len(cmds) > 0 {
		return fresh.Clone(), fresh.Clone(), false
	}
	e := edited.Clone()
	copySystem(e, fresh)
	// the officer's unsaved finger exceptions, on top of fresh's finger records
	bx, ex := base.FingerExceptions(), edited.FingerExceptions()
	for pos := forms.RightThumb; pos <= forms.LeftLittle; pos++ {
		if bx[pos] != ex[pos] {
			if err := e.SetFingerException(pos, ex[pos].Status, ex[pos].RetakeOn, now); err != nil {
				return fresh.Clone(), fresh.Clone(), false // the finger was captured meanwhile
			}
		}
	}
	return fresh.Clone(), e, true
}

// copySystem puts src's system sections on dst (see systemSections).
func copySystem(dst, src *forms.Case) {
	dst.Reference, dst.Status, dst.Outcome = src.Reference, src.Status, src.Outcome
	dst.History = append([]forms.StatusChange(nil), src.History...)
	dst.OpenChecks = append([]string(nil), src.OpenChecks...)
	dst.Checks = append([]forms.SecurityCheck(nil), src.Checks...)
	dst.FormPackets = append([]forms.FormPacket(nil), src.FormPackets...)
	dst.Corrections = append([]forms.Correction(nil), src.Corrections...)
	cat := dst.Eurodac.Category
	dst.Eurodac = src.Eurodac
	if src.Eurodac.Reference == "" {
		dst.Eurodac.Category = cat
	}
	dst.Biometrics.Fingers = append([]forms.Finger(nil), src.Biometrics.Fingers...)
	dst.Biometrics.Cleared = append([]forms.ClearedException(nil), src.Biometrics.Cleared...)
	dst.Biometrics.Face = src.Biometrics.Face
	dst.Biometrics.Operator, dst.Biometrics.CapturedAt = src.Biometrics.Operator, src.Biometrics.CapturedAt
}

// documentCommands makes base's documents into edited's. Documents removed from the middle
// or the front are removed as such (RemoveDocument, which deletes the document's scan) when
// the remaining ones keep their order, rather than by recording each later document one
// place up: forms keeps a document's scan for whatever is recorded at its index, so the
// document that moved up would take the removed one's scan (and Eurodac would get it as that
// document's copy). A document matches its base entry when unchanged or when both carry the
// same scan; otherwise the lists are compared place by place as before.
func documentCommands(base, edited []forms.Document, same func(a, b any) bool) []Command {
	var cmds []Command
	if removed, ok := removedDocuments(base, edited, same); ok {
		for k := len(removed) - 1; k >= 0; k-- {
			cmds = append(cmds, RemoveDocument{Index: removed[k]})
		}
		base = slices.Clone(base)
		for k := len(removed) - 1; k >= 0; k-- {
			base = slices.Delete(base, removed[k], removed[k]+1)
		}
	}
	for i := range edited {
		if i >= len(base) || !same(base[i], edited[i]) {
			cmds = append(cmds, RecordDocument{Index: i, Document: edited[i]})
		}
	}
	for i := len(base) - 1; i >= len(edited); i-- {
		cmds = append(cmds, RemoveDocument{Index: i})
	}
	return cmds
}

// removedDocuments finds, when edited is base with some documents taken out before its
// end (the rest in order, each unchanged or carrying the same scan), the indices in base of
// those taken out, ascending; ok is false otherwise.
func removedDocuments(base, edited []forms.Document, same func(a, b any) bool) (removed []int, ok bool) {
	if len(edited) >= len(base) {
		return nil, false
	}
	j := 0
	for _, e := range edited {
		for j < len(base) && !(same(base[j], e) || base[j].ScanRef != "" && base[j].ScanRef == e.ScanRef) {
			removed = append(removed, j)
			j++
		}
		if j == len(base) {
			return nil, false
		}
		j++
	}
	if len(removed) == 0 {
		return nil, false // only trailing documents go: the place-by-place comparison does it
	}
	for ; j < len(base); j++ {
		removed = append(removed, j)
	}
	return removed, true
}
