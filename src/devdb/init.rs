//! Creating a cluster with initdb, atomically.

use std::ffi::OsString;

use anyhow::Context;
use tokio::io::AsyncWriteExt as _;
use tracing::{info, warn};

use super::POSTGRES_USER;
use super::cluster::Layout;
use super::files::{holds_cluster, remove_abandoned_staging, remove_dir_if_exists, write_file};
use super::runner::Runner;

/// initdb writes into `<dir>/data.init-<pid>`, renamed to `<dir>/data` once complete.
pub(super) const STAGING_PREFIX: &str = "data.init-";

/// initdb reads the password from `<dir>/initdb-password-<pid>`, removed right after.
pub(super) const PASSWORD_FILE_PREFIX: &str = "initdb-password-";

pub(super) const SETTINGS_INCLUDE: &str = "include_if_exists = 'envgate.conf'";

/// Runs initdb in a staging directory of this process and renames it into place, so that an
/// interrupted initialization never leaves a half-made cluster where we look for one, and two
/// processes creating the cluster at once cannot step on each other: the first rename wins.
pub(super) async fn init_cluster(
    runner: &Runner,
    layout: &Layout,
    password: Option<&str>,
) -> anyhow::Result<()> {
    info!("creating a PostgreSQL cluster in {}", layout.data.display());
    remove_abandoned_staging(&layout.dir).await;
    let pid = std::process::id();
    let staging = layout.dir.join(format!("{STAGING_PREFIX}{pid}"));
    remove_dir_if_exists(&staging).await?;

    let auth = if password.is_some() {
        "scram-sha-256"
    } else {
        "trust"
    };
    let mut initdb = runner.pg("initdb");
    initdb.arg("-D").arg(&staging);
    // C collation: it exists on every machine, while a UTF8 locale may not be installed.
    initdb.args(["-U", POSTGRES_USER, "-E", "UTF8", "--locale=C"]);
    initdb.args([
        format!("--auth-local={auth}"),
        format!("--auth-host={auth}"),
    ]);
    let password_file = layout.dir.join(format!("{PASSWORD_FILE_PREFIX}{pid}"));
    if let Some(password) = password {
        write_file(&password_file, password.as_bytes(), runner.owner).await?;
        let mut arg = OsString::from("--pwfile=");
        arg.push(&password_file);
        initdb.arg(arg);
    }
    let result = runner.run(initdb, "initdb").await;
    let cleanup = match password {
        Some(_) => tokio::fs::remove_file(&password_file).await,
        None => Ok(()),
    };
    if let Err(e) = cleanup {
        warn!(
            "could not remove the temporary password file {}: {e}",
            password_file.display()
        );
    }
    result.with_context(|| {
        format!(
            "could not initialize a PostgreSQL cluster in {}",
            staging.display()
        )
    })?;

    let conf = staging.join("postgresql.conf");
    let mut file = tokio::fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .await
        .with_context(|| format!("could not open {}", conf.display()))?;
    file.write_all(
        format!(
            "\n# Port, listen address and socket directory, set by envgate.\n{SETTINGS_INCLUDE}\n"
        )
        .as_bytes(),
    )
    .await
    .with_context(|| format!("could not write {}", conf.display()))?;

    if let Err(e) = tokio::fs::rename(&staging, &layout.data).await {
        if holds_cluster(&layout.data).await.unwrap_or(false) {
            info!(
                "another process created the PostgreSQL cluster in {} first; using that one",
                layout.data.display()
            );
            return remove_dir_if_exists(&staging).await;
        }
        return Err(e).with_context(|| {
            format!(
                "could not move the new cluster into {}",
                layout.data.display()
            )
        });
    }
    Ok(())
}
