//! `postmaster.pid`: whether a server runs on a cluster, on which port, and clearing a
//! stale file.

use std::io::ErrorKind;
use std::path::Path;

use anyhow::Context;
use tracing::info;

use super::HOST;
use super::cluster::{Layout, PrivateCluster, Readiness};
use super::runner::Runner;

pub(super) struct Postmaster {
    pub(super) pid: u32,
    pub(super) port: u16,
}

/// Line 1 of postmaster.pid is the pid, line 4 the port.
pub(super) fn parse_pid_file(text: &str) -> Option<Postmaster> {
    let lines: Vec<&str> = text.lines().collect();
    let pid = lines.first()?.trim().parse().ok()?;
    let port = lines.get(3)?.trim().parse().ok()?;
    Some(Postmaster { pid, port })
}

/// What `postmaster.pid` says about the server on a data directory.
pub(super) enum PidFile {
    Absent,
    Live(Postmaster),
    /// Names a process that is gone (or is not a postgres), or is garbled. PostgreSQL itself
    /// only recovers from the first case, and not when the dead server is an unreaped zombie.
    /// Holds the file's text, so that we only ever delete the file we judged.
    Stale(String),
}

pub(super) async fn inspect_pid_file(data: &Path) -> anyhow::Result<PidFile> {
    let path = data.join("postmaster.pid");
    match tokio::fs::read_to_string(&path).await {
        Ok(text) => Ok(match parse_pid_file(&text) {
            Some(postmaster) if postmaster_alive(postmaster.pid) => PidFile::Live(postmaster),
            _ => PidFile::Stale(text),
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(PidFile::Absent),
        Err(e) => Err(e).with_context(|| format!("could not read {}", path.display())),
    }
}

/// Reuses the server already running on the cluster, if any, and clears a stale pid file.
pub(super) async fn reuse_running(
    layout: &Layout,
    runner: &Runner,
    password: Option<&str>,
) -> anyhow::Result<Option<PrivateCluster>> {
    match inspect_pid_file(&layout.data).await? {
        PidFile::Absent => {}
        PidFile::Stale(text) => remove_stale_pid_file(&layout.data, &text).await?,
        PidFile::Live(live) => {
            let cluster = layout.cluster(runner, live.port, password, false);
            match cluster.wait_accepting(Some(live.pid)).await? {
                Readiness::Accepting => {
                    info!(
                        "reusing the PostgreSQL server already running on {HOST}:{} (data in {}, pid {})",
                        live.port,
                        layout.data.display(),
                        live.pid
                    );
                    return Ok(Some(cluster));
                }
                // It was shutting down: the caller starts a fresh one.
                Readiness::Exited => {
                    if let PidFile::Stale(text) = inspect_pid_file(&layout.data).await? {
                        remove_stale_pid_file(&layout.data, &text).await?;
                    }
                }
            }
        }
    }
    Ok(None)
}

/// Whether `pid` is a running postgres process; a pid from a crashed run may since have been reused.
pub(super) fn postmaster_alive(pid: u32) -> bool {
    let stat = i32::try_from(pid)
        .ok()
        .and_then(|pid| procfs::process::Process::new(pid).ok()?.stat().ok());
    stat.is_some_and(|stat| stat.comm == "postgres" && !matches!(stat.state, 'Z' | 'X'))
}

/// Whether a process `pid` exists.
pub(super) fn process_exists(pid: u32) -> bool {
    i32::try_from(pid).is_ok_and(|pid| procfs::process::Process::new(pid).is_ok())
}

/// Deletes the pid file only if it still says `judged`: a server starting concurrently replaces
/// the stale file with its own, which must survive.
pub(super) async fn remove_stale_pid_file(data: &Path, judged: &str) -> anyhow::Result<()> {
    let path = data.join("postmaster.pid");
    if tokio::fs::read_to_string(&path).await.ok().as_deref() != Some(judged) {
        return Ok(());
    }
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {
            info!(
                "removed the stale {} of a PostgreSQL server that is no longer running",
                path.display()
            );
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("could not remove the stale {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_file_gives_pid_and_port() {
        let text = "4242\n/srv/pg/data\n1700000000\n54321\n/srv/pg\n127.0.0.1\n  1234     5678\nready   \n";
        let postmaster = parse_pid_file(text).unwrap();
        assert_eq!((postmaster.pid, postmaster.port), (4242, 54321));
        assert!(parse_pid_file("4242\n").is_none());
        assert!(parse_pid_file("").is_none());
    }

    #[test]
    fn only_a_live_postgres_counts_as_a_postmaster() {
        assert!(process_exists(std::process::id()));
        // This test binary is alive but is not postgres.
        assert!(!postmaster_alive(std::process::id()));
    }
}
