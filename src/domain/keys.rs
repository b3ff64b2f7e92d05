//! Master-key rotation: how many secrets each key sealed, re-sealing them under the
//! current key in batches, and the start-up check that every stored secret can be
//! opened (a secret the server can't open is never served as unset).

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection as _, RunQueryDsl};

use crate::db::Conn;
use crate::db::models::{ConstantValue, DataSourceOptions};
use crate::domain::{constants, options};
use crate::error::{AppError, AppResult};
use crate::secrets::MasterKeys;

/// How many stored secrets one master key sealed.
#[derive(Debug, Clone, PartialEq, Eq, diesel::QueryableByName)]
pub struct KeyCount {
    #[diesel(sql_type = Text)]
    pub key_id: String,
    #[diesel(sql_type = BigInt)]
    pub secrets: i64,
}

/// The stored secrets of every workspace (options and SECRET constants), counted per
/// master key id.
pub async fn status(conn: &mut Conn) -> AppResult<Vec<KeyCount>> {
    Ok(diesel::sql_query(
        "SELECT key_id, count(*) AS secrets FROM (
             SELECT split_part(s.value, '.', 2) AS key_id
             FROM data_source_options o, jsonb_each_text(o.secrets) s WHERE s.value LIKE 'v1.%'
             UNION ALL
             SELECT split_part(v.value, '.', 2)
             FROM constant_values v JOIN constants c ON c.id = v.constant_id
             WHERE c.type = 'secret' AND v.value LIKE 'v1.%'
         ) sealed GROUP BY 1 ORDER BY 1",
    )
    .load(conn)
    .await?)
}

/// The stored secrets sealed under keys `keys` does not hold; empty when every secret
/// opens.
pub async fn unheld(conn: &mut Conn, keys: &MasterKeys) -> AppResult<Vec<KeyCount>> {
    Ok(status(conn)
        .await?
        .into_iter()
        .filter(|c| !keys.holds(&c.key_id))
        .collect())
}

/// What a reseal did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResealSummary {
    /// Rows rewritten: options rows and SECRET constant values.
    pub rows: u64,
    /// Secrets re-sealed under the current key.
    pub secrets: u64,
}

/// The SECRET constant values sealed by another key than `$1` (only sealed values:
/// anything else would be selected again and again).
const STALE_CONSTANTS: &str = "FROM constant_values v JOIN constants c ON c.id = v.constant_id
     WHERE c.type = 'secret' AND v.value LIKE 'v1.%' AND split_part(v.value, '.', 2) <> $1";

/// How many rows (options rows, SECRET constant values) hold a secret not sealed by
/// the current key.
pub async fn rows_to_reseal(conn: &mut Conn, keys: &MasterKeys) -> AppResult<i64> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(format!(
        "SELECT (SELECT count(*) FROM data_source_options o
         WHERE EXISTS (SELECT 1 FROM jsonb_each_text(o.secrets) s WHERE s.value LIKE 'v1.%' AND split_part(s.value, '.', 2) <> $1))
         + (SELECT count(*) {STALE_CONSTANTS}) AS n"
    ))
    .bind::<Text, _>(keys.current().id())
    .get_result(conn)
    .await?;
    Ok(count.n)
}

/// Re-seals every secret under the current key, `batch_size` rows per transaction, so
/// an interruption loses at most one batch and a second run carries on (rows already
/// re-sealed are not selected again). Rows a save holds locked are skipped and left
/// for the next run. Stops after `max_batches` when given. `progress` hears the rows
/// done after each batch.
pub async fn reseal(
    conn: &mut Conn,
    keys: &MasterKeys,
    batch_size: i64,
    max_batches: Option<u64>,
    mut progress: impl FnMut(u64),
) -> AppResult<ResealSummary> {
    if batch_size < 1 {
        return Err(AppError::bad_field(
            "batch_size",
            "The batch size must be at least 1.",
        ));
    }
    let mut summary = ResealSummary::default();
    let mut batches = 0;
    while max_batches.is_none_or(|max| batches < max) {
        let done = conn
            .transaction::<_, AppError, _>(async |conn| {
                let rows: Vec<DataSourceOptions> = diesel::sql_query(
                    "SELECT * FROM data_source_options o
                     WHERE EXISTS (SELECT 1 FROM jsonb_each_text(o.secrets) s WHERE s.value LIKE 'v1.%' AND split_part(s.value, '.', 2) <> $1)
                     ORDER BY data_source_id, environment_id
                     LIMIT $2 FOR UPDATE SKIP LOCKED",
                )
                .bind::<Text, _>(keys.current().id())
                .bind::<BigInt, _>(batch_size)
                .load(conn)
                .await?;
                let mut secrets = 0;
                for mut row in rows.iter().cloned() {
                    secrets += options::reseal(&mut row, keys)? as u64;
                    diesel::sql_query(
                        "UPDATE data_source_options SET secrets = $1 WHERE data_source_id = $2 AND environment_id = $3",
                    )
                    .bind::<diesel::sql_types::Jsonb, _>(&row.secrets)
                    .bind::<diesel::sql_types::Uuid, _>(row.data_source_id)
                    .bind::<diesel::sql_types::Uuid, _>(row.environment_id)
                    .execute(conn)
                    .await?;
                }
                let values: Vec<ConstantValue> = diesel::sql_query(format!(
                    "SELECT v.* {STALE_CONSTANTS} ORDER BY v.constant_id, v.environment_id
                     LIMIT $2 FOR UPDATE OF v SKIP LOCKED"
                ))
                .bind::<Text, _>(keys.current().id())
                .bind::<BigInt, _>(batch_size)
                .load(conn)
                .await?;
                for mut value in values.iter().cloned() {
                    if constants::reseal(value.constant_id, &mut value, keys)? {
                        secrets += 1;
                    }
                    diesel::sql_query(
                        "UPDATE constant_values SET value = $1 WHERE constant_id = $2 AND environment_id = $3",
                    )
                    .bind::<Text, _>(&value.value)
                    .bind::<diesel::sql_types::Uuid, _>(value.constant_id)
                    .bind::<diesel::sql_types::Uuid, _>(value.environment_id)
                    .execute(conn)
                    .await?;
                }
                Ok(((rows.len() + values.len()) as u64, secrets))
            })
            .await?;
        batches += 1;
        if done.0 == 0 {
            break;
        }
        summary.rows += done.0;
        summary.secrets += done.1;
        progress(summary.rows);
    }
    Ok(summary)
}
