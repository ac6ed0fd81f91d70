// Package vault is fieldscreen's encrypted local store: one bbolt file plus a packets/ folder.
//
// Every value is sealed with XChaCha20-Poly1305 under a key the unlocked user holds; bucket names
// and record keys carry no personal data (random case IDs, keyed hashes of user names). A user
// unlocks with one Argon2id derivation, which opens their key slot (an X25519 private key); data
// class keys are sealed to each user whose role grants the class (grants.go), and each case has its
// own data key per class, wrapped by a class key version. Purging a case deletes its wrapped keys
// (crypto-shredding). The audit log is a hash chain of entries sealed to the audit public key.
//
// The formats are specified in docs/SECURITY.md; this package is the reference implementation.
// It is not a general database: callers store opaque bytes (JSON) under names they choose, and
// those names must never carry personal data.
package vault
