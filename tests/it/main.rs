//! The integration tests: the real router and schema over a real PostgreSQL database,
//! a fresh one per test.

mod access;
mod apps;
mod audit;
mod auth;
mod cli;
mod common;
mod connection_test;
mod constants;
mod contract;
mod data_source_access;
mod data_sources;
mod database_tls;
mod demo;
mod direct_json;
mod drift;
mod edition;
mod environments;
mod equivalence;
mod faults;
mod hostile;
mod http;
mod identity_provider;
mod inline_fields;
mod keys;
mod load_bench;
mod overlap;
mod pipeline;
mod playground;
mod pooler;
mod promotion;
mod reference;
mod releases;
mod replicas;
mod resolution;
mod response_cache;
mod subscriptions;
mod traces;
mod websocket;
mod workspace_config;
// The real binary, end to end.
mod scheduler;
mod serve;
