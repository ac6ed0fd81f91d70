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

// Noto Sans Arabic and Noto Sans Ethiopic (Debian fonts-noto-core 20201225-1, SIL Open Font
// Licence 1.1) cover what DejaVu Sans does not: every Pashto and Sorani Kurdish letter with its
// joined forms (DejaVu lacks Pashto U+06CD), and the Ethiopic syllabary for Tigrinya. They are
// used only for those languages, so the Arabic and Farsi forms keep their look.
var (
	//go:embed fonts/NotoSansArabic-Regular.ttf
	FontArabicRegular []byte
	//go:embed fonts/NotoSansArabic-Bold.ttf
	FontArabicBold []byte
	//go:embed fonts/NotoSansEthiopic-Regular.ttf
	FontEthiopicRegular []byte
	//go:embed fonts/NotoSansEthiopic-Bold.ttf
	FontEthiopicBold []byte
)
