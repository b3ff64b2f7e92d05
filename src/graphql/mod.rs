//! The GraphQL layer: thin resolvers over the domain functions. It knows no SQL; it
//! turns arguments into domain calls and domain values into GraphQL types.

mod extensions;
mod loaders;
mod mutation;
mod query;
pub mod types;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, EmptySubscription, Schema};

use crate::app::{App, AppState};
use crate::auth::Session;
use uuid::Uuid;

use crate::db::PgConn;
use crate::db::models::{DataSourceOptions, Environment};
use crate::domain::Caller;
use crate::error::{AppError, AppResult};

use loaders::{AllEnvironments, EnvironmentsLoader, OptionsLoader};
pub use mutation::Mutation;
pub use query::Query;

/// The envgate schema.
pub type EnvgateSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deepest selection a query may nest (introspection needs about 13).
const MAX_DEPTH: usize = 24;
/// Largest query, counting one per field.
const MAX_COMPLEXITY: usize = 5_000;

/// The schema, with its limits and error-code extension, serving `app`.
pub fn schema(app: AppState) -> EnvgateSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(app)
        .extension(extensions::ErrorCodes)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The SDL of the schema: the text of `schema.graphql`.
pub fn sdl() -> String {
    let sdl = Schema::build(Query, Mutation, EmptySubscription)
        .finish()
        .sdl();
    format!("{}\n", sdl.trim())
}

/// What one request carries: who is calling (or why not) and its own DataLoaders, so
/// that nothing is cached across requests or workspaces.
pub struct RequestData {
    session: Result<Session, async_graphql::Error>,
    environments: Option<DataLoader<EnvironmentsLoader>>,
    options: Option<DataLoader<OptionsLoader>>,
}

impl RequestData {
    /// The request data for the outcome of authentication.
    pub fn new(app: &AppState, session: AppResult<Session>) -> Self {
        match session {
            Ok(session) => Self {
                environments: Some(DataLoader::new(
                    EnvironmentsLoader::new(app.clone(), session.workspace_id),
                    tokio::spawn,
                )),
                options: Some(DataLoader::new(
                    OptionsLoader::new(app.clone(), session.workspace_id),
                    tokio::spawn,
                )),
                session: Ok(session),
            },
            Err(error) => Self {
                session: Err(error.into()),
                environments: None,
                options: None,
            },
        }
    }

    /// Adds this request data to a GraphQL request.
    pub fn attach(self, request: async_graphql::Request) -> async_graphql::Request {
        request.data(self)
    }
}

/// What resolvers read from the context.
pub(crate) trait ContextExt {
    fn app(&self) -> &AppState;
    fn request_data(&self) -> async_graphql::Result<&RequestData>;
    /// The session, or the reason there is none (UNAUTHENTICATED).
    fn session(&self) -> async_graphql::Result<&Session>;
    /// The caller with the edition as it is now.
    fn caller(&self) -> async_graphql::Result<Caller>;
    async fn conn(&self) -> async_graphql::Result<PgConn>;
    /// Every environment of the caller's workspace by priority, loaded once per request.
    async fn all_environments(&self) -> async_graphql::Result<Vec<Environment>>;
    /// The options rows of a data source, batched across the request.
    async fn options_rows(
        &self,
        data_source_id: Uuid,
    ) -> async_graphql::Result<Vec<DataSourceOptions>>;
}

fn unauthenticated() -> async_graphql::Error {
    AppError::Unauthenticated(
        "Authentication required: send `Authorization: Bearer <token>`.".into(),
    )
    .into()
}

impl ContextExt for Context<'_> {
    fn app(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn request_data(&self) -> async_graphql::Result<&RequestData> {
        self.data_opt::<RequestData>().ok_or_else(unauthenticated)
    }

    fn session(&self) -> async_graphql::Result<&Session> {
        self.request_data()?.session.as_ref().map_err(Clone::clone)
    }

    fn caller(&self) -> async_graphql::Result<Caller> {
        let session = self.session()?;
        Ok(Caller::new(session, self.app().edition().multi_environment))
    }

    async fn conn(&self) -> async_graphql::Result<PgConn> {
        Ok(App::conn(self.app()).await?)
    }

    async fn all_environments(&self) -> async_graphql::Result<Vec<Environment>> {
        let loader = self
            .request_data()?
            .environments
            .as_ref()
            .ok_or_else(unauthenticated)?;
        Ok(loader.load_one(AllEnvironments).await?.unwrap_or_default())
    }

    async fn options_rows(
        &self,
        data_source_id: Uuid,
    ) -> async_graphql::Result<Vec<DataSourceOptions>> {
        let loader = self
            .request_data()?
            .options
            .as_ref()
            .ok_or_else(unauthenticated)?;
        Ok(loader.load_one(data_source_id).await?.unwrap_or_default())
    }
}
