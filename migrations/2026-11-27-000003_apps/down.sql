DROP TABLE audit_events;
DROP TABLE environment_selections;
DROP TABLE app_versions;
DROP TABLE apps;
