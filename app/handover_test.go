package app

import (
	"bytes"
	"encoding/csv"
	"errors"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestRecordHandoverCommand (SR Art 11, Art 17): an officer records through Do that the
// person received the leaflet and refused the form's copy; the terminal stamps the version it
// prints, the time and the officer; a medic may not; an edited copy that changes a stamp is
// refused, one that changes the status becomes the command; the monitoring export carries the
// two codes.
func TestRecordHandoverCommand(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	id, err := off.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	rev, err := off.Do(id, 1,
		RecordHandover{Document: forms.HandoverLeaflet, Status: forms.HandoverReceived, Language: "ti"},
		RecordHandover{Document: forms.HandoverForm, Status: forms.HandoverRefused, Language: "ti"})
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := off.ReadCase(id)
	if l := c.Handover.Leaflet; l.Status != forms.HandoverReceived || l.Language != "ti" || l.Version != "v2" || l.By != "off" || l.At.IsZero() {
		t.Errorf("leaflet handover %+v", l)
	}
	if f := c.Handover.Form; f.Status != forms.HandoverRefused || f.Version != "v1" || f.By != "off" {
		t.Errorf("form handover %+v", f)
	}

	// an edited copy: a stamp may not be typed; a status change is the command
	edited := *c
	edited.Handover.Form.By = "someone else"
	var pe *ProtectedError
	if _, err := CommandsFor(c, &edited); !errors.As(err, &pe) {
		t.Fatalf("typed stamp: %v, want *ProtectedError", err)
	}
	edited = *c
	edited.Handover.Form.Status = ""
	cmds, err := CommandsFor(c, &edited)
	if err != nil || len(cmds) != 1 || cmds[0] != (RecordHandover{Document: forms.HandoverForm, Language: "ti"}) {
		t.Fatalf("CommandsFor = %v, %v", cmds, err)
	}
	if _, err := off.Do(id, rev, cmds...); err != nil {
		t.Fatal(err)
	}

	sup, _ := term.Unlock("sup", []byte(testPass))
	if err := sup.AddUser("med", vault.Medic, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	med, _ := term.Unlock("med", []byte(testPass))
	if _, err := med.Do(id, rev+1, RecordHandover{Document: forms.HandoverForm, Status: forms.HandoverReceived, Language: "ti"}); !errors.Is(err, ErrMedicEdit) {
		t.Fatalf("medic records a handover: %v", err)
	}

	if err := sup.AddUser("mon", vault.Monitor, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	mon, _ := term.Unlock("mon", []byte(testPass))
	exp, err := mon.ExportMonitoring(Period{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(exp.CSV)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v %v", rows, err)
	}
	col := map[string]string{}
	for i, h := range rows[0] {
		col[h] = rows[1][i]
	}
	if col["leaflet_received"] != "received" || col["form_received"] != forms.HandoverNotRecorded {
		t.Errorf("monitoring export: leaflet %q, form %q", col["leaflet_received"], col["form_received"])
	}
}
