package central

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// PostgresStore keeps central's state in PostgreSQL, sealed packet bytes included (table
// chunks, ChunkSize bytes a row, written and read one chunk at a time), so several central
// instances can serve from one database and one backup holds everything. The schema comes
// from the embedded migrations (migrate.go); OpenPostgres refuses any other version.
//
// Concurrency rests on the database, not on the process: a packet ID is stored once by its
// primary key; a packet's bytes are written by its request, then packets stored at the same
// time are numbered and recorded with their receipts in one group commit that holds the
// row 'packets' of sequences (gapless: only packets that commit take a number); results
// are numbered per device the same way in result_seqs; the downstream queue is taken with
// FOR UPDATE SKIP LOCKED (AnswerNext), so each packet is answered by one instance.
type PostgresStore struct {
	pool   *pgxpool.Pool
	ctx    context.Context // ends with Close: no query outlives the store
	cancel context.CancelFunc
	group  fsync.GroupCommit[*pgPut] // packets stored at the same time share one commit
	swept  chan struct{}             // closed when the orphan sweep has stopped
}

// ChunkSize is the size of the rows holding sealed bytes: memory per packet stored or read
// is one chunk, and each pooled connection keeps read and write buffers of about this size.
// 512 KiB keeps one instance under 2 terminal chunks (4 MiB) while receiving a 64 MiB
// upload and the 1 MiB drain at 0.77 of bbolt's; 1 MiB rows drained a little faster but
// held 2.3 chunks, 256 KiB held 1.8 and drained at 0.6 (docs/BENCHMARKS.md).
const ChunkSize = 512 << 10

// pageSize is how many rows the listing methods read per query: they never hold a
// connection while calling back, and never load a whole table.
const pageSize = 500 // pageLimit

// OpenPostgres connects to the database at url (postgres://USER@HOST/DB?…) and checks
// that its schema is this binary's (run Migrate first on a new database).
func OpenPostgres(url string) (*PostgresStore, error) {
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := ConnectPostgres(ctx, url)
	if err != nil {
		cancel()
		return nil, err
	}
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	defer ccancel()
	if err := CheckSchema(cctx, pool); err != nil {
		pool.Close()
		cancel()
		return nil, fmt.Errorf("PostgreSQL store: %w", err)
	}
	s := &PostgresStore{pool: pool, ctx: ctx, cancel: cancel, swept: make(chan struct{})}
	go func() { s.sweepOrphans(); close(s.swept) }()
	return s, nil
}

// DefaultPoolConns is each instance's connection pool size unless the URL sets
// pool_max_conns; PostgreSQL's max_connections must cover it times the instances.
const DefaultPoolConns = 40

// ConnectPostgres opens a pool without checking the schema (for migrate).
func ConnectPostgres(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// A packet's transaction lasts as long as its body takes to arrive; pgx's default
		// (4 on this machine's cores) would queue the 5th concurrent upload behind the
		// slowest of 4 terminals.
		cfg.MaxConns = DefaultPoolConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL: %w", err)
	}
	return pool, nil
}

func (s *PostgresStore) Close() error {
	s.cancel()
	<-s.swept
	s.pool.Close()
	return nil
}

// Ping checks that the database answers and holds this binary's schema (readiness).
func (s *PostgresStore) Ping(ctx context.Context) error {
	return CheckSchema(ctx, s.pool)
}

const packetCols = `packet_id, device_id, sha256, size, signature, received_at, seq, source, receipt, pending, quarantined`

func scanPacket(row pgx.Row) (PacketMeta, error) {
	var m PacketMeta
	var receipt []byte
	var seq int64
	err := row.Scan(&m.PacketID, &m.DeviceID, &m.SHA256, &m.Size, &m.Signature, &m.ReceivedAt, &seq, &m.Source, &receipt, &m.Pending, &m.Quarantined)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, err
	}
	m.Seq, m.ReceivedAt = uint64(seq), m.ReceivedAt.UTC()
	if err := json.Unmarshal(receipt, &m.Receipt); err != nil {
		return m, fmt.Errorf("decode the receipt of packet %s: %w", m.PacketID, err)
	}
	return m, nil
}

