//! Development defaults kept in the state directory: a JWT secret, a master key and a
//! demo workspace, each generated once, so that `envgate serve` works with no
//! configuration and keeps working across restarts.

use std::path::Path;

use anyhow::Context as _;
use uuid::Uuid;

/// Reads `dir/name`, or writes `generate()` there first (readable by the owner only).
pub fn load_or_create(
    dir: &Path,
    name: &str,
    generate: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(value) if !value.trim().is_empty() => return Ok(value.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let value = generate();
    write_private(&path, &value).with_context(|| format!("writing {}", path.display()))?;
    Ok(value)
}

/// Writes a file readable by its owner only. (Unix only, like the rest of envgate:
/// the development database reads `/proc`.)
pub fn write_private(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(value.as_bytes())
}

/// The development JWT secret.
pub fn jwt_secret(dir: &Path) -> anyhow::Result<String> {
    load_or_create(
        dir,
        "jwt-secret",
        || hex::encode(rand::random::<[u8; 32]>()),
    )
}

/// The development master key (64 hex characters).
pub fn master_key(dir: &Path) -> anyhow::Result<String> {
    load_or_create(dir, "master-key", crate::secrets::MasterKey::generate_hex)
}

/// The demo workspace the printed admin token opens.
pub fn demo_workspace(dir: &Path) -> anyhow::Result<Uuid> {
    let id = load_or_create(dir, "demo-workspace", || Uuid::new_v4().to_string())?;
    Uuid::parse_str(&id)
        .with_context(|| format!("{} holds no UUID", dir.join("demo-workspace").display()))
}
