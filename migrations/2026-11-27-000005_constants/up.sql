-- Workspace constants: named values with one value per environment. GLOBAL values are
-- plain text; SECRET values are sealed like option secrets (bound to constant,
-- environment and key id) and never returned.
CREATE TABLE constants (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$'),
    type         text        NOT NULL CHECK (type IN ('global', 'secret')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id)
);

-- Unique in a workspace whatever their case; also the by-name lookup.
CREATE UNIQUE INDEX constants_unique_name ON constants (workspace_id, lower(name));

CREATE TABLE constant_values (
    workspace_id   uuid        NOT NULL,
    constant_id    uuid        NOT NULL,
    environment_id uuid        NOT NULL,
    value          text        NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (constant_id, environment_id),
    FOREIGN KEY (workspace_id, constant_id) REFERENCES constants (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, environment_id) REFERENCES environments (workspace_id, id) ON DELETE CASCADE
);

CREATE INDEX constant_values_by_workspace ON constant_values (workspace_id, environment_id);
CREATE INDEX constant_values_by_environment ON constant_values (environment_id);

-- The constants each option value references, by option key: {"host": ["constants.DB_HOST"]}.
-- Kept beside the values because a secret's references can't be read from its sealed text.
ALTER TABLE data_source_options ADD COLUMN "references" jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof("references") = 'object');
