-- Apps and their versions. A version sits in one environment of its workspace's
-- pipeline and moves up it by promotion; an app has at most one released version.
CREATE TABLE apps (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id)
);

-- Names are unique in a workspace whatever their case, as for data sources.
CREATE UNIQUE INDEX apps_unique_name ON apps (workspace_id, lower(name));
-- the listing order: name, then id
CREATE INDEX apps_listing ON apps (workspace_id, name, id);

CREATE TABLE app_versions (
    id             uuid        PRIMARY KEY,
    workspace_id   uuid        NOT NULL,
    app_id         uuid        NOT NULL,
    name           text        NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    environment_id uuid        NOT NULL,
    status         text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'released')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (workspace_id, app_id) REFERENCES apps (workspace_id, id) ON DELETE CASCADE,
    -- An environment that holds versions can't go away under them.
    FOREIGN KEY (workspace_id, environment_id) REFERENCES environments (workspace_id, id) ON DELETE RESTRICT
);

-- Version names are unique per app whatever their case; also the by-app index.
CREATE UNIQUE INDEX app_versions_unique_name ON app_versions (app_id, lower(name));
-- One released version per app, held by the database too.
CREATE UNIQUE INDEX app_versions_one_released ON app_versions (app_id) WHERE status = 'released';
-- versions of many apps at once, in creation order
CREATE INDEX app_versions_by_app ON app_versions (workspace_id, app_id, created_at, id);
-- the foreign key's lookups when an environment is deleted
CREATE INDEX app_versions_by_environment ON app_versions (environment_id);

-- The environment each builder last selected for an app. A selection whose
-- environment is deleted goes with it: the user gets the lowest environment again.
CREATE TABLE environment_selections (
    workspace_id   uuid        NOT NULL,
    app_id         uuid        NOT NULL,
    user_id        text        NOT NULL CHECK (length(user_id) BETWEEN 1 AND 1024),
    environment_id uuid        NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, user_id),
    FOREIGN KEY (workspace_id, app_id) REFERENCES apps (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, environment_id) REFERENCES environments (workspace_id, id) ON DELETE CASCADE
);

-- one user's selections across a page of apps
CREATE INDEX environment_selections_by_user ON environment_selections (workspace_id, user_id, app_id);
CREATE INDEX environment_selections_by_environment ON environment_selections (environment_id);

-- The audit log: one row per change and per decrypted read, written in the same
-- transaction as what it records. No foreign keys to the objects: the record of a
-- deleted data source stays. Rows are never updated or deleted through the API.
CREATE TABLE audit_events (
    id             uuid        PRIMARY KEY,
    workspace_id   uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor          text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('admin', 'builder', 'viewer', 'runner')),
    action         text        NOT NULL,
    data_source_id uuid,
    environment_id uuid,
    app_id         uuid,
    version_id     uuid,
    request_id     text,
    details        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object')
);

-- newest first, per workspace
CREATE INDEX audit_events_listing ON audit_events (workspace_id, at DESC, id DESC);
