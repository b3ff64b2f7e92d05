//! The integration tests: the real router and schema over a real PostgreSQL database,
//! a fresh one per test.

mod auth;
mod common;
mod contract;
mod edition;
mod environments;
mod http;
