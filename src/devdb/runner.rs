//! Finding PostgreSQL's programs and running them, as the `postgres` OS user when we
//! are root.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use anyhow::{Context, anyhow, bail};
use tokio::process::Command;

use super::POSTGRES_USER;

/// Runs PostgreSQL's programs, as the `postgres` OS user when we are root.
#[derive(Clone)]
pub(super) struct Runner {
    pub(super) bin_dir: PathBuf,
    /// uid and gid of the `postgres` OS user when commands must run as it.
    pub(super) owner: Option<(u32, u32)>,
    pub(super) cwd: PathBuf,
}

impl Runner {
    pub(super) fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = match self.owner {
            Some(_) => {
                let mut c = Command::new(runuser_program());
                c.args(["-u", POSTGRES_USER, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        // The postgres user may not be able to enter our working directory.
        command.current_dir(&self.cwd).stdin(Stdio::null());
        command
    }

    pub(super) fn pg(&self, tool: &str) -> Command {
        self.command(self.bin_dir.join(tool))
    }

    /// PostgreSQL's `tool` of the same installation as `initdb`: beside it, else
    /// beside the file it links to (a directory of links to some of them, such as
    /// /usr/local/bin, may not have every tool), else on PATH.
    pub(super) fn pg_tool(&self, tool: &str) -> Command {
        let beside = self.bin_dir.join(tool);
        let linked = std::fs::canonicalize(self.bin_dir.join("initdb"))
            .ok()
            .and_then(|initdb| Some(initdb.parent()?.join(tool)));
        let program = [Some(beside), linked]
            .into_iter()
            .flatten()
            .find(|path| path.is_file())
            .unwrap_or_else(|| PathBuf::from(tool));
        self.command(program)
    }

    /// `pg_ctl start` on the cluster in `data`, logging to `log`, waiting until it is up.
    pub(super) async fn start_server(&self, data: &Path, log: &Path) -> anyhow::Result<Output> {
        let mut pg_ctl = self.pg("pg_ctl");
        pg_ctl
            .arg("start")
            .arg("-D")
            .arg(data)
            .arg("-l")
            .arg(log)
            .args(["-w", "-t", "60", "-s"]);
        self.run(pg_ctl, "pg_ctl start").await
    }

    pub(super) async fn run(&self, mut command: Command, what: &str) -> anyhow::Result<Output> {
        let output = command.output().await.with_context(|| {
            if self.owner.is_some() {
                format!("could not run {what} as the {POSTGRES_USER} OS user (via runuser)")
            } else {
                format!("could not run {what}")
            }
        })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            bail!(
                "{what} failed ({}): {}",
                output.status,
                format!("{stderr}\n{stdout}").trim()
            );
        }
        Ok(output)
    }
}

/// runuser lives in sbin, which is not on every root PATH (e.g. `su` without `-`).
fn runuser_program() -> PathBuf {
    which::which_in("runuser", Some("/usr/sbin:/sbin:/usr/bin"), "/")
        .unwrap_or_else(|_| PathBuf::from("runuser"))
}

/// Whether `dir` holds both `initdb` and `pg_ctl`, executable.
fn has_tools(dir: &Path) -> bool {
    ["initdb", "pg_ctl"]
        .iter()
        .all(|tool| which::which_in(tool, Some(dir), "/").is_ok())
}

/// The directory holding `initdb` and `pg_ctl`: PATH first, else the newest /usr/lib/postgresql/*/bin.
pub(super) fn find_bin_dir() -> anyhow::Result<PathBuf> {
    // Relative PATH entries would resolve against the cluster directory we run commands in.
    let absolute: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .filter(|dir| dir.is_absolute())
                .collect()
        })
        .unwrap_or_default();
    let on_path = std::env::join_paths(absolute).ok().and_then(|path| {
        which::which_in_all("initdb", Some(path), "/")
            .ok()?
            .filter_map(|initdb| initdb.parent().map(Path::to_path_buf))
            .find(|dir| has_tools(dir))
    });
    if let Some(dir) = on_path {
        return Ok(dir);
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let version = version_key(&entry.file_name())?;
                    let bin = entry.path().join("bin");
                    has_tools(&bin).then_some((version, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow!(
            "no database configured and PostgreSQL's initdb/pg_ctl were found neither on PATH nor under \
             /usr/lib/postgresql/*/bin: install PostgreSQL (e.g. `apt-get install postgresql`) or set \
             DATABASE_URL to an existing database"
        )
    })
}

/// "15" -> [15], "9.6" -> [9, 6]; None for names that are not versions.
fn version_key(name: &OsStr) -> Option<Vec<u32>> {
    name.to_str()?
        .split('.')
        .map(|part| part.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically() {
        let mut keys = ["9.6", "15", "10"].map(|v| version_key(OsStr::new(v)).unwrap());
        keys.sort();
        assert_eq!(keys.last(), Some(&vec![15]));
        assert_eq!(version_key(OsStr::new("common")), None);
    }

    #[test]
    fn the_machines_postgresql_programs_are_found() {
        let dir = find_bin_dir().expect("PostgreSQL is installed for the tests");
        assert!(has_tools(&dir), "{}", dir.display());
    }
}
