-- An environment belongs to one workspace, so `workspace_id` follows from
-- `environment_id`. Without being told, the planner multiplies their selectivities and
-- expects about one options row for a workspace's environment where there is one per
-- data source; it then joins a page of data sources to them by comparing every pair
-- (a nested loop over a materialized scan) instead of by hash. Measured on the bench's
-- seed: the builder read's page query ran in 0.5 ms before, 0.2 ms after.
CREATE STATISTICS data_source_options_environment_workspace (dependencies)
    ON environment_id, workspace_id FROM data_source_options;
ANALYZE data_source_options;
