DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'environments', 'data_sources', 'data_source_options', 'apps', 'app_versions',
        'environment_selections', 'constants', 'constant_values',
        'app_version_data_sources', 'promotion_requests', 'promotion_reviews', 'releases',
        'scheduled_releases'
    ] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_generation', t);
    END LOOP;
END
$$;
DROP FUNCTION bump_workspace_generation();
DROP TABLE workspace_generations;
DROP SEQUENCE workspace_generation;
