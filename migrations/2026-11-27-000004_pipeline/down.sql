DROP INDEX audit_events_by_action;
DROP INDEX audit_events_by_actor;
DROP INDEX audit_events_by_app;
DROP INDEX audit_events_by_environment;
DROP INDEX audit_events_by_data_source;
DROP INDEX environments_unique_name;
ALTER TABLE environments
    DROP COLUMN protected,
    ADD CONSTRAINT environments_workspace_id_name_key UNIQUE (workspace_id, name),
    DROP CONSTRAINT environments_unique_priority,
    ADD CONSTRAINT environments_workspace_id_priority_key UNIQUE (workspace_id, priority);
