-- Shipping (#21, promotion): what a version uses, approvals per environment, and
-- promotion requests with their reviews.

-- Lets other tables reference (workspace, version) pairs, so that the database holds
-- tenancy as it does for data sources and environments. (IF NOT EXISTS: another change
-- may add the same key under the name PostgreSQL gives a UNIQUE constraint.)
CREATE UNIQUE INDEX IF NOT EXISTS app_versions_workspace_id_id_key ON app_versions (workspace_id, id);

-- The data sources a version's queries use: promotion checks each is configured in
-- the target environment. A deleted data source leaves the declarations.
CREATE TABLE app_version_data_sources (
    workspace_id   uuid NOT NULL,
    version_id     uuid NOT NULL,
    data_source_id uuid NOT NULL,
    PRIMARY KEY (version_id, data_source_id),
    FOREIGN KEY (workspace_id, version_id) REFERENCES app_versions (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, data_source_id) REFERENCES data_sources (workspace_id, id) ON DELETE CASCADE
);

-- the foreign key's lookups when a data source is deleted
CREATE INDEX app_version_data_sources_by_data_source ON app_version_data_sources (data_source_id);

-- How many admins must approve a promotion into the environment (0: none).
ALTER TABLE environments ADD COLUMN required_approvals integer NOT NULL DEFAULT 0
    CHECK (required_approvals BETWEEN 0 AND 5);

-- A request to promote a version from one environment into the next, decided by
-- admins' reviews. Its environments going away (deleteEnvironment) takes it along.
CREATE TABLE promotion_requests (
    id                  uuid        PRIMARY KEY,
    workspace_id        uuid        NOT NULL,
    app_id              uuid        NOT NULL,
    version_id          uuid        NOT NULL,
    from_environment_id uuid        NOT NULL,
    to_environment_id   uuid        NOT NULL,
    requested_by        text        NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 1024),
    note                text        CHECK (length(note) <= 2000),
    status              text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled', 'stale')),
    -- bumped by every change: a subscriber sends each state once
    revision            integer     NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    decided_at          timestamptz,
    FOREIGN KEY (workspace_id, app_id) REFERENCES apps (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, version_id) REFERENCES app_versions (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, from_environment_id) REFERENCES environments (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, to_environment_id) REFERENCES environments (workspace_id, id) ON DELETE CASCADE
);

-- newest first, per workspace; and the same order filtered by status, app, or both
CREATE INDEX promotion_requests_listing ON promotion_requests (workspace_id, created_at DESC, id DESC);
CREATE INDEX promotion_requests_by_status ON promotion_requests (workspace_id, status, created_at DESC, id DESC);
CREATE INDEX promotion_requests_by_app ON promotion_requests (workspace_id, app_id, created_at DESC, id DESC);
CREATE INDEX promotion_requests_by_app_status ON promotion_requests (workspace_id, app_id, status, created_at DESC, id DESC);
-- One open request per version; also what goes stale when the version moves.
CREATE UNIQUE INDEX promotion_requests_one_pending ON promotion_requests (version_id) WHERE status = 'pending';
-- the foreign keys' lookups when a version or an environment is deleted
CREATE INDEX promotion_requests_by_version ON promotion_requests (version_id);
CREATE INDEX promotion_requests_by_from ON promotion_requests (from_environment_id);
CREATE INDEX promotion_requests_by_to ON promotion_requests (to_environment_id);
-- what changed since a subscriber lost its listener
CREATE INDEX promotion_requests_changed ON promotion_requests (workspace_id, updated_at);

-- One review per admin per request: the primary key holds it.
CREATE TABLE promotion_reviews (
    request_id uuid        NOT NULL REFERENCES promotion_requests (id) ON DELETE CASCADE,
    actor      text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 1024),
    approved   boolean     NOT NULL,
    comment    text        CHECK (length(comment) <= 2000),
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (request_id, actor)
);
