package assets

import _ "embed"

// Icon is the application icon, 512×512 PNG, drawn by scripts/icon (its provenance): the
// window and task bar show it, and `make package` scales it to the sizes desktops use.
//
//go:embed icon.png
var Icon []byte
