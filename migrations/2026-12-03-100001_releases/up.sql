-- Release history: one row per release of an app, by whatever made it (a direct
-- release, a rollback, a scheduled release), in both editions. `seq` orders an app's
-- releases (it is taken under the app's row lock, so it follows the order releases
-- committed in); `previous_id` is the release a rollback from this one returns to:
-- the one in effect before it, or for a rollback the one before the release it
-- restored, so that rollbacks in a row walk back through history.
CREATE TABLE releases (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL,
    app_id       uuid        NOT NULL,
    version_id   uuid        NOT NULL REFERENCES app_versions (id) ON DELETE CASCADE,
    seq          bigint      GENERATED ALWAYS AS IDENTITY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    released_by  text        NOT NULL,
    note         text        CHECK (length(note) BETWEEN 1 AND 1000),
    rollback     boolean     NOT NULL DEFAULT false,
    scheduled    boolean     NOT NULL DEFAULT false,
    previous_id  uuid        REFERENCES releases (id) ON DELETE SET NULL,
    FOREIGN KEY (workspace_id, app_id) REFERENCES apps (workspace_id, id) ON DELETE CASCADE
);

-- an app's history, newest first; its latest release
CREATE INDEX releases_by_app ON releases (app_id, seq DESC);
-- the foreign keys' lookups when a release or a version goes
CREATE INDEX releases_by_previous ON releases (previous_id);
CREATE INDEX releases_by_version ON releases (version_id);

-- Apps released before this history was kept: their releases are read back from the
-- audit log (every release wrote a VERSION_RELEASED row in its transaction), each
-- after the one before it; an app whose released version the log does not end with
-- gets one more row for it, by "unknown", at the version's last change.
WITH logged AS (
    SELECT e.workspace_id, e.app_id, e.version_id, e.actor, e.at, e.id AS event_id,
           lag(e.version_id) OVER (PARTITION BY e.app_id ORDER BY e.at, e.id) AS before
    FROM audit_events e
    JOIN app_versions v ON v.id = e.version_id AND v.app_id = e.app_id
    WHERE e.action = 'VERSION_RELEASED'
), kept AS (
    SELECT logged.*, gen_random_uuid() AS id
    FROM logged
    WHERE before IS DISTINCT FROM version_id
)
INSERT INTO releases (id, workspace_id, app_id, version_id, at, released_by, previous_id)
SELECT id, workspace_id, app_id, version_id, at, actor,
       lag(id) OVER (PARTITION BY app_id ORDER BY at, event_id)
FROM kept
ORDER BY app_id, at, event_id;

INSERT INTO releases (id, workspace_id, app_id, version_id, at, released_by, previous_id)
SELECT gen_random_uuid(), v.workspace_id, v.app_id, v.id, v.updated_at, 'unknown', last.id
FROM app_versions v
LEFT JOIN LATERAL (
    SELECT r.id, r.version_id FROM releases r WHERE r.app_id = v.app_id ORDER BY r.seq DESC LIMIT 1
) last ON true
WHERE v.status = 'released' AND last.version_id IS DISTINCT FROM v.id;

-- Scheduled releases (Enterprise): run once at `at` by whichever server process claims
-- them first (`FOR UPDATE SKIP LOCKED` in the transaction that releases). `role` is the
-- scheduler's, checked when it was scheduled and recorded in the audit row of the run.
CREATE TABLE scheduled_releases (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL,
    app_id       uuid        NOT NULL,
    version_id   uuid        NOT NULL REFERENCES app_versions (id) ON DELETE CASCADE,
    at           timestamptz NOT NULL,
    scheduled_by text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('admin', 'builder')),
    note         text        CHECK (length(note) BETWEEN 1 AND 1000),
    status       text        NOT NULL DEFAULT 'scheduled'
                             CHECK (status IN ('scheduled', 'done', 'failed', 'cancelled')),
    failure      text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (workspace_id, app_id) REFERENCES apps (workspace_id, id) ON DELETE CASCADE
);

-- the next due, across every workspace: what the scheduler sleeps until
CREATE INDEX scheduled_releases_due ON scheduled_releases (at) WHERE status = 'scheduled';
-- an app's schedules by time
CREATE INDEX scheduled_releases_by_app ON scheduled_releases (app_id, at);
CREATE INDEX scheduled_releases_by_version ON scheduled_releases (version_id);
