package hardware

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestErrorsMatchAndSpeakBothLanguages(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	timeout := ContextError(ctx, "sim:finger:1")
	for _, tc := range []struct {
		name string
		err  error
		is   error
	}{
		{"wrapped busy", fmt.Errorf("slap: %w", Errorf(CodeBusy, "x", "second capture")), ErrBusy},
		{"not found", Errorf(CodeNotFound, "x", "port closed"), ErrNotFound},
		{"timeout", timeout, ErrTimeout},
		{"quality", &QualityError{Finger: 2, Score: 12, Threshold: 40}, ErrBelowThreshold},
		{"not paired", &Error{Code: CodeNotPaired, Device: "x"}, ErrNotPaired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, tc.is) {
				t.Fatalf("%v does not match %v", tc.err, tc.is)
			}
			en, nl := Sentence(tc.err, "en"), Sentence(tc.err, "nl-NL")
			if en == nl || !strings.HasSuffix(en, ".") || !strings.HasSuffix(nl, ".") {
				t.Errorf("sentences en %q nl %q", en, nl)
			}
		})
	}
	if !errors.Is(timeout, context.DeadlineExceeded) {
		t.Error("timeout does not match context.DeadlineExceeded")
	}
	if errors.Is(Errorf(CodeBusy, "x", "y"), ErrTimeout) {
		t.Error("busy matches timeout")
	}
	if s := Sentence(&QualityError{Finger: 2, Score: 12, Threshold: 40}, "nl"); !strings.Contains(s, "12") || !strings.Contains(s, "40") {
		t.Errorf("quality sentence lacks the numbers: %q", s)
	}
}

func TestIdentityIDIsSafeAndDiffNamesFields(t *testing.T) {
	a := Identity{Driver: "sbi", Kind: Finger, Make: "M", Model: "X", Serial: "AB 12/../3", Firmware: "1", CertFingerprint: "AA"}
	if id := a.ID(); id != "sbi:finger:AB_12_.._3" {
		t.Errorf("ID %q", id)
	}
	b := a
	b.Firmware, b.CertFingerprint = "2", "BB"
	if d := a.Diff(b); strings.Join(d, ",") != "firmware,certificate" {
		t.Errorf("diff %v", d)
	}
}
