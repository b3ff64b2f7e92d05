//! The cluster directory: created private to its owner, checked reachable by the
//! `postgres` OS user, and the per-start settings file.

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use tokio::io::AsyncWriteExt as _;
use tracing::{debug, warn};

use super::cluster::Layout;
use super::init::{PASSWORD_FILE_PREFIX, STAGING_PREFIX};
use super::pid_file::process_exists;
use super::runner::Runner;
use super::{HOST, POSTGRES_USER};

pub(super) async fn prepare_dir(dir: &Path, owner: Option<(u32, u32)>) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(dir).await.with_context(|| {
        format!(
            "could not create the PostgreSQL directory {}",
            dir.display()
        )
    })?;
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(dir, Some(uid), Some(gid)).with_context(|| {
            format!(
                "could not hand {} to the {POSTGRES_USER} OS user",
                dir.display()
            )
        })?;
    }
    // The unix socket lives here, so it is as private as the data.
    tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .await
        .with_context(|| format!("could not restrict the permissions of {}", dir.display()))
}

/// Fails with a clear message when the `postgres` OS user cannot reach `dir`.
pub(super) async fn check_reachable(runner: &Runner, dir: &Path) -> anyhow::Result<()> {
    let can_enter = |path: PathBuf| async move {
        let mut test = runner.command("test");
        test.arg("-x")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        test.status().await.is_ok_and(|s| s.success())
    };
    if can_enter(dir.to_path_buf()).await {
        return Ok(());
    }
    let ancestors: Vec<&Path> = dir.ancestors().collect();
    for ancestor in ancestors.into_iter().rev() {
        if !can_enter(ancestor.to_path_buf()).await {
            bail!(
                "PostgreSQL refuses to run as root, so the private cluster runs as the {POSTGRES_USER} OS user, \
                 which cannot enter {} (needed to reach {}): make it traversable (chmod o+x), use a state \
                 directory elsewhere, or set DATABASE_URL",
                ancestor.display(),
                dir.display()
            );
        }
    }
    Ok(())
}

pub(super) async fn holds_cluster(data: &Path) -> anyhow::Result<bool> {
    if tokio::fs::try_exists(data.join("PG_VERSION"))
        .await
        .unwrap_or(false)
    {
        return Ok(true);
    }
    match tokio::fs::symlink_metadata(data).await {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        // Not ours to delete: it may be someone's data.
        Ok(_) => bail!(
            "{} exists but holds no PostgreSQL cluster; move it away so a new cluster can be created",
            data.display()
        ),
        Err(e) => Err(e).with_context(|| format!("could not inspect {}", data.display())),
    }
}

/// Removes what initdb runs of processes that no longer exist left behind.
pub(super) async fn remove_abandoned_staging(dir: &Path) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let owner_pid = name
            .strip_prefix(STAGING_PREFIX)
            .or_else(|| name.strip_prefix(PASSWORD_FILE_PREFIX))
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(owner_pid) = owner_pid else { continue };
        if process_exists(owner_pid) {
            continue;
        }
        let path = entry.path();
        let removed = if name.starts_with(STAGING_PREFIX) {
            tokio::fs::remove_dir_all(&path).await
        } else {
            tokio::fs::remove_file(&path).await
        };
        if let Err(e) = removed {
            warn!("could not remove the abandoned {}: {e}", path.display());
        }
    }
}

pub(super) async fn remove_dir_if_exists(path: &Path) -> anyhow::Result<()> {
    match tokio::fs::remove_dir_all(path).await {
        Err(e) if e.kind() != ErrorKind::NotFound => {
            Err(e).with_context(|| format!("could not remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Writes the settings that change between runs: the port is chosen afresh at every
/// start, and a replica's primary (`standby_of`, its port) may have moved.
pub(super) async fn write_settings(
    layout: &Layout,
    port: u16,
    owner: Option<(u32, u32)>,
    standby_of: Option<u16>,
) -> anyhow::Result<()> {
    let socket_dir = layout.dir.to_string_lossy();
    let socket_dirs = if socket_dir.len() + "/.s.PGSQL.65535".len() <= MAX_SOCKET_PATH {
        // unix_socket_directories is a list, so the element is double-quoted inside the string.
        format!("\"{}\"", socket_dir.replace('"', "\"\""))
    } else {
        // Too long for a socket path; we only connect over TCP anyway.
        debug!(
            "{socket_dir} is too long for a unix socket path; the cluster will have no unix socket"
        );
        String::new()
    };
    let mut settings = format!(
        "# Written by envgate at every start of this cluster; edits are lost.\n\
         listen_addresses = '{HOST}'\n\
         port = {port}\n\
         unix_socket_directories = {}\n",
        conf_string(&socket_dirs)
    );
    if let Some(primary) = standby_of {
        let conninfo = format!("host={HOST} port={primary} user={POSTGRES_USER}");
        settings.push_str(&format!("primary_conninfo = {}\n", conf_string(&conninfo)));
    }
    write_file(&layout.data.join(SETTINGS_FILE), settings.as_bytes(), owner).await
}

/// A postgresql.conf string literal.
pub(super) fn conf_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// Writes a file readable only by its owner, which is the `postgres` OS user when given.
pub(super) async fn write_file(
    path: &Path,
    contents: &[u8],
    owner: Option<(u32, u32)>,
) -> anyhow::Result<()> {
    let write = async {
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .await?;
        file.write_all(contents).await?;
        file.flush().await?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
        }
        anyhow::Ok(())
    };
    write
        .await
        .with_context(|| format!("could not write {}", path.display()))
}

/// `sun_path` is 108 bytes including the terminating NUL.
pub(super) const MAX_SOCKET_PATH: usize = 107;

pub(super) const SETTINGS_FILE: &str = "envgate.conf";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_strings_are_quoted() {
        assert_eq!(conf_string(r#""/tmp/it's""#), r#"'"/tmp/it''s"'"#);
        assert_eq!(conf_string(r"a\b"), r"'a\\b'");
    }
}
