module github.com/fieldscreen/fieldscreen

go 1.26.8

require (
	filippo.io/age v1.2.1 // indirect
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/blackjack/webcam v0.6.1 // indirect
	github.com/boombuler/barcode v1.1.0 // indirect
	github.com/carlos7ags/folio v0.11.0 // indirect
	github.com/creack/goselect v0.1.2 // indirect
	github.com/esimov/pigo v1.4.6 // indirect
	github.com/go-resty/resty/v2 v2.17.2 // indirect
	github.com/makiuchi-d/gozxing v0.1.1 // indirect
	go.bug.st/serial v1.6.4 // indirect
	go.etcd.io/bbolt v1.4.3 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/image v0.48.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	golang.org/x/xerrors v0.0.0-20200804184101-5ec99f83aff1 // indirect
)
