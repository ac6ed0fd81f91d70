// Package assets embeds the files the terminal ships: code lists, leaflet texts, fonts, translations.
package assets
