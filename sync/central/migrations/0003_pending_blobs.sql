-- Packet bytes are written in their request's own transaction and numbered with other
-- packets in one group commit afterwards. Between the two, a blob is listed here; a blob
-- still listed an hour later (its request died before the group commit) is removed with
-- its chunks by PostgresStore's sweep.
CREATE TABLE pending_blobs (
    blob_id bigint PRIMARY KEY,
    created timestamptz NOT NULL DEFAULT now()
);