func (s *PostgresStore) PutPacket(meta PacketMeta, data io.Reader, receipt func(uint64) (fsync.Signed, error)) (PacketMeta, bool, error) {
	if !fsync.ValidID(meta.PacketID) {
		return PacketMeta{}, false, fmt.Errorf("invalid packet ID")
	}
	if old, err := s.Packet(meta.DeviceID, meta.PacketID); err == nil {
		return old, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return PacketMeta{}, false, err
	}
	meta.ReceivedAt = meta.ReceivedAt.UTC().Truncate(time.Microsecond) // what timestamptz keeps
	req := &pgPut{meta: meta, receipt: receipt}
	if ref, ok := data.(UploadRef); ok {
		dev, pkt := ref.UploadRef()
		req.fromUpload = dev == meta.DeviceID && pkt == meta.PacketID
	}
	if !req.fromUpload {
		blob, err := s.writeBlob(meta, data)
		if err != nil {
			return PacketMeta{}, false, err
		}
		req.blob = blob
	}
	// Numbering, receipt and packet row: in a group commit with the packets stored at the
	// same time, so the counter row is held for one short transaction per batch.
	s.group.Do(req, func(batch []*pgPut) error { s.commitPuts(batch); return nil })
	if errors.Is(req.err, errStoredMeanwhile) {
		old, err := s.Packet(meta.DeviceID, meta.PacketID)
		return old, false, err
	}
	return req.out, req.created, req.err
}

// pgPut is one packet waiting for the group commit.
type pgPut struct {
	meta       PacketMeta
	receipt    func(uint64) (fsync.Signed, error)
	blob       int64 // its chunks, written by the request
	fromUpload bool  // adopt the upload's chunks instead

	out     PacketMeta
	created bool
	err     error
}

// writeBlob streams the packet's bytes into chunk rows of a new blob, hashing them on the
// way, in the request's own transaction: a wrong digest rolls it back, chunks included. The
// blob is listed in pending_blobs until a packet row takes it.
func (s *PostgresStore) writeBlob(meta PacketMeta, data io.Reader) (int64, error) {
	var blob int64
	err := pgx.BeginFunc(s.ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(s.ctx, `INSERT INTO pending_blobs (blob_id) VALUES (nextval('blob_ids')) RETURNING blob_id`).Scan(&blob); err != nil {
			return err
		}
		h := sha256.New()
		n, err := writeChunks(s.ctx, tx, blob, 0, io.TeeReader(data, h))
		if err != nil {
			return fmt.Errorf("store packet bytes: %w", err)
		}
		if hex.EncodeToString(h.Sum(nil)) != meta.SHA256 || n != meta.Size {
			return fsync.ErrBadDigest
		}
		return nil
	})
	return blob, err
}

