-- fieldscreen central, schema 1: everything BoltStore keeps, sealed packet bytes included
-- (in chunks), so one database backup holds all of central's state but its keys.

-- Packets: one row per (device, packet ID) for life (a packet ID is the idempotency key of
-- one terminal: another terminal cannot take it). seq comes from the
-- sequences row 'packets' (gapless, unlike a SEQUENCE), taken in the storing transaction.
CREATE TABLE packets (
    device_id   text NOT NULL,
    packet_id   text NOT NULL,
    seq         bigint NOT NULL UNIQUE,
    sha256      text NOT NULL,
    size        bigint NOT NULL,
    signature   bytea,
    received_at timestamptz NOT NULL,
    source      text NOT NULL,
    receipt     bytea NOT NULL, -- JSON of the signed receipt, byte for byte (jsonb would reformat it)
    pending     boolean NOT NULL,
    quarantined text NOT NULL DEFAULT '', -- why the sealed content is invalid (Store.Quarantine)
    blob_id     bigint NOT NULL UNIQUE,
    PRIMARY KEY (device_id, packet_id)
);
-- The downstream queue: pending packets in arrival order.
CREATE INDEX packets_pending ON packets (seq) WHERE pending;
CREATE INDEX packets_pending_device ON packets (device_id) WHERE pending;

-- Sealed bytes, in chunks numbered from 0. A blob belongs to a packet or to an upload in
-- progress; chunks of a blob nobody references are removed with it.
CREATE SEQUENCE blob_ids;
CREATE TABLE chunks (
    blob_id bigint NOT NULL,
    n       integer NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (blob_id, n)
);

CREATE TABLE sequences (
    name text PRIMARY KEY,
    last bigint NOT NULL
);
INSERT INTO sequences (name, last) VALUES ('packets', 0);

-- Results per device, numbered from 1 without gaps (result_seqs holds the last number).
CREATE TABLE result_seqs (
    device_id text PRIMARY KEY,
    last      bigint NOT NULL
);
CREATE TABLE results (
    device_id text NOT NULL,
    seq       bigint NOT NULL,
    result    jsonb NOT NULL,
    PRIMARY KEY (device_id, seq)
);

CREATE TABLE tokens (
    hash    bytea PRIMARY KEY,
    created timestamptz NOT NULL,
    expires timestamptz NOT NULL,
    used    boolean NOT NULL DEFAULT false
);

-- Devices as central.Device JSON, with the revocation flag as a column for operators.
CREATE TABLE devices (
    id      text PRIMARY KEY,
    revoked boolean NOT NULL,
    record  jsonb NOT NULL
);

-- Resumable uploads in progress; their bytes are the chunks of blob_id, so any instance
-- can continue an upload another one started.
CREATE TABLE uploads (
    device_id text NOT NULL,
    packet_id text NOT NULL,
    record    jsonb NOT NULL,
    blob_id   bigint NOT NULL UNIQUE,
    received  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, packet_id)
);

CREATE TABLE counters (
    name  text PRIMARY KEY,
    value bigint NOT NULL
);
