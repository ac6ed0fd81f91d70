package central

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgreSQL schema migrations: migrations/NNNN_name.sql, applied in order, each in its own
// transaction together with its row in schema_migrations. Migrations only ever add: a
// released file is never edited, a change is a new file. serve refuses a database whose
// schema is newer than the binary (an older binary would misread it) or older (run
// `fieldscreen-central migrate` first), so instances of two versions never share a
// database unknowingly.

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations in version order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, e.Name(), string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3… without gaps", m.name)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this binary writes and reads.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are part of the binary; a test checks them
	}
	return len(ms)
}

// ErrSchemaNewer: the database was migrated by a newer fieldscreen-central.
var ErrSchemaNewer = errors.New("the database schema is newer than this fieldscreen-central: upgrade the binary (never run two versions on one database)")

// ErrSchemaOld: the database lacks migrations this binary needs.
var ErrSchemaOld = errors.New("the database schema is older than this fieldscreen-central: run `fieldscreen-central migrate --store URL` first")

// SchemaError reports the database's and the binary's schema versions; it matches
// ErrSchemaNewer or ErrSchemaOld with errors.Is.
type SchemaError struct{ Database, Binary int }

func (e *SchemaError) Error() string {
	return fmt.Sprintf("database schema version %d, this binary's %d: %v", e.Database, e.Binary, e.kind())
}

func (e *SchemaError) kind() error {
	if e.Database > e.Binary {
		return ErrSchemaNewer
	}
	return ErrSchemaOld
}

func (e *SchemaError) Is(target error) bool { return target == e.kind() }

// migrateLock is the advisory lock key that serialises migrations of one database
// (instances started together must not apply the same migration twice).
const migrateLock = 0x6669656c64 // "field"

// Migrate applies the migrations the database lacks and returns the versions before and
// after. It refuses a database newer than the binary.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (from, to int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return 0, 0, fmt.Errorf("lock for migration: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	from, err = schemaVersion(ctx, conn.Conn())
	if err != nil {
		return 0, 0, err
	}
	if from > len(ms) {
		return from, from, &SchemaError{from, len(ms)}
	}
	for _, m := range ms[from:] {
		err := pgx.BeginFunc(ctx, conn.Conn(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return from, m.version - 1, fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return from, len(ms), nil
}

func schemaVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var v int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	return v, nil
}

// CheckSchema returns nil when the database holds exactly this binary's schema, else a
// *SchemaError (or the error reading it).
func CheckSchema(ctx context.Context, pool *pgxpool.Pool) error {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	v := 0
	if exists {
		var err error
		if v, err = schemaVersion(ctx, pool); err != nil {
			return err
		}
	}
	if want := SchemaVersion(); v != want {
		return &SchemaError{v, want}
	}
	return nil
}
