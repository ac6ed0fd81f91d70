// Command genstates writes assets/codelists/states.csv: the ICAO 9303 Part 3 state codes with
// English and Dutch names.
//
// ISO 3166-1 codes and names come from Debian's iso-codes package (the JSON list and its Dutch
// message catalogue), so the list can be regenerated and diffed when ISO changes a name; the
// codes ICAO 9303 Part 3 section 5 adds beyond ISO 3166-1 are below, transcribed with Dutch
// names written for this project. Run from the module root:
//
//	go run ./forms/codelist/internal/genstates > assets/codelists/states.csv
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

const (
	isoJSON = "/usr/share/iso-codes/json/iso_3166-1.json"
	isoNL   = "/usr/share/locale/nl/LC_MESSAGES/iso_3166-1.mo"
)

// icao are the codes of ICAO 9303 Part 3 section 5 that are not ISO 3166-1 alpha-3 codes, with
// the part of the table they come from as their kind.
var icao = []struct{ code, kind, en, nl string }{
	{"D", "icao", "Germany", "Duitsland"},
	{"GBD", "icao", "British Overseas Territories Citizen", "Brits burger van overzeese gebiedsdelen"},
	{"GBN", "icao", "British National (Overseas)", "Brits onderdaan (overzee)"},
	{"GBO", "icao", "British Overseas Citizen", "Brits overzees burger"},
	{"GBP", "icao", "British Protected Person", "Brits beschermd persoon"},
	{"GBS", "icao", "British Subject", "Brits onderdaan"},
	{"RKS", "icao", "Kosovo", "Kosovo"},
	{"EUE", "icao", "European Union", "Europese Unie"},
	{"UNO", "icao", "United Nations Organization or one of its officials", "Verenigde Naties of een van haar functionarissen"},
	{"UNA", "icao", "United Nations specialized agency or one of its officials", "Gespecialiseerd agentschap van de Verenigde Naties of een van zijn functionarissen"},
	{"UNK", "icao", "Resident of Kosovo with a travel document issued by UNMIK", "Ingezetene van Kosovo met een reisdocument van UNMIK"},
	{"XBA", "icao", "African Development Bank", "Afrikaanse Ontwikkelingsbank"},
	{"XIM", "icao", "African Export-Import Bank", "Afrikaanse Export-Importbank"},
	{"XCC", "icao", "Caribbean Community (CARICOM)", "Caribische Gemeenschap (CARICOM)"},
	{"XCE", "icao", "Council of Europe", "Raad van Europa"},
	{"XCO", "icao", "Common Market for Eastern and Southern Africa (COMESA)", "Gemeenschappelijke Markt voor Oostelijk en Zuidelijk Afrika (COMESA)"},
	{"XEC", "icao", "Economic Community of West African States (ECOWAS)", "Economische Gemeenschap van West-Afrikaanse Staten (ECOWAS)"},
	{"XPO", "icao", "International Criminal Police Organization (INTERPOL)", "Internationale Criminele Politieorganisatie (INTERPOL)"},
	{"XES", "icao", "Organisation of Eastern Caribbean States (OECS)", "Organisatie van Oost-Caribische Staten (OECS)"},
	{"XMP", "icao", "Parliamentary Assembly of the Mediterranean (PAM)", "Parlementaire Vergadering van de Middellandse Zee (PAM)"},
	{"XOM", "icao", "Sovereign Military Order of Malta", "Soevereine Militaire Orde van Malta"},
	{"XDC", "icao", "Southern African Development Community (SADC)", "Ontwikkelingsgemeenschap van Zuidelijk Afrika (SADC)"},
	{"XXA", "nonational", "Stateless person (1954 Convention)", "Staatloze (Verdrag van 1954)"},
	{"XXB", "nonational", "Refugee (1951 Convention)", "Vluchteling (Verdrag van 1951)"},
	{"XXC", "nonational", "Refugee, other than under XXB", "Vluchteling, anders dan onder XXB"},
	{"XXX", "nonational", "Unspecified nationality", "Nationaliteit niet gespecificeerd"},
	{"ANT", "deprecated", "Netherlands Antilles", "Nederlandse Antillen"},
	{"NTZ", "deprecated", "Neutral Zone", "Neutrale Zone"},
	{"UTO", "specimen", "Utopia (specimen documents only)", "Utopia (alleen voorbeelddocumenten)"},
	{"IAO", "icao", "International Civil Aviation Organization (master lists only)", "Internationale Burgerluchtvaartorganisatie (alleen masterlijsten)"},
}

