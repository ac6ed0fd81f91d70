package assets

import _ "embed"

// FontRegular and FontBold are DejaVu Sans (Debian fonts-dejavu-core 2.37), embedded so the
// printed screening form and leaflet look the same on every terminal and cover Latin and
// Arabic script (Arabic and Persian letters). Provenance and licence: fonts/README.md.
var (
	//go:embed fonts/DejaVuSans.ttf
	FontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	FontBold []byte
)