// commitPuts numbers a batch of packets and stores their rows and receipts in one
// transaction. Every packet row is inserted under the lock on the counter row (here and
// in no other way), so a packet found absent here stays absent until the commit: no insert
// conflicts, no number is taken and given back. A packet stored already, or twice in the
// batch, is answered from the stored row after the commit and its blob removed.
func (s *PostgresStore) commitPuts(batch []*pgPut) {
	ctx := s.ctx
	var dropped []int64 // blobs of packets stored already
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		dropped = dropped[:0]
		var last int64
		if err := tx.QueryRow(ctx, `SELECT last FROM sequences WHERE name = 'packets' FOR UPDATE`).Scan(&last); err != nil {
			return fmt.Errorf("next packet number: %w", err)
		}
		seen := map[[2]string]bool{}
		var taken []int64
		for _, r := range batch {
			r.out, r.created, r.err = PacketMeta{}, false, nil
			m := r.meta
			key := [2]string{m.DeviceID, m.PacketID}
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM packets WHERE device_id = $1 AND packet_id = $2)`,
				m.DeviceID, m.PacketID).Scan(&exists); err != nil {
				return err
			}
			if exists || seen[key] {
				r.err = errStoredMeanwhile
				if !r.fromUpload {
					dropped = append(dropped, r.blob)
				}
				continue
			}
			seen[key] = true
			blob := r.blob
			if r.fromUpload {
				// The upload's chunks become the packet's: no copy. The caller checked the
				// digest over these bytes, which no longer change (the upload is complete).
				var received int64
				err := tx.QueryRow(ctx, `DELETE FROM uploads WHERE device_id = $1 AND packet_id = $2 RETURNING blob_id, received`,
					m.DeviceID, m.PacketID).Scan(&blob, &received)
				if errors.Is(err, pgx.ErrNoRows) || (err == nil && received != m.Size) {
					r.err = fmt.Errorf("upload of packet %s: %w", m.PacketID, fsync.ErrBadDigest)
					continue
				}
				if err != nil {
					return err
				}
			}
			m.Seq = uint64(last + 1)
			var err error
			if m.Receipt, err = r.receipt(m.Seq); err != nil {
				r.err = err
				continue
			}
			rb, err := json.Marshal(m.Receipt)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO packets (`+packetCols+`, blob_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
				m.PacketID, m.DeviceID, m.SHA256, m.Size, m.Signature, m.ReceivedAt, int64(m.Seq), m.Source, rb, m.Pending, m.Quarantined, blob); err != nil {
				return err
			}
			last++
			r.out, r.created = m, true
			if !r.fromUpload {
				taken = append(taken, blob)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE sequences SET last = $1 WHERE name = 'packets'`, last); err != nil {
			return err
		}
		if len(dropped) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM chunks WHERE blob_id = ANY($1)`, dropped); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM pending_blobs WHERE blob_id = ANY($1)`, append(taken, dropped...))
		return err
	})
	if err != nil { // the whole batch rolled back; its blobs wait for the sweep
		for _, r := range batch {
			r.out, r.created, r.err = PacketMeta{}, false, err
		}
	}
}

// orphanAge is how long a blob may wait for its packet row before the sweep removes it
// (its request died between writing the bytes and the group commit).
const orphanAge = time.Hour

// SweepOrphans removes the chunks of blobs that never became a packet's and returns how
// many blobs it removed. OpenPostgres runs it hourly.
func (s *PostgresStore) SweepOrphans() (int, error) {
	var n int
	err := pgx.BeginFunc(s.ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(s.ctx, `DELETE FROM pending_blobs WHERE created < now() - make_interval(secs => $1) RETURNING blob_id`, orphanAge.Seconds())
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		n = len(ids)
		_, err = tx.Exec(s.ctx, `DELETE FROM chunks WHERE blob_id = ANY($1)`, ids)
		return err
	})
	return n, err
}

func (s *PostgresStore) sweepOrphans() {
	t := time.NewTicker(orphanAge)
	defer t.Stop()
	for {
		s.SweepOrphans() // an error is retried at the next tick
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
	}
}

var errStoredMeanwhile = errors.New("packet stored meanwhile")

// UploadRef is implemented by the reader central hands PutPacket for a completed resumable
// upload kept in the store: PostgresStore then makes the upload's chunks the packet's in
// the storing transaction instead of copying them.
type UploadRef interface {
	UploadRef() (deviceID, packetID string)
}

