// Package sync moves sealed packets from the terminal to central: it builds and seals
// packets (canonical JSON plus attached files, encrypted with age to central and signed by
// the terminal), keeps them in a transactional outbox inside the vault, and drains the
// outbox with a worker that owns every retry (full-jitter backoff, Retry-After, a circuit
// breaker, resumable uploads for large packets). A packet counts as delivered only when
// central's signed receipt verifies. It also pulls results, config and audit
// countersignatures, and purges a case's personal data after its receipts plus a grace period.
//
// The formats and the protocol are specified in docs/sync.md and docs/api/openapi.yaml.
// It is not a general HTTP client, and it never reads a packet once sealed: only central can.
package sync
