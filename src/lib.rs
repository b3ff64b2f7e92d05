//! envgate: per-environment connection settings for a low-code app builder, served as
//! a GraphQL API. Arrows point one way: `http` -> `graphql` -> `domain` -> `db`.
//!
//! Tests and the binary use two entry points: [`router`] (the whole HTTP service) and
//! [`schema`] (the GraphQL schema, to execute requests with a session attached).

pub mod app;
pub mod auth;
pub mod commands;
pub mod config;
pub mod db;
pub mod demo;
pub mod dev;
pub mod devdb;
pub mod domain;
pub mod edition;
pub mod error;
pub mod graphql;
pub mod http;
pub mod listener;
pub mod metrics;
pub mod scheduler;
pub mod secrets;
pub mod tls;
pub mod traces;

pub use graphql::schema;

/// mimalloc instead of glibc's malloc: a response is built from many small short-lived
/// allocations on two worker threads, where glibc's arenas spent a quarter of the CPU
/// (malloc, free, consolidation and their locks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use http::router;
