-- Custom environments and protection. The pipeline is renumbered 1..n in one
-- transaction, so the priority key is checked at commit, not at each row.
ALTER TABLE environments
    DROP CONSTRAINT environments_workspace_id_priority_key,
    ADD CONSTRAINT environments_unique_priority UNIQUE (workspace_id, priority) DEFERRABLE INITIALLY DEFERRED,
    DROP CONSTRAINT environments_workspace_id_name_key,
    ADD COLUMN protected boolean NOT NULL DEFAULT false;

-- Names are unique in a workspace whatever their case, as for data sources.
CREATE UNIQUE INDEX environments_unique_name ON environments (workspace_id, lower(name));

-- Production is protected in existing workspaces as in new ones.
UPDATE environments SET protected = true WHERE is_default;

-- Filtered pages of the audit log stay an index range scan at a million rows: one
-- index per filter a page can be asked for, each in the listing order.
CREATE INDEX audit_events_by_data_source ON audit_events (workspace_id, data_source_id, at DESC, id DESC) WHERE data_source_id IS NOT NULL;
CREATE INDEX audit_events_by_environment ON audit_events (workspace_id, environment_id, at DESC, id DESC) WHERE environment_id IS NOT NULL;
CREATE INDEX audit_events_by_app ON audit_events (workspace_id, app_id, at DESC, id DESC) WHERE app_id IS NOT NULL;
CREATE INDEX audit_events_by_actor ON audit_events (workspace_id, actor, at DESC, id DESC);
CREATE INDEX audit_events_by_action ON audit_events (workspace_id, action, at DESC, id DESC);
