package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/fieldscreen/fieldscreen/biometrics/nist"
)

// The nist group inspects ANSI/NIST-ITL transaction files (Eurodac submissions, reference
// files from scanners) without a vault: they are files the technician already holds.
func init() {
	register(Command{Name: "nist", Summary: "ANSI/NIST-ITL files: dump FILE | check FILE | roundtrip IN OUT", Run: runNIST})
}

func runNIST(e *Env, args []string) error {
	sub, rest, err := subcommand("nist", args, "dump", "check", "roundtrip")
	if err != nil {
		return err
	}
	pos, err := parseMixed(newFlags("nist "+sub), rest)
	if err != nil {
		return usageError("%v", err)
	}
	switch sub {
	case "dump":
		if len(pos) != 1 {
			return usageError("usage: nist dump FILE")
		}
		return nistDump(e, pos[0])
	case "check":
		if len(pos) != 1 {
			return usageError("usage: nist check FILE")
		}
		return nistCheck(e, pos[0])
	default:
		if len(pos) != 2 {
			return usageError("usage: nist roundtrip IN OUT")
		}
		return nistRoundTrip(e, pos[0], pos[1])
	}
}

func nistRead(path string) ([]byte, *nist.Transaction, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	tx, err := nist.ParseBytes(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return b, tx, nil
}

// nistDumpRecord is the JSON shape of one record in `nist dump`.
type nistDumpRecord struct {
	Index  int             `json:"index"`
	Type   int             `json:"type"`
	IDC    int             `json:"idc"`
	Fields []nistDumpField `json:"fields,omitempty"`
	Raw    *nistBlob       `json:"raw,omitempty"` // opaque binary records
}

type nistDumpField struct {
	Tag   string     `json:"tag"`
	Name  string     `json:"name,omitempty"`
	Value *string    `json:"value,omitempty"` // text fields
	Items [][]string `json:"items,omitempty"` // when the value has subfields or items
	Data  *nistBlob  `json:"data,omitempty"`  // binary fields (x.999)
}

type nistBlob struct {
	Length      int    `json:"length"`
	SHA256      string `json:"sha256"`
	Compression string `json:"compression,omitempty"`
}

func nistBlobOf(b []byte) *nistBlob {
	sum := sha256.Sum256(b)
	return &nistBlob{Length: len(b), SHA256: hex.EncodeToString(sum[:])}
}

func nistDump(e *Env, path string) error {
	_, tx, err := nistRead(path)
	if err != nil {
		return err
	}
	out := struct {
		Records []nistDumpRecord `json:"records"`
	}{}
	for i, r := range tx.Records() {
		dr := nistDumpRecord{Index: i, Type: r.Type, IDC: r.IDC()}
		if r.Opaque() {
			dr.Raw = nistBlobOf(r.Raw())
		}
		for _, f := range r.Fields() {
			df := nistDumpField{Tag: nist.Tag(r.Type, f.Num), Name: nist.Mnemonic(r.Type, f.Num)}
			switch {
			case f.Num == 999 || !utf8.Valid(f.Value):
				df.Data = nistBlobOf(f.Value)
				if f.Num == 999 {
					_, df.Data.Compression = r.Image()
				}
			case bytes.ContainsAny(f.Value, "\x1e\x1f"):
				df.Items = f.Items()
			default:
				v := f.String()
				df.Value = &v
			}
			dr.Fields = append(dr.Fields, df)
		}
		out.Records = append(out.Records, dr)
	}
	enc := json.NewEncoder(e.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func nistCheck(e *Env, path string) error {
	_, tx, err := nistRead(path)
	if err != nil {
		return err
	}
	ps := tx.Validate()
	if len(ps) == 0 {
		fmt.Fprintf(e.Stdout, "%s: valid (%d records)\n", filepath.Base(path), len(tx.Records()))
		return nil
	}
	for _, p := range ps {
		fmt.Fprintln(e.Stdout, p.String())
	}
	return &ExitError{Code: 1, Err: fmt.Errorf("%s: %d problem(s)", filepath.Base(path), len(ps))}
}

func nistRoundTrip(e *Env, in, out string) error {
	orig, tx, err := nistRead(in)
	if err != nil {
		return err
	}
	b, err := tx.Bytes()
	if err != nil {
		return err
	}
	if err := nistWriteFile(out, b); err != nil {
		return err
	}
	if !bytes.Equal(b, orig) {
		at := 0
		for at < len(b) && at < len(orig) && b[at] == orig[at] {
			at++
		}
		return &ExitError{Code: 1, Err: fmt.Errorf("wrote %s (%d bytes) but it differs from %s (%d bytes) from byte %d: the input's CNT or a length field was inconsistent and was repaired",
			filepath.Base(out), len(b), filepath.Base(in), len(orig), at)}
	}
	fmt.Fprintf(e.Stdout, "wrote %s: %d bytes, identical to %s\n", filepath.Base(out), len(b), filepath.Base(in))
	return nil
}

// nistWriteFile writes through a temporary file in the same directory and renames it,
// so an interrupted run never leaves a half-written transaction under the final name.
func nistWriteFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".nist-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
