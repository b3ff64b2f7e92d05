//! `envgate token`: mints a token signed with the configured (or development) JWT
//! secret.

use std::path::Path;

use super::jwt_keys;
use crate::auth::Session;
use crate::config::TokenArgs;
use crate::domain::access;

/// Prints a token for the session `args` describe.
pub fn run(args: TokenArgs, state_dir: &Path) -> anyhow::Result<()> {
    let (tokens, development) = jwt_keys(&args.jwt, state_dir)?;
    if development {
        tracing::warn!(
            "no JWT secret configured: signing with the development secret in {}",
            state_dir.display()
        );
    }
    anyhow::ensure!(!args.sub.trim().is_empty(), "--sub must not be empty");
    if let Some(bad) = args.groups.iter().find(|g| !access::is_group_name(g)) {
        anyhow::bail!(
            "--group {bad:?}: a group name is 1 to {} printable characters",
            access::MAX_GROUP_CHARS
        );
    }
    let session = Session {
        user_id: args.sub,
        workspace_id: args.workspace,
        role: args.role,
        groups: args.groups,
        expires_at: None,
    };
    println!("{}", tokens.mint(&session, args.ttl.into()));
    Ok(())
}