// writeChunks copies r into chunks of blob from number first on, one ChunkSize buffer at
// a time, and returns the byte count.
func writeChunks(ctx context.Context, tx pgx.Tx, blob int64, first int, r io.Reader) (int64, error) {
	buf := make([]byte, ChunkSize)
	var total int64
	for n := first; ; n++ {
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO chunks (blob_id, n, data) VALUES ($1, $2, $3)`, blob, n, buf[:k]); err != nil {
				return total, err
			}
			total += int64(k)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

func (s *PostgresStore) Packet(dev, id string) (PacketMeta, error) {
	return scanPacket(s.pool.QueryRow(s.ctx, `SELECT `+packetCols+` FROM packets WHERE device_id = $1 AND packet_id = $2`, dev, id))
}

func (s *PostgresStore) OpenPacket(dev, id string) (io.ReadCloser, error) {
	return s.openBlob(`SELECT blob_id, size FROM packets WHERE device_id = $1 AND packet_id = $2`, dev, id)
}

// openBlob reads the blob that query (selecting its ID and how many bytes of it to read)
// names for the device's packet; ErrNotFound when no row matches.
func (s *PostgresStore) openBlob(query, dev, pkt string) (io.ReadCloser, error) {
	var blob, size int64
	err := s.pool.QueryRow(s.ctx, query, dev, pkt).Scan(&blob, &size)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &chunkReader{s: s, blob: blob, size: size}, nil
}

// chunkReader reads a blob one chunk (one query) at a time.
type chunkReader struct {
	s         *PostgresStore
	blob      int64
	size, off int64
	n         int
	buf       []byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		if r.off >= r.size {
			return 0, io.EOF
		}
		err := r.s.pool.QueryRow(r.s.ctx, `SELECT data FROM chunks WHERE blob_id = $1 AND n = $2`, r.blob, r.n).Scan(&r.buf)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && len(r.buf) == 0) {
			return 0, fmt.Errorf("stored bytes end at %d of %d: %w", r.off, r.size, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return 0, fmt.Errorf("read stored bytes: %w", err)
		}
		r.n++
	}
	k := copy(p, r.buf)
	r.buf = r.buf[k:]
	r.off += int64(k)
	return k, nil
}

func (r *chunkReader) Close() error { r.buf = nil; return nil }

// page reads a listing query in pages of pageSize rows (the query ends in LIMIT
// `+pageLimit+`), keyed on its ordering columns, calling fn for each row outside any query.
// args gives the query's parameters after a key (the start key first).
func page[K any, T any](s *PostgresStore, query string, start K, args func(K) []any, scan func(pgx.Rows) (K, T, error), fn func(T) error) error {
	last := start
	for {
		rows, err := s.pool.Query(s.ctx, query, args(last)...)
		if err != nil {
			return err
		}
		var items []T
		for rows.Next() {
			k, v, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			last = k
			items = append(items, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := each(items, fn); err != nil {
			return err
		}
		if len(items) < pageSize {
			return nil
		}
	}
}

const pageLimit = " LIMIT 500" // pageSize

func one[K any](k K) []any { return []any{k} }

func (s *PostgresStore) Packets(fn func(PacketMeta) error) error {
	type key struct{ dev, id string }
	return page(s, `SELECT `+packetCols+` FROM packets WHERE (device_id, packet_id) > ($1, $2) ORDER BY device_id, packet_id`+pageLimit, key{},
		func(k key) []any { return []any{k.dev, k.id} },
		func(r pgx.Rows) (key, PacketMeta, error) {
			m, err := scanPacket(r)
			return key{m.DeviceID, m.PacketID}, m, err
		}, fn)
}

// Quarantine marks a packet whose sealed content is invalid, keeping the first reason.
func (s *PostgresStore) Quarantine(dev, id, reason string) error {
	var was string
	err := s.pool.QueryRow(s.ctx, `UPDATE packets SET quarantined = CASE WHEN quarantined = '' THEN $3 ELSE quarantined END
		WHERE device_id = $1 AND packet_id = $2 RETURNING quarantined`, dev, id, reason).Scan(&was)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func (s *PostgresStore) PendingDownstream(fn func(PacketMeta) error) error {
	return page(s, `SELECT `+packetCols+` FROM packets WHERE pending AND seq > $1 ORDER BY seq`+pageLimit, int64(0), one[int64],
		func(r pgx.Rows) (int64, PacketMeta, error) { m, err := scanPacket(r); return int64(m.Seq), m, err }, fn)
}

// QueueStats counts the downstream queue and finds its oldest packet in one query.
func (s *PostgresStore) QueueStats() (int, time.Time, error) {
	var n int
	var oldest *time.Time
	err := s.pool.QueryRow(s.ctx, `SELECT count(*), min(received_at) FROM packets WHERE pending`).Scan(&n, &oldest)
	if err != nil || oldest == nil {
		return n, time.Time{}, err
	}
	return n, oldest.UTC(), nil
}

// PendingCount is how many packets of the device wait for the downstream, whichever
// instance stored them.
func (s *PostgresStore) PendingCount(deviceID string) (int, error) {
	var n int
	err := s.pool.QueryRow(s.ctx, `SELECT count(*) FROM packets WHERE pending AND device_id = $1`, deviceID).Scan(&n)
	return n, err
}

func (s *PostgresStore) CompleteDownstream(dev, id string, results []fsync.Result) error {
	return pgx.BeginFunc(s.ctx, s.pool, func(tx pgx.Tx) error {
		var pending bool
		err := tx.QueryRow(s.ctx, `SELECT pending FROM packets WHERE device_id = $1 AND packet_id = $2 FOR UPDATE`, dev, id).Scan(&pending)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || !pending {
			return err
		}
		return s.complete(tx, id, dev, results)
	})
}

// complete appends a locked pending packet's results under the device's next numbers and
// clears its mark.
func (s *PostgresStore) complete(tx pgx.Tx, id, dev string, results []fsync.Result) error {
	ctx := s.ctx
	if len(results) > 0 {
		var last int64
		// The device's row is locked to the commit: numbers are gapless and never shared.
		if err := tx.QueryRow(ctx, `INSERT INTO result_seqs (device_id, last) VALUES ($1, $2)
			ON CONFLICT (device_id) DO UPDATE SET last = result_seqs.last + EXCLUDED.last RETURNING last`,
			dev, len(results)).Scan(&last); err != nil {
			return fmt.Errorf("next result numbers: %w", err)
		}
		b := &pgx.Batch{}
		for i, r := range results {
			r.Seq = uint64(last) - uint64(len(results)) + uint64(i) + 1
			v, err := json.Marshal(r)
			if err != nil {
				return err
			}
			b.Queue(`INSERT INTO results (device_id, seq, result) VALUES ($1, $2, $3)`, dev, int64(r.Seq), v)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("store results: %w", err)
		}
	}
	_, err := tx.Exec(ctx, `UPDATE packets SET pending = false WHERE device_id = $1 AND packet_id = $2`, dev, id)
	return err
}

// AnswerNext takes the oldest packet waiting for the downstream that no other instance is
// answering (FOR UPDATE SKIP LOCKED), asks answer for its results and records them in the
// same transaction, quarantining it when answer gives a reason. It reports false when no
// packet is free. If answer fails, the packet stays queued for the next try.
func (s *PostgresStore) AnswerNext(answer func(PacketMeta) ([]fsync.Result, string, error)) (bool, error) {
	took := false
	err := pgx.BeginFunc(s.ctx, s.pool, func(tx pgx.Tx) error {
		m, err := scanPacket(tx.QueryRow(s.ctx, `SELECT `+packetCols+` FROM packets WHERE pending ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		took = true
		results, quarantine, err := answer(m)
		if err != nil {
			return err
		}
		if quarantine != "" {
			if _, err := tx.Exec(s.ctx, `UPDATE packets SET quarantined = $3 WHERE device_id = $1 AND packet_id = $2 AND quarantined = ''`,
				m.DeviceID, m.PacketID, quarantine); err != nil {
				return fmt.Errorf("quarantine packet %s: %w", m.PacketID, err)
			}
		}
		return s.complete(tx, m.PacketID, m.DeviceID, results)
	})
	return took, err
}

