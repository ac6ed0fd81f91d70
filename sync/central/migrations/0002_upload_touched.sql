-- When an upload was last worked on (a chunk stored, its offset asked): the sweep removes
-- uploads untouched for longer than serve --upload-ttl, whichever instance served them.
ALTER TABLE uploads ADD COLUMN touched timestamptz NOT NULL DEFAULT now();
