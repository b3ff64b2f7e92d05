//! One file per GraphQL type (or family of small types).

pub mod app;
pub mod app_version;
pub mod audit_event;
pub mod connection;
pub mod connection_test;
pub mod constant;
pub mod data_source;
pub mod data_source_kind;
pub mod data_source_options;
pub mod drift;
pub mod edition;
pub mod environment;
pub mod inputs;
pub mod promotion;
pub mod release;
pub mod resolution;
pub mod viewer;
pub mod workspace_config;
