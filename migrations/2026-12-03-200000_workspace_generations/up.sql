-- A workspace's generation: a number that moves forward in the same transaction as
-- every committed write to the workspace's rows, whatever wrote them (a mutation, the
-- scheduler, key rotation, a migration, a hand-written UPDATE). The response cache
-- keeps an answer with the generation it was computed at and serves it only while the
-- workspace's generation is still that one: one primary-key read per request, which no
-- committed write can get past.
--
-- The numbers come from one sequence, so a generation is never handed out twice, even
-- to a workspace whose row was removed and made again. The audit log does not move it:
-- it is only appended to, and the reads that list it are never cached.
CREATE SEQUENCE workspace_generation;

CREATE TABLE workspace_generations (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    generation   bigint NOT NULL
);

-- Moves the generation of the written row's workspace, once per transaction and
-- workspace. It runs as a deferred constraint trigger, at commit: the generation row
-- is locked only for the moment the transaction commits, after every other lock it
-- takes, so concurrent writers of one workspace queue briefly at commit and never
-- wait on each other in a cycle.
CREATE FUNCTION bump_workspace_generation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    workspace uuid;
    marker text;
BEGIN
    IF TG_TABLE_NAME = 'promotion_reviews' THEN
        SELECT r.workspace_id INTO workspace FROM promotion_requests r
        WHERE r.id = CASE TG_OP WHEN 'DELETE' THEN OLD.request_id ELSE NEW.request_id END;
    ELSIF TG_OP = 'DELETE' THEN
        workspace := OLD.workspace_id;
    ELSE
        workspace := NEW.workspace_id;
    END IF;
    IF workspace IS NULL THEN
        RETURN NULL;
    END IF;
    -- A transaction-local setting remembers that this transaction moved it already.
    marker := 'envgate.generation_' || replace(workspace::text, '-', '');
    IF current_setting(marker, true) IS DISTINCT FROM 'moved' THEN
        INSERT INTO workspace_generations AS g (workspace_id, generation)
        VALUES (workspace, nextval('workspace_generation'))
        ON CONFLICT (workspace_id) DO UPDATE SET generation = nextval('workspace_generation');
        PERFORM set_config(marker, 'moved', true);
    END IF;
    RETURN NULL;
END
$$;

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
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
             EXECUTE FUNCTION bump_workspace_generation()',
            t || '_generation', t);
    END LOOP;
END
$$;

-- Every workspace there is starts at a generation of its own.
INSERT INTO workspace_generations (workspace_id, generation)
SELECT id, nextval('workspace_generation') FROM workspaces;
