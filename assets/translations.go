package assets

import "embed"

// Translations holds the interface strings, one JSON file per language (en.json, nl.json),
// in the go-i18n flat format that Fyne's lang package reads.
//
//go:embed translations/*.json
var Translations embed.FS
