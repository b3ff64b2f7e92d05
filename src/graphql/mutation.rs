//! The root mutation type.

use async_graphql::{Context, ID, Json, Object};

use chrono::{DateTime, Utc};

use crate::domain::ids::{
    AppId, ConstantId, DataSourceId, EnvironmentId, PromotionRequestId, ScheduledReleaseId,
    VersionId,
};
use crate::domain::{
    access, apps, connection_test, constants, data_sources, pipeline, promotion_requests, releases,
    scheduled_releases, selections, version_data_sources, versions, workspace_config,
};
use crate::error::AppError;
use crate::graphql::ContextExt as _;
use crate::graphql::types::app::App;
use crate::graphql::types::app_version::AppVersion;
use crate::graphql::types::connection_test::ConnectionTestResult;
use crate::graphql::types::constant::{ConstantType, ConstantValueInput, WorkspaceConstant};
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::data_source_options::DataSourceOptions;
use crate::graphql::types::environment::{Environment, EnvironmentAccessRuleInput};
use crate::graphql::types::inputs::{
    CopyDataSourceOptionsInput, CreateDataSourceInput, CreateEnvironmentInput,
    UpdateDataSourceOptionsInput,
};
use crate::graphql::types::promotion::PromotionRequest;
use crate::graphql::types::release::ScheduledRelease;
use crate::graphql::types::workspace_config::ConfigPlan;

pub struct Mutation;

