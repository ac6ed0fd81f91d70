package assets

import "embed"

// Leaflets holds, per language, the information leaflet (leaflet-<version>.<lang>.json) and the
// labels of the printed screening form (form-<version>.<lang>.json). Each file says whether its
// text is the English source or a draft translation that a sworn translator must review.
// Languages: en, nl, fr, ar, fa. See leaflets/README.md.
//
//go:embed leaflets/*.json
var Leaflets embed.FS
