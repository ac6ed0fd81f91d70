// Package e2e holds the headless end-to-end scenario of fieldscreen: the real
// fieldscreenctl, fieldscreen-central and fieldscreen-devsim binaries, built by the test and
// run as processes on loopback with mutual TLS, from an empty vault to packets stored at
// central, results back on the cases and sealed files that open with the age command.
//
// Purging a case's personal data after the grace period is not part of this scenario: the
// CLI has no way to set the grace period or the clock, so it is tested at the app level with
// an injected clock (app.TestSeedDemoSyncAndPurge).
//
// The package has no code of its own; run it with
//
//	CGO_ENABLED=0 go test ./e2e/
//
// It needs the Debian package age (the age command) to check central's stored packets.
package e2e
