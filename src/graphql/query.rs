//! The root query type.

use async_graphql::{Context, Json, Object, Value};
use uuid::Uuid;

use crate::domain::data_sources::{self, Filters};
use crate::domain::ids::{AppId, DataSourceId, EnvironmentId, VersionId};
use crate::domain::pagination::PageRequest;
use crate::domain::permissions::Action;
use crate::domain::{
    apps, audit, constants, drift, environments, kinds, promotion, promotion_requests, releases,
    resolution, workspace_config,
};
use crate::graphql::ContextExt as _;
use crate::graphql::inline::InlineList;
use crate::graphql::limits;
use crate::graphql::types::app::App;
use crate::graphql::types::audit_event::{AuditEvent, AuditFilter};
use crate::graphql::types::connection::{Connection, NodesAsk, page_complexity};
use crate::graphql::types::constant::WorkspaceConstant;
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::data_source_kind::DataSourceKind;
use crate::graphql::types::drift::EnvironmentDiff;
use crate::graphql::types::edition::Edition;
use crate::graphql::types::environment::Environment;
use crate::graphql::types::inputs::ResolveDataSourceInput;
use crate::graphql::types::promotion::{
    PromotionPreview, PromotionRequest, PromotionRequestStatus,
};
use crate::graphql::types::resolution::ResolvedDataSource;
use crate::graphql::types::viewer::Viewer;

pub struct Query;

/// The environment every `options(environmentId:)` of a page's nodes names, when they
/// all name the same well-formed id.
fn options_environment(nodes: &NodesAsk<'_>) -> Option<Uuid> {
    let mut found = None;
    for argument in nodes.arguments("options", "environmentId") {
        let Some(Value::String(id)) = argument else {
            return None;
        };
        let id = Uuid::parse_str(&id).ok()?;
        if found.is_some_and(|f| f != id) {
            return None;
        }
        found = Some(id);
    }
    found
}

