// @generated automatically by Diesel CLI.

diesel::table! {
    app_versions (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        app_id -> Uuid,
        name -> Text,
        environment_id -> Uuid,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    app_version_data_sources (version_id, data_source_id) {
        workspace_id -> Uuid,
        version_id -> Uuid,
        data_source_id -> Uuid,
    }
}

diesel::table! {
    apps (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        at -> Timestamptz,
        actor -> Text,
        role -> Text,
        action -> Text,
        data_source_id -> Nullable<Uuid>,
        environment_id -> Nullable<Uuid>,
        app_id -> Nullable<Uuid>,
        version_id -> Nullable<Uuid>,
        request_id -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    constant_values (constant_id, environment_id) {
        workspace_id -> Uuid,
        constant_id -> Uuid,
        environment_id -> Uuid,
        value -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    constants (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        #[sql_name = "type"]
        type_ -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

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
        references -> Jsonb,
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
        protected -> Bool,
        access -> Jsonb,
        required_approvals -> Int4,
    }
}

diesel::table! {
    environment_selections (app_id, user_id) {
        workspace_id -> Uuid,
        app_id -> Uuid,
        user_id -> Text,
        environment_id -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    promotion_requests (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        app_id -> Uuid,
        version_id -> Uuid,
        from_environment_id -> Uuid,
        to_environment_id -> Uuid,
        requested_by -> Text,
        note -> Nullable<Text>,
        status -> Text,
        revision -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    promotion_reviews (request_id, actor) {
        request_id -> Uuid,
        actor -> Text,
        approved -> Bool,
        comment -> Nullable<Text>,
        at -> Timestamptz,
    }
}

diesel::table! {
    releases (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        app_id -> Uuid,
        version_id -> Uuid,
        seq -> Int8,
        at -> Timestamptz,
        released_by -> Text,
        note -> Nullable<Text>,
        rollback -> Bool,
        scheduled -> Bool,
        previous_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    scheduled_releases (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        app_id -> Uuid,
        version_id -> Uuid,
        at -> Timestamptz,
        scheduled_by -> Text,
        role -> Text,
        note -> Nullable<Text>,
        status -> Text,
        failure -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    workspace_generations (workspace_id) {
        workspace_id -> Uuid,
        generation -> Int8,
    }
}

diesel::table! {
    workspaces (id) {
        id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(app_version_data_sources -> app_versions (version_id));
diesel::joinable!(app_version_data_sources -> data_sources (data_source_id));
diesel::joinable!(app_versions -> apps (app_id));
diesel::joinable!(apps -> workspaces (workspace_id));
diesel::joinable!(audit_events -> workspaces (workspace_id));
diesel::joinable!(constants -> workspaces (workspace_id));
diesel::joinable!(data_source_options -> data_sources (data_source_id));
diesel::joinable!(data_source_options -> environments (environment_id));
diesel::joinable!(data_sources -> workspaces (workspace_id));
diesel::joinable!(environments -> workspaces (workspace_id));
diesel::joinable!(promotion_requests -> app_versions (version_id));
diesel::joinable!(promotion_reviews -> promotion_requests (request_id));
diesel::joinable!(releases -> app_versions (version_id));
diesel::joinable!(scheduled_releases -> app_versions (version_id));
diesel::joinable!(workspace_generations -> workspaces (workspace_id));

diesel::allow_tables_to_appear_in_same_query!(
    app_version_data_sources,
    app_versions,
    apps,
    audit_events,
    constant_values,
    constants,
    data_source_options,
    data_sources,
    environment_selections,
    environments,
    promotion_requests,
    promotion_reviews,
    releases,
    scheduled_releases,
    workspace_generations,
    workspaces,
);
