-- Workspaces are provisioned on first contact: the id comes from the caller's token.
CREATE TABLE workspaces (
    id         uuid        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- An ordered pipeline of environments per workspace. Rules are written against
-- priority and is_default, never against names, so custom environments can be
-- inserted between the built-in ones later.
CREATE TABLE environments (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    kind         text        NOT NULL CHECK (kind IN ('development', 'staging', 'production', 'custom')),
    priority     integer     NOT NULL,
    is_default   boolean     NOT NULL DEFAULT false,
    locked       boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, priority),
    UNIQUE (workspace_id, name),
    -- lets data_source_options reference (workspace, environment) pairs
    UNIQUE (workspace_id, id)
);

-- At most one default environment per workspace.
CREATE UNIQUE INDEX environments_one_default ON environments (workspace_id) WHERE is_default;