/// Everything a caller can read; all of it confined to the workspace of their token.
#[Object]
impl Query {
    /// The caller, as their token describes them.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        ctx.caller()?.require(Action::ReadWorkspace)?;
        Ok(ctx.session()?.into())
    }

    /// The running edition and the state of its license, as of this request.
    async fn edition(&self, ctx: &Context<'_>) -> async_graphql::Result<Edition> {
        ctx.caller()?.require(Action::ReadWorkspace)?;
        Ok(ctx.app().edition().into())
    }

    /// The environments the edition offers, by priority: Development, Staging and
    /// Production with an Enterprise license, Production alone in Community.
    async fn environments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<InlineList<Environment>> {
        let caller = ctx.caller()?;
        caller.require(Action::ReadWorkspace)?;
        let all = ctx.all_environments().await?;
        Ok(environments::offered(&all, caller)
            .into_iter()
            .map(Environment)
            .collect())
    }

    /// One environment of the caller's workspace. An unknown id, or another workspace's,
    /// is NOT_FOUND; one the edition does not offer is LICENSE_REQUIRED.
    async fn environment(
        &self,
        ctx: &Context<'_>,
        id: EnvironmentId,
    ) -> async_graphql::Result<Option<Environment>> {
        let caller = ctx.caller()?;
        caller.require(Action::ReadWorkspace)?;
        let all = ctx.all_environments().await?;
        Ok(Some(Environment(
            environments::find_offered(&all, id, caller)?.clone(),
        )))
    }

    /// Every kind of data source the server knows, with its option fields.
    async fn data_source_kinds(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<DataSourceKind>> {
        ctx.caller()?.require(Action::ReadDataSources)?;
        Ok(kinds::KINDS.iter().map(DataSourceKind).collect())
    }

    /// The workspace's data sources by name, a page at a time (`first` at most 100,
    /// 20 by default), optionally of one `kind` or whose name contains `search`.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn data_sources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        kind: Option<String>,
        search: Option<String>,
    ) -> async_graphql::Result<Connection<DataSource>> {
        let caller = ctx.caller()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let filters = Filters { kind, search };
        // Each node's `options` and `environments` is answered from the request's cache,
        // loaded up front: when the nodes ask only for `options` of one environment, its
        // rows come with the page, in the same query; otherwise every environment's rows
        // of the page in one more.
        let nodes = NodesAsk::of(ctx);
        let asks_options = nodes.any(&["options"]);
        let asks_all = nodes.any(&["environments"]);
        let options_in = (asks_options && !asks_all)
            .then(|| options_environment(&nodes))
            .flatten();
        // The environments every `options` reads come meanwhile, so that the page is
        // answered without waiting again (and may be written straight to JSON).
        let read_page = async {
            let mut conn = ctx.conn().await?;
            let page = data_sources::list(&mut conn, caller, &page, &filters, options_in).await?;
            Ok::<_, async_graphql::Error>(page)
        };
        let read_environments = async {
            if asks_options || asks_all {
                ctx.all_environments().await?;
            }
            Ok(())
        };
        let (mut page, ()) = futures_util::try_join!(read_page, read_environments)?;
        if let Some(environment_id) = options_in {
            let rows = page
                .items
                .iter_mut()
                .map(|(_, (d, row))| (d.id, row.take()));
            ctx.feed_options_in(environment_id, rows).await?;
        } else if asks_options || asks_all {
            let ids: Vec<_> = page.items.iter().map(|(_, (d, _))| d.id).collect();
            ctx.prefetch_options(&ids).await?;
        }
        Ok(Connection::from_page(page, |(data_source, _)| {
            DataSource(data_source)
        }))
    }

    /// One data source of the caller's workspace. An unknown id, or another workspace's,
    /// is NOT_FOUND.
    async fn data_source(
        &self,
        ctx: &Context<'_>,
        id: DataSourceId,
    ) -> async_graphql::Result<Option<DataSource>> {
        let caller = ctx.caller()?;
        Ok(Some(DataSource(
            data_sources::get(&mut *ctx.conn().await?, caller, id).await?,
        )))
    }

    /// The workspace's apps by name, a page at a time (`first` at most 100, 20 by
    /// default). Versions and environments of a whole page are loaded at once.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn apps(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<App>> {
        let caller = ctx.caller()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let page = apps::list(&mut *ctx.conn().await?, caller, &page).await?;
        let nodes = NodesAsk::of(ctx);
        // Releases and scheduled releases name their versions.
        let versions = nodes.any(&[
            "versions",
            "releasedVersion",
            "releases",
            "scheduledReleases",
        ]);
        let selections = nodes.any(&["builderEnvironment"]);
        let ids: Vec<_> = page.items.iter().map(|(_, a)| a.id).collect();
        if versions || selections {
            ctx.prefetch_apps(&ids, versions, selections).await?;
        }
        if releases::require_reader(caller).is_ok() {
            let pages = nodes.page_arguments("releases");
            let scheduled = nodes.any(&["scheduledReleases"]);
            if !pages.is_empty() || scheduled {
                ctx.prefetch_releases(&ids, &pages, scheduled).await?;
            }
        }
        Ok(Connection::from_page(page, App))
    }

    /// One app of the caller's workspace. An unknown id, or another workspace's, is
    /// NOT_FOUND.
    async fn app(&self, ctx: &Context<'_>, id: AppId) -> async_graphql::Result<Option<App>> {
        let caller = ctx.caller()?;
        Ok(Some(App(
            apps::get(&mut *ctx.conn().await?, caller, id).await?
        )))
    }

    /// The options the query runner uses for a data source of an app (the RUNNER role
    /// only), secrets decrypted: RELEASED runs on the default environment, BUILDER on
    /// the environment `userId` last selected for the app (the lowest one if none).
    /// An environment missing required options is ENVIRONMENT_NOT_CONFIGURED, never
    /// another environment's options. Every call is written to the audit log.
    async fn resolve_data_source(
        &self,
        ctx: &Context<'_>,
        input: ResolveDataSourceInput,
    ) -> async_graphql::Result<ResolvedDataSource> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        // On the primary, with read replicas too: every call writes its audit row.
        let resolved = resolution::resolve(
            &mut *app.conn().await?,
            caller,
            &app.master_keys,
            &input.into(),
        )
        .await?;
        Ok(resolved.into())
    }

    /// newest first; admins only
    ///
    /// The workspace's audit log a page at a time (`first` at most 100, 20 by
    /// default): every change, connection test and decrypted read, never a secret
    /// value. Every filter given must match; an object id that is not the workspace's
    /// matches nothing.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditFilter>,
    ) -> async_graphql::Result<Connection<AuditEvent>> {
        let caller = ctx.caller()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let filter = filter.map(Into::into).unwrap_or_default();
        let page = audit::list(&mut *ctx.conn().await?, caller, &page, &filter).await?;
        Ok(Connection::try_from_page(page, AuditEvent::try_from)?)
    }

    /// What promoting a version now would meet: the next environment, each data
    /// source the version uses that is not configured there, the approvals it needs,
    /// and whether the caller may promote it with promoteAppVersion (and why not).
    async fn promotion_preview(
        &self,
        ctx: &Context<'_>,
        version_id: VersionId,
    ) -> async_graphql::Result<PromotionPreview> {
        let caller = ctx.caller()?;
        Ok(PromotionPreview(
            promotion::preview(&mut *ctx.conn().await?, caller, version_id).await?,
        ))
    }

    /// newest first
    ///
    /// The workspace's promotion requests a page at a time (`first` at most 100, 20 by
    /// default), of one status and of one app when given.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn promotion_requests(
        &self,
        ctx: &Context<'_>,
        status: Option<PromotionRequestStatus>,
        app_id: Option<AppId>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<PromotionRequest>> {
        let caller = ctx.caller()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let filter = promotion_requests::Filter {
            status: status.map(Into::into),
            app_id,
        };
        let page =
            promotion_requests::list(&mut *ctx.conn().await?, caller, &page, &filter).await?;
        // What the page's versions use, in one batch whatever the timing.
        let nodes = NodesAsk::of(ctx);
        let asks_uses = nodes
            .named("version")
            .any(|version| version.selection.asks("dataSources", nodes.variables()));
        if asks_uses {
            let ids: Vec<Uuid> = page.items.iter().map(|(_, d)| d.version.id).collect();
            ctx.prefetch_version_data_sources(&ids).await?;
        }
        Ok(Connection::from_page(page, PromotionRequest))
    }

    /// The workspace's constants by name, with their values in every environment the
    /// edition offers (SECRET values only say whether they are set).
    #[graphql(complexity = "limits::UNPAGED_LIST_ITEMS * child_complexity")]
    async fn constants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WorkspaceConstant>> {
        let caller = ctx.caller()?;
        let mut conn = ctx.conn().await?;
        let list = constants::list(&mut conn, caller).await?;
        WorkspaceConstant::load(&mut conn, list).await
    }

    /// The constant with exactly this name, or null when the workspace has none.
    async fn constant(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<Option<WorkspaceConstant>> {
        let caller = ctx.caller()?;
        let mut conn = ctx.conn().await?;
        let found = constants::by_name(&mut conn, caller, &name).await?;
        Ok(
            WorkspaceConstant::load(&mut conn, found.into_iter().collect())
                .await?
                .pop(),
        )
    }

    /// what differs between two environments' configuration
    ///
    /// Per data source, the option keys whose values (non-secrets) or set-state
    /// (secrets) differ, and for admins whether two set secrets differ (compared in
    /// memory, never returned); per constant, set-state and GLOBAL values. Needs
    /// READ_OPTIONS in both environments; not for the runner role.
    async fn environment_diff(
        &self,
        ctx: &Context<'_>,
        from_environment_id: EnvironmentId,
        to_environment_id: EnvironmentId,
    ) -> async_graphql::Result<EnvironmentDiff> {
        let caller = ctx.caller()?;
        let diff = drift::between(
            &mut *ctx.conn().await?,
            caller,
            &ctx.app().master_keys,
            from_environment_id,
            to_environment_id,
        )
        .await?;
        Ok(diff.into())
    }

    /// the workspace's configuration as a document (no secret values); admins only
    ///
    /// `{"version": 1, "environments": [...], "dataSources": [...], "constants": [...]}`
    /// in a stable order (two exports of an unchanged workspace are byte-identical);
    /// a set secret reads `{"secret": "SET"}`. Its JSON Schema is
    /// `workspace-config.schema.json`; `applyWorkspaceConfig` takes it back.
    async fn workspace_config(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Json<serde_json::Value>> {
        let caller = ctx.caller()?;
        let document = workspace_config::export(&mut *ctx.conn().await?, caller).await?;
        Ok(Json(
            serde_json::to_value(&document).map_err(crate::error::AppError::internal)?,
        ))
    }
}
