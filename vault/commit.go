package vault

// OnCommit runs fn once the transaction has committed, after bbolt released its write
// lock, and never when the transaction rolls back. Callers use it to announce a change
// (app's case feed) only when it is on disk. fn must not block: the Update that committed
// returns only after it ran, and the session's read lock is still held, so fn must not
// call Lock.
func (tx *Tx) OnCommit(fn func()) { tx.btx.OnCommit(fn) }
