package central_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/pgtest"
	"github.com/fieldscreen/fieldscreen/sync/central/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openPostgres migrates a new, empty database and opens the store on it.
func openPostgres(t *testing.T) (*central.PostgresStore, string) {
	t.Helper()
	url := pgtest.URL(t)
	ctx := context.Background()
	pool, err := central.ConnectPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if from, to, err := central.Migrate(ctx, pool); err != nil || from != 0 || to != central.SchemaVersion() {
		t.Fatalf("migrate an empty database: %d → %d, %v", from, to, err)
	}
	s, err := central.OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	return s, url
}

func TestPostgresStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store {
		s, _ := openPostgres(t)
		return s
	})
}

// TestPostgresSchema: a database is migrated once (a second migrate changes nothing), an
// unmigrated database is refused with what to run, and a database migrated by a newer
// binary is refused by OpenPostgres and by Migrate.
func TestPostgresSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	if _, err := central.OpenPostgres(url); !errors.Is(err, central.ErrSchemaOld) {
		t.Fatalf("open an empty database: %v, want ErrSchemaOld", err)
	}
	pool, err := central.ConnectPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, _, err := central.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if from, to, err := central.Migrate(ctx, pool); err != nil || from != to {
		t.Fatalf("second migrate: %d → %d, %v", from, to, err)
	}
	s, err := central.OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	next := central.SchemaVersion() + 1
	if _, err := pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from a newer binary')`, next); err != nil {
		t.Fatal(err)
	}
	var se *central.SchemaError
	if _, err := central.OpenPostgres(url); !errors.Is(err, central.ErrSchemaNewer) || !errors.As(err, &se) || se.Database != next {
		t.Fatalf("open a newer schema: %v, want ErrSchemaNewer", err)
	}
	if _, _, err := central.Migrate(ctx, pool); !errors.Is(err, central.ErrSchemaNewer) {
		t.Fatalf("migrate a newer schema: %v, want ErrSchemaNewer", err)
	}
}

// TestPostgresChunks: a packet larger than a chunk is stored as ChunkSize rows and read
// back byte for byte; a put whose bytes do not match leaves no chunk behind.
func TestPostgresChunks(t *testing.T) {
	s, url := openPostgres(t)
	defer s.Close()
	data := make([]byte, 2*central.ChunkSize+12345)
	rand.New(rand.NewSource(1)).Read(data)
	sum := sha256.Sum256(data)
	m := central.PacketMeta{PacketID: "chunkedpacket0001", DeviceID: "dev1", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Pending: true}
	noReceipt := func(uint64) (fsync.Signed, error) { return fsync.Signed{}, nil }
	if _, _, err := s.PutPacket(m, bytes.NewReader(data), noReceipt); err != nil {
		t.Fatal(err)
	}
	bad := m
	bad.PacketID = "chunkedpacket0002"
	if _, _, err := s.PutPacket(bad, bytes.NewReader(data[1:]), noReceipt); !errors.Is(err, fsync.ErrBadDigest) {
		t.Fatalf("wrong bytes: %v", err)
	}
	pool, err := central.ConnectPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var rows, maxLen int
	if err := pool.QueryRow(context.Background(), `SELECT count(*), max(length(data)) FROM chunks`).Scan(&rows, &maxLen); err != nil {
		t.Fatal(err)
	}
	if rows != 3 || maxLen != central.ChunkSize {
		t.Fatalf("%d chunk rows of at most %d bytes, want 3 of %d", rows, maxLen, central.ChunkSize)
	}
	rc, err := s.OpenPacket(m.DeviceID, m.PacketID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (%v), want the %d stored", len(got), err, len(data))
	}
}

// TestPostgresSweepOrphans: chunks whose request died before the group commit (a blob
// still listed in pending_blobs after an hour) are removed; a younger one and a stored
// packet's are kept.
func TestPostgresSweepOrphans(t *testing.T) {
	s, url := openPostgres(t)
	defer s.Close()
	data := []byte("sealed bytes of a synthetic packet")
	sum := sha256.Sum256(data)
	m := central.PacketMeta{PacketID: "keptpacket000001", DeviceID: "dev1", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}
	if _, _, err := s.PutPacket(m, bytes.NewReader(data), func(uint64) (fsync.Signed, error) { return fsync.Signed{}, nil }); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pool, err := central.ConnectPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, q := range []string{
		`INSERT INTO pending_blobs (blob_id, created) VALUES (9001, now() - interval '2 hours'), (9002, now() - interval '10 minutes')`,
		`INSERT INTO chunks (blob_id, n, data) VALUES (9001, 0, 'old'), (9001, 1, 'old'), (9002, 0, 'young')`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.SweepOrphans(); err != nil || n != 1 {
		t.Fatalf("swept %d (%v), want the one old blob", n, err)
	}
	var left []int64
	rows, _ := pool.Query(ctx, `SELECT DISTINCT blob_id FROM chunks ORDER BY 1`)
	left, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(left) != 2 || left[1] != 9002 {
		t.Fatalf("blobs left %v (%v), want the stored packet's and 9002", left, err)
	}
	if rc, err := s.OpenPacket("dev1", m.PacketID); err != nil {
		t.Fatal(err)
	} else if got, _ := io.ReadAll(rc); !bytes.Equal(got, data) {
		t.Fatal("the stored packet lost its bytes")
	}
}

// TestPostgresRevocationSticks: an instance that read a device before the operator revoked
// it and writes it back (a new audit checkpoint) keeps its checkpoint but does not undo
// the revocation.
func TestPostgresRevocationSticks(t *testing.T) {
	s, _ := openPostgres(t)
	defer s.Close()
	d := central.Device{ID: "devrevoked00000001", PublicKey: []byte{1}}
	if err := s.PutDevice(d); err != nil {
		t.Fatal(err)
	}
	stale, _ := s.Device(d.ID) // read by another instance, before the revocation
	revoked := stale
	revoked.Revoked, revoked.RevokedReason = true, "stolen"
	if err := s.PutDevice(revoked); err != nil {
		t.Fatal(err)
	}
	stale.Checkpoint = &fsync.Checkpoint{DeviceID: d.ID, Size: 7}
	if err := s.PutDevice(stale); err != nil {
		t.Fatal(err)
	}
	got, err := s.Device(d.ID)
	if err != nil || !got.Revoked || got.RevokedReason != "stolen" || got.Checkpoint == nil || got.Checkpoint.Size != 7 {
		t.Fatalf("after a stale write: %+v %v; want revoked (stolen) with the new checkpoint", got, err)
	}
	var n, revokedN int
	s.Devices(func(d central.Device) error {
		n++
		if d.Revoked {
			revokedN++
		}
		return nil
	})
	if n != 1 || revokedN != 1 {
		t.Fatalf("devices %d, revoked %d", n, revokedN)
	}
}
