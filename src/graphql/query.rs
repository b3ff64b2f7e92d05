//! The root query type.

use async_graphql::{Context, ID, Object};

use crate::domain::data_sources::{self, Filters};
use crate::domain::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest};
use crate::domain::{environments, kinds};
use crate::graphql::ContextExt as _;
use crate::graphql::types::connection::DataSourceConnection;
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::data_source_kind::DataSourceKind;
use crate::graphql::types::edition::Edition;
use crate::graphql::types::environment::Environment;
use crate::graphql::types::viewer::Viewer;

/// What a page of a list costs against the query complexity limit: its fields once per
/// item it can hold.
fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let items = first.map_or(DEFAULT_PAGE_SIZE, |n| i64::from(n).clamp(0, MAX_PAGE_SIZE));
    usize::try_from(items).unwrap_or(0).max(1) * child_complexity
}

pub struct Query;

/// Everything a caller can read; all of it confined to the workspace of their token.
#[Object]
impl Query {
    /// The caller, as their token describes them.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        Ok(ctx.session()?.into())
    }

    /// The running edition and the state of its license, as of this request.
    async fn edition(&self, ctx: &Context<'_>) -> async_graphql::Result<Edition> {
        ctx.session()?;
        Ok(ctx.app().edition().into())
    }

    /// The environments the edition offers, by priority: Development, Staging and
    /// Production with an Enterprise license, Production alone in Community.
    async fn environments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Environment>> {
        let caller = ctx.caller()?;
        let all = ctx.all_environments().await?;
        Ok(environments::offered(&all, &caller)
            .into_iter()
            .map(Environment)
            .collect())
    }

    /// One environment of the caller's workspace. An unknown id, or another workspace's,
    /// is NOT_FOUND; one the edition does not offer is LICENSE_REQUIRED.
    async fn environment(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Environment>> {
        let caller = ctx.caller()?;
        let all = ctx.all_environments().await?;
        Ok(Some(Environment(
            environments::find_offered(&all, &id, &caller)?.clone(),
        )))
    }

    /// Every kind of data source the server knows, with its option fields.
    async fn data_source_kinds(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<DataSourceKind>> {
        ctx.session()?;
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
    ) -> async_graphql::Result<DataSourceConnection> {
        let caller = ctx.caller()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let filters = Filters { kind, search };
        let page = data_sources::list(&mut *ctx.conn().await?, &caller, &page, &filters).await?;
        // Load every listed data source's options in one query up front, so that each
        // node's `options` and `environments` is answered from the request's cache.
        let look_ahead = ctx.look_ahead();
        let wants_options = [
            look_ahead.field("nodes"),
            look_ahead.field("edges").field("node"),
        ]
        .iter()
        .any(|node| node.field("environments").exists() || node.field("options").exists());
        if wants_options {
            let ids: Vec<_> = page.items.iter().map(|(_, d)| d.id).collect();
            ctx.prefetch_options(&ids).await?;
        }
        Ok(DataSourceConnection::from_page(page))
    }

    /// One data source of the caller's workspace. An unknown id, or another workspace's,
    /// is NOT_FOUND.
    async fn data_source(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<DataSource>> {
        let caller = ctx.caller()?;
        Ok(Some(DataSource(
            data_sources::get(&mut *ctx.conn().await?, &caller, &id).await?,
        )))
    }
}