func main() {
	if err := gen(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "genstates:", err, "(install Debian's iso-codes package)")
		os.Exit(1)
	}
}

// gen writes the list to out.
func gen(out io.Writer) error {
	raw, err := os.ReadFile(isoJSON)
	if err != nil {
		return err
	}
	var doc struct {
		List []struct {
			Alpha3     string `json:"alpha_3"`
			Name       string `json:"name"`
			CommonName string `json:"common_name"`
		} `json:"3166-1"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", isoJSON, err)
	}
	mo, err := os.ReadFile(isoNL)
	if err != nil {
		return err
	}
	nl, err := readMO(mo)
	if err != nil {
		return fmt.Errorf("%s: %w", isoNL, err)
	}
	type row struct{ code, kind, en, nl string }
	var rows []row
	for _, c := range doc.List {
		en := c.Name
		if c.CommonName != "" {
			en = c.CommonName // "Syria", not "Syrian Arab Republic": what an officer reads
		}
		d := nl[en]
		if d == "" {
			d = nl[c.Name]
		}
		if d == "" {
			return fmt.Errorf("no Dutch name for %s %q", c.Alpha3, en)
		}
		rows = append(rows, row{c.Alpha3, "iso", en, d})
	}
	for _, c := range icao {
		rows = append(rows, row{c.code, c.kind, c.en, c.nl})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].code < rows[j].code })
	fmt.Fprint(out, `# ICAO 9303 Part 3 (8th edition) section 5 codes for issuing states and nationalities.
# kind: iso = ISO 3166-1 alpha-3; icao = ICAO-only code (Germany's D, British nationality
# classes, Kosovo, EU, UN, other issuing bodies); nonational = person without a defined
# nationality (XXA stateless, XXB/XXC refugee, XXX unspecified); deprecated = withdrawn
# from ISO 3166 but still on older documents; specimen = sample documents only.
`)
	fmt.Fprintf(out, "# Generated by forms/codelist/internal/genstates from Debian iso-codes %s; do not edit by hand.\n", isoVersion())
	w := csv.NewWriter(out)
	if err := w.Write([]string{"code", "kind", "en", "nl"}); err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Write([]string{r.code, r.kind, r.en, r.nl}); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// isoVersion names the iso-codes release the names came from, for provenance.
func isoVersion() string {
	st, err := os.ReadFile("/var/lib/dpkg/status")
	if err != nil {
		return "(version unknown)"
	}
	for _, para := range strings.Split(string(st), "\n\n") {
		if strings.HasPrefix(para, "Package: iso-codes\n") {
			for _, l := range strings.Split(para, "\n") {
				if v, ok := strings.CutPrefix(l, "Version: "); ok {
					return v
				}
			}
		}
	}
	return "(version unknown)"
}

// readMO reads a GNU gettext .mo catalogue into msgid → msgstr.
func readMO(b []byte) (map[string]string, error) {
	if len(b) < 28 {
		return nil, fmt.Errorf("too short for a .mo file")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if bytes.Equal(b[:4], []byte{0x95, 0x04, 0x12, 0xde}) {
		bo = binary.BigEndian
	} else if !bytes.Equal(b[:4], []byte{0xde, 0x12, 0x04, 0x95}) {
		return nil, fmt.Errorf("not a .mo file")
	}
	n, origs, trans := int(bo.Uint32(b[8:])), int(bo.Uint32(b[12:])), int(bo.Uint32(b[16:]))
	if n > len(b)/16 {
		return nil, fmt.Errorf("%d messages cannot fit in %d bytes", n, len(b))
	}
	str := func(table, i int) (string, error) {
		at := table + 8*i
		if at+8 > len(b) {
			return "", fmt.Errorf("string table out of range")
		}
		l, off := int(bo.Uint32(b[at:])), int(bo.Uint32(b[at+4:]))
		if off+l > len(b) {
			return "", fmt.Errorf("string out of range")
		}
		return string(b[off : off+l]), nil
	}
	m := make(map[string]string, n)
	for i := 0; i < n; i++ {
		id, err := str(origs, i)
		if err != nil {
			return nil, err
		}
		s, err := str(trans, i)
		if err != nil {
			return nil, err
		}
		m[id] = s
	}
	return m, nil
}
