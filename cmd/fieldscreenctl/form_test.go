package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/app/printtest"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
)

func formCtl(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func pdfToText(t *testing.T, path string) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install the Debian package poppler-utils")
	}
	out, err := exec.Command(tool, path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

func TestFormRenderSample(t *testing.T) {
	dir := t.TempDir()
	for _, lang := range []string{"en", "nl", "fr", "ar", "fa"} {
		out := filepath.Join(dir, "form-"+lang+".pdf")
		stdout, stderr, code := formCtl(t, "form", "render", "--sample", "--lang", lang, "--out", out)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", lang, code, stderr)
		}
		if !strings.Contains(stdout, "wrote "+out) {
			t.Errorf("%s: stdout %q", lang, stdout)
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600 (personal data)", lang, fi.Mode().Perm())
		}
		text := pdfToText(t, out)
		if !strings.Contains(text, "SPL-2026-000123") || !strings.Contains(text, "X1234567") {
			t.Errorf("%s: sample data missing from the PDF", lang)
		}
	}
	if !strings.Contains(pdfToText(t, filepath.Join(dir, "form-nl.pdf")), "Screeningsformulier") {
		t.Error("Dutch form has no Dutch title")
	}
}

func TestFormRenderFromFileAndLeaflet(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	c := pdf.SampleCase()
	c.Identity.Surnames = []string{"TESTPERSON-FILE"}
	if err := forms.EncodeCase(&buf, c); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "case.json")
	os.WriteFile(in, buf.Bytes(), 0o600)
	out := filepath.Join(dir, "f.pdf")
	if _, stderr, code := formCtl(t, "form", "render", "--in", in, "--lang", "en", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(pdfToText(t, out), "TESTPERSON-FILE") {
		t.Error("case from file not rendered")
	}
	// An invalid case is refused with its problem paths, and nothing is written.
	c.Documents[0].ExpiryDate = forms.PartialDate{Year: 2020, Month: 1, Day: 1}
	buf.Reset()
	forms.EncodeCase(&buf, c)
	os.WriteFile(in, buf.Bytes(), 0o600)
	bad := filepath.Join(dir, "bad.pdf")
	_, stderr, code := formCtl(t, "form", "render", "--in", in, "--lang", "en", "--out", bad)
	if code != 1 || !strings.Contains(stderr, "documents[0].expiryDate") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("invalid case: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Error("an output file was left for a refused case")
	}
	// Leaflet to standard output.
	stdout, stderr, code := formCtl(t, "form", "leaflet", "--lang", "fa", "--out", "-")
	if code != 0 || !strings.HasPrefix(stdout, "%PDF-") {
		t.Errorf("leaflet: exit %d %s", code, stderr)
	}
	childOut := filepath.Join(dir, "child.pdf")
	if _, stderr, code := formCtl(t, "form", "leaflet", "--child", "--lang", "nl", "--out", childOut); code != 0 {
		t.Fatalf("child leaflet: %d %s", code, stderr)
	}
	if !strings.Contains(pdfToText(t, childOut), "informatie voor kinderen") {
		t.Error("child-friendly leaflet not rendered")
	}
	stdout, _, _ = formCtl(t, "form", "languages")
	var codes []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 || (f[0] == "en") != (f[2] == "source") || (f[0] != "en" && f[2] != "draft translation") {
			t.Errorf("languages line %q", line)
		}
		codes = append(codes, f[0])
	}
	if strings.Join(codes, ",") != "ar,ckb,en,fa,fr,nl,ps,so,ti,tr" {
		t.Errorf("languages: %q", stdout)
	}
}

// TestFormLeafletContacts: the leaflet prints the contacts of a config file in central's
// format, and refuses one whose contacts are invalid.
func TestFormLeafletContacts(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	os.WriteFile(cfg, []byte(`{"dataProtection":{"controller":{"name":"TEST Border Authority","email":"privacy@border.example"},
 "dpo":{"name":"TEST DPO","email":"dpo@border.example"},"supervisoryAuthority":{"name":"TEST DPA","web":"https://dpa.example"}}}`), 0o600)
	out := filepath.Join(dir, "l.pdf")
	if _, stderr, code := formCtl(t, "form", "leaflet", "--lang", "ti", "--contacts", cfg, "--out", out); code != 0 {
		t.Fatalf("leaflet: %d %s", code, stderr)
	}
	if text := pdfToText(t, out); !strings.Contains(text, "dpo@border.example") || !strings.Contains(text, "TEST Border Authority") {
		t.Errorf("contacts not printed:\n%s", text)
	}
	os.WriteFile(cfg, []byte(`{"dataProtection":{"controller":{"name":"X"}}}`), 0o600)
	if _, stderr, code := formCtl(t, "form", "leaflet", "--lang", "en", "--contacts", cfg, "--out", out); code == 0 || !strings.Contains(stderr, "controller has no address") {
		t.Errorf("bad contacts: exit %d, %s", code, stderr)
	}
}

func TestFormUsageErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.pdf")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"form"}, "missing subcommand"},
		{[]string{"form", "draw"}, "unknown subcommand"},
		{[]string{"form", "print"}, "usage: form print --case ID"},
		{[]string{"form", "render", "--sample", "--out", out}, "usage: form render --lang"},
		{[]string{"form", "render", "--sample", "--lang", "de", "--out", out}, `no text in language "de"`},
		{[]string{"form", "render", "--lang", "en", "--out", out}, "exactly one of --sample"},
		{[]string{"form", "render", "--sample", "--in", "x.json", "--lang", "en", "--out", out}, "exactly one of --sample"},
		{[]string{"form", "leaflet", "--sample", "--lang", "en", "--out", out}, "takes no case"},
		{[]string{"form", "render", "--sample", "--lang", "en", "--out", out, "extra"}, "unexpected argument"},
		{[]string{"form", "render", "--bogus"}, "flag provided but not defined"},
		{[]string{"form", "render", "--sample", "--child", "--lang", "en", "--out", out}, "are for form leaflet"},
	} {
		_, stderr, code := formCtl(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	_, stderr, code := formCtl(t, "form", "render", "--in", "/nonexistent/case.json", "--lang", "en", "--out", out)
	if code != 1 || !strings.Contains(stderr, "open case file") {
		t.Errorf("missing file: %d %q", code, stderr)
	}
	_, stderr, code = formCtl(t, "form", "render", "--sample", "--lang", "en", "--out", "/nonexistent-dir/x.pdf")
	if code != 1 || !strings.Contains(stderr, "write /nonexistent-dir/x.pdf") {
		t.Errorf("unwritable output: %d %q", code, stderr)
	}
}

// The vault path: import a case, print it by ID.
func TestFormRenderCaseFromVault(t *testing.T) {
	dir := newVault(t)
	var buf bytes.Buffer
	// an import carries what an officer records; the terminal records the rest later
	s := pdf.SampleCase()
	c := &forms.Case{Trigger: s.Trigger, Info: s.Info, Identity: s.Identity, Documents: s.Documents,
		Vulnerability: s.Vulnerability, Application: s.Application, Family: s.Family, Referral: s.Referral}
	for i := range c.Documents {
		c.Documents[i].Source = "manual" // only a reader on the terminal marks "mrz" (forms.Case.CheckCodes)
	}
	forms.EncodeCase(&buf, c)
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, buf.String(), "case", "import"))
	out := filepath.Join(t.TempDir(), "case.pdf")
	mustCtl(t, dir, "off1", offPass, "", "form", "render", "--case", id, "--lang", "ar", "--out", out)
	if text := pdfToText(t, out); !strings.Contains(text, "TESTPERSON") {
		t.Errorf("vault case not rendered:\n%s", text)
	}
}

// One real run of the built binary.
func TestFormBinary(t *testing.T) {
	bin := ctlBin(t)
	out := filepath.Join(t.TempDir(), "form.pdf")
	cmd := exec.Command(bin, "form", "render", "--sample", "--lang", "ar", "--out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("form render: %v %s", err, b)
	}
	if !strings.Contains(pdfToText(t, out), "SPL-2026-000123") {
		t.Error("binary output has no case reference")
	}
	cmd = exec.Command(bin, "form", "render", "--lang", "ar", "--out", out)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("usage error: %v %q", err, errb.String())
	}
}

// TestFormPrintThroughCUPS: form print sends the vault case's form to a real CUPS queue from
// memory and leaves no PDF in the temp folder (issue 14 item 5).
func TestFormPrintThroughCUPS(t *testing.T) {
	cups := printtest.Start(t)
	dir := newVault(t)
	var buf bytes.Buffer
	forms.EncodeCase(&buf, &forms.Case{Trigger: pdf.SampleCase().Trigger, Identity: pdf.SampleCase().Identity})
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, buf.String(), "case", "import"))
	out := mustCtl(t, dir, "off1", offPass, "", "form", "print", "--case", id, "--lang", "en", "--printer", cups.Queue)
	if !strings.Contains(out, "sent to printer "+cups.Queue) {
		t.Fatalf("form print: %s", out)
	}
	job := strings.TrimSuffix(out[strings.Index(out, "(job ")+5:], ")\n")
	paper := cups.Job(t, job)
	f := filepath.Join(t.TempDir(), "paper.pdf")
	os.WriteFile(f, paper, 0o600)
	if text := pdfToText(t, f); !strings.Contains(text, "TESTPERSON") {
		t.Errorf("printed form:\n%s", text)
	}
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "form", "print", "--case", id, "--lang", "en"); code != 2 || !strings.Contains(errs, "--printer QUEUE") {
		t.Fatalf("form print without --printer: exit %d %s", code, errs)
	}
}