func (s *PostgresStore) AddToken(hash [32]byte, created, expires time.Time) error {
	_, err := s.pool.Exec(s.ctx, `INSERT INTO tokens (hash, created, expires) VALUES ($1, $2, $3)`,
		hash[:], created.UTC(), tokenExpiry(created, expires).UTC())
	return err
}

func (s *PostgresStore) UseToken(hash [32]byte, now time.Time) error {
	return pgx.BeginFunc(s.ctx, s.pool, func(tx pgx.Tx) error {
		var used bool
		var expires time.Time
		err := tx.QueryRow(s.ctx, `SELECT used, expires FROM tokens WHERE hash = $1 FOR UPDATE`, hash[:]).Scan(&used, &expires)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrUnknownToken
		case err != nil:
			return err
		case used:
			return ErrTokenUsed
		case !now.Before(expires):
			return &TokenExpiredError{Expired: expires.UTC()}
		}
		_, err = tx.Exec(s.ctx, `UPDATE tokens SET used = true WHERE hash = $1`, hash[:])
		return err
	})
}

func (s *PostgresStore) PutDevice(d Device) error {
	v, err := json.Marshal(d)
	if err != nil {
		return err
	}
	// A revocation sticks: an instance writing back a device it read before the operator
	// revoked it (a checkpoint, a renewal) keeps the new fields but not "not revoked".
	// Nothing un-revokes a terminal.
	_, err = s.pool.Exec(s.ctx, `INSERT INTO devices (id, revoked, record) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET revoked = devices.revoked OR EXCLUDED.revoked,
		record = CASE WHEN devices.revoked AND NOT EXCLUDED.revoked
			THEN jsonb_set(jsonb_set(EXCLUDED.record, '{revoked}', 'true'), '{revoked_reason}', coalesce(devices.record->'revoked_reason', '""'))
			ELSE EXCLUDED.record END`, d.ID, d.Revoked, v)
	return err
}