/// Every change a caller can make, confined to the workspace of their token.
#[Object]
impl Mutation {
    /// Creates a data source (admins). The options go to the named environment, or
    /// Production; the other environments get the non-secret values and no secrets.
    async fn create_data_source(
        &self,
        ctx: &Context<'_>,
        input: CreateDataSourceInput,
    ) -> async_graphql::Result<DataSource> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        let created = data_sources::create(
            &mut *ctx.conn().await?,
            caller,
            &app.master_keys,
            input.into(),
        )
        .await?;
        Ok(DataSource(created))
    }

    /// Renames a data source (admins).
    async fn rename_data_source(
        &self,
        ctx: &Context<'_>,
        id: DataSourceId,
        name: String,
    ) -> async_graphql::Result<DataSource> {
        let caller = ctx.caller()?;
        Ok(DataSource(
            data_sources::rename(&mut *ctx.conn().await?, caller, id, &name).await?,
        ))
    }

    /// Deletes a data source and its options in every environment (admins); returns its id.
    async fn delete_data_source(
        &self,
        ctx: &Context<'_>,
        id: DataSourceId,
    ) -> async_graphql::Result<ID> {
        let caller = ctx.caller()?;
        Ok(ID(data_sources::delete(
            &mut *ctx.conn().await?,
            caller,
            id,
        )
        .await?
        .to_string()))
    }

    /// Saves one environment's options as a patch (admins): fields left out keep their
    /// values, `null` clears one. A stale `expectedRevision` is REVISION_CONFLICT.
    async fn update_data_source_options(
        &self,
        ctx: &Context<'_>,
        input: UpdateDataSourceOptionsInput,
    ) -> async_graphql::Result<DataSourceOptions> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        let (kind, row) = data_sources::update_options(
            &mut *ctx.conn().await?,
            caller,
            &app.master_keys,
            input.into(),
        )
        .await?;
        Ok(DataSourceOptions {
            kind,
            row: row.into(),
        })
    }

    /// Copies one environment's options onto another (admins); secrets only with
    /// `includeSecrets`. Returns the target environment's options.
    async fn copy_data_source_options(
        &self,
        ctx: &Context<'_>,
        input: CopyDataSourceOptionsInput,
    ) -> async_graphql::Result<DataSourceOptions> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        let (kind, row) = data_sources::copy_options(
            &mut *ctx.conn().await?,
            caller,
            &app.master_keys,
            input.into(),
        )
        .await?;
        Ok(DataSourceOptions {
            kind,
            row: row.into(),
        })
    }

    /// Tries to connect with one environment's stored options (admins), with a timeout
    /// of a few seconds. An environment missing required options is
    /// ENVIRONMENT_NOT_CONFIGURED.
    async fn test_data_source_connection(
        &self,
        ctx: &Context<'_>,
        data_source_id: DataSourceId,
        environment_id: EnvironmentId,
    ) -> async_graphql::Result<ConnectionTestResult> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        let target = data_sources::connection_options(
            &mut *ctx.conn().await?,
            caller,
            &app.master_keys,
            data_source_id,
            environment_id,
        )
        .await?;
        // The database connection is given back while the test waits on the network.
        // The test runs detached, so its audit row is written even when the client goes
        // away (or the request times out) in the middle of it; in the request's span
        // (its log lines, its trace).
        let (app, caller) = (app.clone(), caller.clone());
        let tested = tokio::spawn(tracing::Instrument::in_current_span(async move {
            let policy = &app.settings.connection_tests;
            let result = connection_test::run(policy, caller.workspace_id, &target.decrypted).await;
            connection_test::record(&mut *app.conn().await?, &caller, &target, &result).await?;
            Ok::<_, AppError>(result)
        }));
        let result = tested.await.map_err(AppError::internal)??;
        Ok(result.into())
    }

    /// Creates an app with no versions (builders and admins). Names follow the
    /// data-source rules: unique in the workspace regardless of case, 1 to 255 characters.
    async fn create_app(&self, ctx: &Context<'_>, name: String) -> async_graphql::Result<App> {
        let caller = ctx.caller()?;
        Ok(App(
            apps::create(&mut *ctx.conn().await?, caller, &name).await?
        ))
    }

    /// Creates a DRAFT version of an app in the lowest environment the edition offers
    /// (Development; Production in Community). Names are unique per app.
    async fn create_app_version(
        &self,
        ctx: &Context<'_>,
        app_id: AppId,
        name: String,
    ) -> async_graphql::Result<AppVersion> {
        let caller = ctx.caller()?;
        Ok(AppVersion(
            versions::create(&mut *ctx.conn().await?, caller, app_id, &name).await?,
        ))
    }

    /// force (admins only, audited) promotes despite blockers
    ///
    /// Moves a version to the next environment by priority (Enterprise). Pass the
    /// environment you believe the version is in: if it moved meanwhile, the answer is
    /// VERSION_CONFLICT. A version in the default environment can't go further. A data
    /// source the version uses that is not configured in the target is
    /// ENVIRONMENT_NOT_CONFIGURED; a target that needs approvals is APPROVAL_REQUIRED
    /// (see requestPromotion).
    async fn promote_app_version(
        &self,
        ctx: &Context<'_>,
        version_id: VersionId,
        from_environment_id: EnvironmentId,
        #[graphql(default_with = "Some(false)")] force: Option<bool>,
    ) -> async_graphql::Result<AppVersion> {
        let caller = ctx.caller()?;
        Ok(AppVersion(
            versions::promote(
                &mut *ctx.conn().await?,
                caller,
                version_id,
                from_environment_id,
                force.unwrap_or(false),
            )
            .await?,
        ))
    }

    /// Declares the data sources a version's queries use, replacing what it declared
    /// (builders and admins; versions above the lowest environment are read-only).
    async fn set_app_version_data_sources(
        &self,
        ctx: &Context<'_>,
        version_id: VersionId,
        data_source_ids: Vec<DataSourceId>,
    ) -> async_graphql::Result<AppVersion> {
        let caller = ctx.caller()?;
        Ok(AppVersion(
            version_data_sources::set(
                &mut *ctx.conn().await?,
                caller,
                version_id,
                &data_source_ids,
            )
            .await?,
        ))
    }

    /// Asks admins to promote a version from `fromEnvironmentId` into the next
    /// environment, which needs approvals (builders and admins who may promote into it,
    /// protection notwithstanding). One pending request per version.
    async fn request_promotion(
        &self,
        ctx: &Context<'_>,
        version_id: VersionId,
        from_environment_id: EnvironmentId,
        note: Option<String>,
    ) -> async_graphql::Result<PromotionRequest> {
        let caller = ctx.caller()?;
        Ok(PromotionRequest(
            promotion_requests::request(
                &mut *ctx.conn().await?,
                caller,
                version_id,
                from_environment_id,
                note.as_deref(),
            )
            .await?,
        ))
    }

    /// Approves or rejects a pending request (admins other than the requester, once
    /// each). One rejection decides it; the approval that reaches the environment's
    /// number promotes the version, with every check of promoteAppVersion.
    async fn review_promotion_request(
        &self,
        ctx: &Context<'_>,
        id: PromotionRequestId,
        approve: bool,
        comment: Option<String>,
    ) -> async_graphql::Result<PromotionRequest> {
        let caller = ctx.caller()?;
        Ok(PromotionRequest(
            promotion_requests::review(
                &mut *ctx.conn().await?,
                caller,
                id,
                approve,
                comment.as_deref(),
            )
            .await?,
        ))
    }

    /// Cancels one's own pending request.
    async fn cancel_promotion_request(
        &self,
        ctx: &Context<'_>,
        id: PromotionRequestId,
    ) -> async_graphql::Result<PromotionRequest> {
        let caller = ctx.caller()?;
        Ok(PromotionRequest(
            promotion_requests::cancel(&mut *ctx.conn().await?, caller, id).await?,
        ))
    }

    /// Makes a version the one its app runs; the version released before returns to
    /// DRAFT. In Enterprise the version must be in the default environment (promote it
    /// first); Community releases any version. The release, with its `note` (at most
    /// 1,000 characters), joins `App.releases`. Returns the app.
    async fn release_app_version(
        &self,
        ctx: &Context<'_>,
        version_id: VersionId,
        note: Option<String>,
    ) -> async_graphql::Result<App> {
        let caller = ctx.caller()?;
        Ok(App(releases::release(
            &mut *ctx.conn().await?,
            caller,
            version_id,
            note.as_deref(),
        )
        .await?))
    }

    /// re-releases the version released before the current one
    ///
    /// A second call goes back one more release, and so on; with nothing earlier, or a
    /// version no longer in the default environment, the answer is BAD_USER_INPUT. The
    /// permission and protection rules of `releaseAppVersion` apply. Returns the app.
    async fn rollback_release(
        &self,
        ctx: &Context<'_>,
        app_id: AppId,
    ) -> async_graphql::Result<App> {
        let caller = ctx.caller()?;
        Ok(App(releases::rollback(
            &mut *ctx.conn().await?,
            caller,
            app_id,
        )
        .await?))
    }

    /// Schedules the release of a version (Enterprise) at `at`, in the future and at
    /// most 90 days ahead; it runs within 5 seconds of that time. Whether you may
    /// release is checked now (protection included), and the version must already be
    /// in the default environment; at its time a version that can't be released makes
    /// it FAILED, with the reason.
    async fn schedule_release(
        &self,
        ctx: &Context<'_>,
        version_id: VersionId,
        at: DateTime<Utc>,
        note: Option<String>,
    ) -> async_graphql::Result<ScheduledRelease> {
        let caller = ctx.caller()?;
        Ok(ScheduledRelease(
            scheduled_releases::schedule(
                &mut *ctx.conn().await?,
                caller,
                version_id,
                at,
                note.as_deref(),
            )
            .await?,
        ))
    }

    /// Cancels a scheduled release before it runs: whoever scheduled it, or an admin.
    async fn cancel_scheduled_release(
        &self,
        ctx: &Context<'_>,
        id: ScheduledReleaseId,
    ) -> async_graphql::Result<ScheduledRelease> {
        let caller = ctx.caller()?;
        Ok(ScheduledRelease(
            scheduled_releases::cancel(&mut *ctx.conn().await?, caller, id).await?,
        ))
    }

    /// Remembers the environment the caller works in for an app in the builder;
    /// `App.builderEnvironment` returns it from then on, for this user only.
    async fn select_environment(
        &self,
        ctx: &Context<'_>,
        app_id: AppId,
        environment_id: EnvironmentId,
    ) -> async_graphql::Result<App> {
        let caller = ctx.caller()?;
        Ok(App(selections::select(
            &mut *ctx.conn().await?,
            caller,
            app_id,
            environment_id,
        )
        .await?))
    }

    /// Adds a custom environment right after `input.after` (admins, Enterprise; at most
    /// 10 environments). Every data source gets that environment's non-secret values
    /// and no secrets.
    async fn create_environment(
        &self,
        ctx: &Context<'_>,
        input: CreateEnvironmentInput,
    ) -> async_graphql::Result<Environment> {
        let caller = ctx.caller()?;
        Ok(Environment(
            pipeline::create(&mut *ctx.conn().await?, caller, &input.name, input.after).await?,
        ))
    }

    /// Renames a custom environment (admins, Enterprise); built-ins are ENVIRONMENT_LOCKED.
    async fn rename_environment(
        &self,
        ctx: &Context<'_>,
        id: EnvironmentId,
        name: String,
    ) -> async_graphql::Result<Environment> {
        let caller = ctx.caller()?;
        Ok(Environment(
            pipeline::rename(&mut *ctx.conn().await?, caller, id, &name).await?,
        ))
    }

    /// returns the whole pipeline in its new order
    ///
    /// Moves a custom environment right after `after` (admins, Enterprise); built-ins
    /// are ENVIRONMENT_LOCKED and the default environment stays last.
    async fn move_environment(
        &self,
        ctx: &Context<'_>,
        id: EnvironmentId,
        after: EnvironmentId,
    ) -> async_graphql::Result<Vec<Environment>> {
        let caller = ctx.caller()?;
        let pipeline = pipeline::move_after(&mut *ctx.conn().await?, caller, id, after).await?;
        Ok(pipeline.into_iter().map(Environment).collect())
    }

    /// Deletes a custom environment and its options (admins, Enterprise); refused while
    /// it holds app versions. Users who had selected it get the lowest environment.
    async fn delete_environment(
        &self,
        ctx: &Context<'_>,
        id: EnvironmentId,
    ) -> async_graphql::Result<ID> {
        let caller = ctx.caller()?;
        let deleted = pipeline::delete(&mut *ctx.conn().await?, caller, id).await?;
        Ok(ID(deleted.to_string()))
    }

    /// Protects an environment or lifts its protection (admins, Enterprise): promoting
    /// into a protected environment, and releasing while Production is protected, need
    /// an admin.
    async fn set_environment_protected(
        &self,
        ctx: &Context<'_>,
        id: EnvironmentId,
        protected: bool,
    ) -> async_graphql::Result<Environment> {
        let caller = ctx.caller()?;
        Ok(Environment(
            pipeline::set_protected(&mut *ctx.conn().await?, caller, id, protected).await?,
        ))
    }

    /// Sets how many admins must approve a promotion into an environment, 0 to 5
    /// (admins, Enterprise). Audited as ENVIRONMENT_APPROVALS_CHANGED.
    async fn set_environment_approvals(
        &self,
        ctx: &Context<'_>,
        id: EnvironmentId,
        required_approvals: i32,
    ) -> async_graphql::Result<Environment> {
        let caller = ctx.caller()?;
        Ok(Environment(
            pipeline::set_approvals(&mut *ctx.conn().await?, caller, id, required_approvals)
                .await?,
        ))
    }

    /// replaces the environment's rules
    ///
    /// Admins, Enterprise. Each rule names exactly one of a role (not ADMIN) and a
    /// group, one rule each; at most 50. Audited as ENVIRONMENT_ACCESS_CHANGED.
    async fn set_environment_access(
        &self,
        ctx: &Context<'_>,
        id: EnvironmentId,
        rules: Vec<EnvironmentAccessRuleInput>,
    ) -> async_graphql::Result<Environment> {
        let caller = ctx.caller()?;
        let rules = rules.into_iter().map(Into::into).collect();
        Ok(Environment(
            access::set(&mut *ctx.conn().await?, caller, id, rules).await?,
        ))
    }

    /// Creates a workspace constant (admins) with values for some environments. Names
    /// match `[A-Za-z_][A-Za-z0-9_]{0,63}`, unique regardless of case.
    async fn create_constant(
        &self,
        ctx: &Context<'_>,
        name: String,
        #[graphql(name = "type")] kind: ConstantType,
        values: Vec<ConstantValueInput>,
    ) -> async_graphql::Result<WorkspaceConstant> {
        let caller = ctx.caller()?;
        let values: Vec<_> = values.into_iter().map(Into::into).collect();
        let mut conn = ctx.conn().await?;
        let constant = constants::create(
            &mut conn,
            caller,
            &ctx.app().master_keys,
            &name,
            kind.into(),
            &values,
        )
        .await?;
        Ok(WorkspaceConstant::load(&mut conn, vec![constant])
            .await?
            .remove(0))
    }

    /// Sets a constant's value in some environments, or clears it with null (admins);
    /// the other environments keep theirs.
    async fn set_constant_values(
        &self,
        ctx: &Context<'_>,
        id: ConstantId,
        values: Vec<ConstantValueInput>,
    ) -> async_graphql::Result<WorkspaceConstant> {
        let caller = ctx.caller()?;
        let values: Vec<_> = values.into_iter().map(Into::into).collect();
        let mut conn = ctx.conn().await?;
        let constant =
            constants::set_values(&mut conn, caller, &ctx.app().master_keys, id, &values).await?;
        Ok(WorkspaceConstant::load(&mut conn, vec![constant])
            .await?
            .remove(0))
    }

    /// Deletes a constant (admins); refused while data-source options reference it.
    async fn delete_constant(
        &self,
        ctx: &Context<'_>,
        id: ConstantId,
    ) -> async_graphql::Result<ID> {
        let caller = ctx.caller()?;
        let deleted = constants::delete(&mut *ctx.conn().await?, caller, id).await?;
        Ok(ID(deleted.to_string()))
    }

    /// applies a workspaceConfig document in one transaction; dryRun only plans
    ///
    /// Admins. The whole document is checked first (BAD_USER_INPUT lists every
    /// problem in `extensions.problems`, each naming its item); then what differs is
    /// created or updated, and with `prune` what the document leaves out is deleted,
    /// all or nothing, through the same rules as the other mutations (revisions,
    /// audit rows, notifications), plus a CONFIG_APPLIED audit row. A secret given as
    /// `{"secret": "SET"}` is kept; a string sets it. Applying a workspace's own export
    /// changes nothing.
    async fn apply_workspace_config(
        &self,
        ctx: &Context<'_>,
        config: Json<serde_json::Value>,
        #[graphql(default = true)] dry_run: bool,
        #[graphql(default = false)] prune: bool,
    ) -> async_graphql::Result<ConfigPlan> {
        let caller = ctx.caller()?;
        let plan = workspace_config::apply(
            &mut *ctx.conn().await?,
            caller,
            &ctx.app().master_keys,
            &config,
            dry_run,
            prune,
        )
        .await?;
        Ok(plan.into())
    }
}
