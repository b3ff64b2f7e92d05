//! Changes other processes must hear of: published with PostgreSQL's `NOTIFY` inside
//! the transaction that makes them, so they are delivered when (and only when) it
//! commits, to every envgate process listening on the database (see
//! [`crate::listener`]). A payload carries ids only; whoever receives it reads the
//! rest with its own caller's permissions.

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl as _;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::Conn;
use crate::error::AppResult;

/// The `LISTEN`/`NOTIFY` channel every process shares.
pub const CHANNEL: &str = "envgate_changes";

/// One committed change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "camelCase")]
pub enum Change {
    /// Options were created, saved or copied: those of one data source, or of every
    /// data source of the workspace (a new environment receives copies), in these
    /// environments.
    #[serde(rename_all = "camelCase")]
    Options {
        workspace_id: Uuid,
        data_source_id: Option<Uuid>,
        environment_ids: Vec<Uuid>,
    },
    /// A data source was deleted, with every environment's options.
    #[serde(rename_all = "camelCase")]
    DataSourceDeleted {
        workspace_id: Uuid,
        data_source_id: Uuid,
    },
    /// A promotion request was opened, reviewed, decided or went stale.
    #[serde(rename_all = "camelCase")]
    PromotionRequest {
        workspace_id: Uuid,
        request_id: Uuid,
    },
    /// A release was scheduled, cancelled or ran: schedulers look for the next due
    /// one again.
    #[serde(rename_all = "camelCase")]
    ScheduledReleases { workspace_id: Uuid },
    /// A constant that the options of a data source reference got or lost its value
    /// in these environments: the options are as they were (same revision), but
    /// whether they are configured may have changed.
    #[serde(rename_all = "camelCase")]
    ConstantChanged {
        workspace_id: Uuid,
        data_source_id: Uuid,
        environment_ids: Vec<Uuid>,
    },
}

impl Change {
    /// The workspace the change happened in.
    pub fn workspace_id(&self) -> Uuid {
        match self {
            Self::Options { workspace_id, .. }
            | Self::DataSourceDeleted { workspace_id, .. }
            | Self::PromotionRequest { workspace_id, .. }
            | Self::ScheduledReleases { workspace_id }
            | Self::ConstantChanged { workspace_id, .. } => *workspace_id,
        }
    }

    /// The change a notification's payload describes; `None` for one this version does
    /// not know (a newer process may publish more kinds).
    pub fn parse(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }
}

/// What a process's subscribers hear (see [`crate::listener`]).
#[derive(Debug, Clone)]
pub enum Event {
    /// A committed change.
    Changed(std::sync::Arc<Change>),
    /// Changes may have been missed (the listening connection was lost, or this
    /// subscriber fell behind): read the current state again.
    Resync,
}

/// Queues `change` for delivery when the caller's transaction commits (`NOTIFY` is
/// transactional: a rolled-back change is never announced).
pub async fn publish(conn: &mut Conn, change: &Change) -> AppResult<()> {
    let payload = serde_json::to_string(change).map_err(crate::error::AppError::internal)?;
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(payload)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_small_and_read_back() {
        let change = Change::Options {
            workspace_id: Uuid::new_v4(),
            data_source_id: Some(Uuid::new_v4()),
            environment_ids: vec![Uuid::new_v4(); 10],
        };
        let payload = serde_json::to_string(&change).unwrap();
        // NOTIFY refuses payloads of 8,000 bytes or more; ten environments are far below.
        assert!(payload.len() < 1_000, "{payload}");
        assert_eq!(Change::parse(&payload), Some(change));
        assert_eq!(Change::parse(r#"{"change":"somethingNew"}"#), None);
    }
}