// scanRecord reads one JSON record column (devices, uploads): ErrNotFound for no row.
func scanRecord[T any](row pgx.Row) (T, error) {
	var rec T
	var v []byte
	if err := row.Scan(&v); errors.Is(err, pgx.ErrNoRows) {
		return rec, ErrNotFound
	} else if err != nil {
		return rec, err
	}
	err := json.Unmarshal(v, &rec)
	return rec, err
}

func (s *PostgresStore) Device(id string) (Device, error) {
	return scanRecord[Device](s.pool.QueryRow(s.ctx, `SELECT record FROM devices WHERE id = $1`, id))
}

func (s *PostgresStore) Devices(fn func(Device) error) error {
	return page(s, `SELECT record FROM devices WHERE id > $1 ORDER BY id`+pageLimit, "", one[string],
		func(r pgx.Rows) (string, Device, error) { d, err := scanRecord[Device](r); return d.ID, d, err }, fn)
}

func (s *PostgresStore) Results(deviceID string, after uint64, limit int) ([]fsync.Result, error) {
	rows, err := s.pool.Query(s.ctx, `SELECT result FROM results WHERE device_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		deviceID, int64(after), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fsync.Result
	for rows.Next() {
		var v []byte
		var r fsync.Result
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("decode a result of device %s: %w", deviceID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *PostgresStore) PutUpload(u Upload) error {
	v, err := json.Marshal(u)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(s.ctx, `INSERT INTO uploads (device_id, packet_id, record, blob_id) VALUES ($1, $2, $3, nextval('blob_ids'))
		ON CONFLICT (device_id, packet_id) DO UPDATE SET record = EXCLUDED.record`, u.DeviceID, u.PacketID, v)
	return err
}

func (s *PostgresStore) Upload(dev, pkt string) (Upload, error) {
	return scanRecord[Upload](s.pool.QueryRow(s.ctx, `SELECT record FROM uploads WHERE device_id = $1 AND packet_id = $2`, dev, pkt))
}

// DeleteUpload removes the upload and the bytes received for it.
func (s *PostgresStore) DeleteUpload(dev, pkt string) error {
	return s.dropChunks(`DELETE FROM uploads WHERE device_id = $1 AND packet_id = $2 RETURNING blob_id`, dev, pkt)
}

func (s *PostgresStore) Uploads(fn func(Upload) error) error {
	type key struct{ dev, pkt string }
	return page(s, `SELECT record FROM uploads WHERE (device_id, packet_id) > ($1, $2) ORDER BY device_id, packet_id`+pageLimit, key{},
		func(k key) []any { return []any{k.dev, k.pkt} },
		func(r pgx.Rows) (key, Upload, error) {
			u, err := scanRecord[Upload](r)
			return key{u.DeviceID, u.PacketID}, u, err
		}, fn)
}

func (s *PostgresStore) Incr(name string, n int64) error {
	_, err := s.pool.Exec(s.ctx, `INSERT INTO counters (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + EXCLUDED.value`, name, n)
	return err
}

func (s *PostgresStore) Counter(name string) (int64, error) {
	var v int64
	err := s.pool.QueryRow(s.ctx, `SELECT value FROM counters WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// The bytes of uploads in progress (PartStore): the chunks of the upload's blob, numbered
// in order, with received the offset. Any instance can continue an upload another started.

func (s *PostgresStore) UploadOffset(dev, pkt string) (int64, error) {
	var n int64
	err := s.pool.QueryRow(s.ctx, `SELECT received FROM uploads WHERE device_id = $1 AND packet_id = $2`, dev, pkt).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	return n, err
}

func (s *PostgresStore) AppendUpload(dev, pkt string, off int64, chunk []byte, now time.Time) error {
	return pgx.BeginFunc(s.ctx, s.pool, func(tx pgx.Tx) error {
		var blob, received int64
		// The row lock orders two instances appending to one upload: the second sees the
		// first's offset and refuses.
		err := tx.QueryRow(s.ctx, `SELECT blob_id, received FROM uploads WHERE device_id = $1 AND packet_id = $2 FOR UPDATE`, dev, pkt).Scan(&blob, &received)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if received != off {
			return &OffsetError{Current: received}
		}
		// Rows of at most ChunkSize, as for packets: the connection's write buffer never
		// grows to a terminal's (larger) upload chunk.
		for part := range slices.Chunk(chunk, ChunkSize) {
			if _, err := tx.Exec(s.ctx, `INSERT INTO chunks (blob_id, n, data)
				VALUES ($1, (SELECT coalesce(max(n) + 1, 0) FROM chunks WHERE blob_id = $1), $2)`, blob, part); err != nil {
				return fmt.Errorf("store upload chunk: %w", err)
			}
		}
		_, err = tx.Exec(s.ctx, `UPDATE uploads SET received = received + $3, touched = $4 WHERE device_id = $1 AND packet_id = $2`,
			dev, pkt, len(chunk), now.UTC())
		return err
	})
}

func (s *PostgresStore) OpenUpload(dev, pkt string) (io.ReadCloser, error) {
	return s.openBlob(`SELECT blob_id, received FROM uploads WHERE device_id = $1 AND packet_id = $2`, dev, pkt)
}

func (s *PostgresStore) TouchUpload(dev, pkt string, now time.Time) error {
	tag, err := s.pool.Exec(s.ctx, `UPDATE uploads SET touched = $3 WHERE device_id = $1 AND packet_id = $2`, dev, pkt, now.UTC())
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

func (s *PostgresStore) UploadTouched(dev, pkt string) (time.Time, error) {
	var t time.Time
	err := s.pool.QueryRow(s.ctx, `SELECT touched FROM uploads WHERE device_id = $1 AND packet_id = $2`, dev, pkt).Scan(&t)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, ErrNotFound
	}
	return t.UTC(), err
}

func (s *PostgresStore) ResetUpload(dev, pkt string) error {
	return s.dropChunks(`UPDATE uploads SET received = 0 WHERE device_id = $1 AND packet_id = $2 RETURNING blob_id`, dev, pkt)
}

// dropChunks runs stmt on the device's upload (it returns the upload's blob_id) and
// deletes the bytes received for it, in one transaction; no upload, nothing to do.
func (s *PostgresStore) dropChunks(stmt, dev, pkt string) error {
	return pgx.BeginFunc(s.ctx, s.pool, func(tx pgx.Tx) error {
		var blob int64
		err := tx.QueryRow(s.ctx, stmt, dev, pkt).Scan(&blob)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(s.ctx, `DELETE FROM chunks WHERE blob_id = $1`, blob)
		return err
	})
}
