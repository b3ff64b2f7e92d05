//! Configuration as code: the workspace as one document (`workspaceConfig`), and making
//! a workspace match one (`applyWorkspaceConfig`), planned first, applied in one
//! transaction through the same domain functions the mutations use.

pub mod apply;
pub mod document;
pub mod export;
pub mod patch;
pub mod plan;

pub use apply::{Plan, apply};
pub use document::{Document, json_schema};
pub use export::export;
pub use plan::{ConfigAction, PlannedChange};
