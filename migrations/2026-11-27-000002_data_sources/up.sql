CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE data_sources (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    kind         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id)
);

-- Names are unique in a workspace whatever their case: "Orders" and "orders" would
-- be the same data source to a person.
CREATE UNIQUE INDEX data_sources_unique_name ON data_sources (workspace_id, lower(name));
-- the listing order: name, then id
CREATE INDEX data_sources_listing ON data_sources (workspace_id, name, id);
-- listing filtered by kind, in listing order
CREATE INDEX data_sources_by_kind ON data_sources (workspace_id, kind, name, id);
-- substring search on names
CREATE INDEX data_sources_name_trgm ON data_sources USING gin (name gin_trgm_ops);

-- One set of options per (data source, environment). Non-secret values are plain
-- JSON; secrets are sealed (AEAD, bound to data source, environment and key) and
-- stored as text, one entry per key.
CREATE TABLE data_source_options (
    workspace_id   uuid        NOT NULL,
    data_source_id uuid        NOT NULL,
    environment_id uuid        NOT NULL,
    "values"       jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof("values") = 'object'),
    secrets        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(secrets) = 'object'),
    revision       integer     NOT NULL DEFAULT 1,
    updated_at     timestamptz,
    updated_by     text,
    PRIMARY KEY (data_source_id, environment_id),
    FOREIGN KEY (workspace_id, data_source_id) REFERENCES data_sources (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, environment_id) REFERENCES environments (workspace_id, id) ON DELETE CASCADE
);

CREATE INDEX data_source_options_by_environment ON data_source_options (environment_id);
