//! Whom PostgreSQL's programs run as: PostgreSQL refuses to run as root.

use anyhow::anyhow;

/// Whether the effective user is root (PostgreSQL checks the effective one).
pub(super) fn running_as_root() -> bool {
    uzers::get_effective_uid() == 0
}

/// The uid and gid of OS user `user`.
pub(super) fn os_user_ids(user: &str) -> anyhow::Result<(u32, u32)> {
    let found = uzers::get_user_by_name(user).ok_or_else(|| {
        anyhow!(
            "PostgreSQL refuses to run as root and there is no `{user}` OS user to run it as; \
             install PostgreSQL or set DATABASE_URL"
        )
    })?;
    Ok((found.uid(), found.primary_group_id()))
}
