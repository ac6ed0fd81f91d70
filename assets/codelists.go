package assets

import "embed"

// CodeLists holds the reference lists the forms use, as CSV with '#' provenance comments and a
// header row: states.csv (ICAO 9303 state codes), languages.csv (ISO 639-3) and documents.csv
// (MRZ document codes). Package forms/codelist parses them; README.md there says where each
// column comes from.
//
//go:embed codelists/*.csv
var CodeLists embed.FS
