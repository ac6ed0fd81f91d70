//go:build deps

// Package deps pins the project's third-party modules while packages are being written in
// parallel; it is never built (tag "deps") and goes once every module is imported for real.
package deps

import (
	_ "filippo.io/age"
	_ "fyne.io/fyne/v2/app"
	_ "fyne.io/fyne/v2/lang"
	_ "fyne.io/fyne/v2/test"
	_ "fyne.io/fyne/v2/widget"
	_ "github.com/blackjack/webcam"
	_ "github.com/boombuler/barcode/qr"
	_ "github.com/carlos7ags/folio/document"
	_ "github.com/esimov/pigo/core"
	_ "github.com/go-resty/resty/v2"
	_ "github.com/makiuchi-d/gozxing/qrcode"
	_ "go.bug.st/serial"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/crypto/chacha20poly1305"
	_ "golang.org/x/crypto/curve25519"
	_ "golang.org/x/crypto/hkdf"
	_ "golang.org/x/image/draw"
	_ "golang.org/x/text/language"
	_ "golang.org/x/time/rate"
)
