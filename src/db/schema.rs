// @generated automatically by Diesel CLI.

diesel::table! {
    data_source_options (data_source_id, environment_id) {
        workspace_id -> Uuid,
        data_source_id -> Uuid,
        environment_id -> Uuid,
        values -> Jsonb,
        secrets -> Jsonb,
        revision -> Int4,
        updated_at -> Nullable<Timestamptz>,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    data_sources (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        kind -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    environments (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        kind -> Text,
        priority -> Int4,
        is_default -> Bool,
        locked -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    workspaces (id) {
        id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(data_sources -> workspaces (workspace_id));
diesel::joinable!(environments -> workspaces (workspace_id));

diesel::allow_tables_to_appear_in_same_query!(
    data_source_options,
    data_sources,
    environments,
    workspaces,
);
