//go:build windows

package vault

// checkPrivate does nothing on Windows: there the mode bits Go reports are made up from the
// read-only attribute (a folder is always 0777), and who may read a file is decided by its
// ACL. The default vault folder, %LOCALAPPDATA%\fieldscreen\vault, inherits the user
// profile's ACL (the user, SYSTEM and administrators only). Checking the ACL itself is not
// done yet (docs/devices.md, Windows).
func checkPrivate(p string) error { return nil }
