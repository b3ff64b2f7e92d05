DROP TABLE promotion_reviews;
DROP TABLE promotion_requests;
ALTER TABLE environments DROP COLUMN required_approvals;
DROP TABLE app_version_data_sources;
DROP INDEX IF EXISTS app_versions_workspace_id_id_key;
