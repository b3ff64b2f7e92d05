//! The `envgate` command line, run as a user would.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use envgate::auth::TokenKeys;
use envgate::edition::{EditionName, LicenseStatus, Licensing};

use crate::common::TempDir;

/// How long one command may run: a `serve` that should refuse to start and starts
/// instead must fail its test, not hang the run.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs `command` to its end and returns what it printed; kills it past [`LIMIT`].
pub(crate) fn run(mut command: Command) -> Output {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    // Read both pipes on threads of their own, so that a chatty child can't block.
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} was still running after {LIMIT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// A state directory of the test's own, removed when it ends.
fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("cli-{name}"))
}

pub(crate) fn envgate_command(state_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_envgate"));
    command.env("ENVGATE_STATE_DIR", state_dir);
    command
}

fn envgate(args: &[&str], state_dir: &std::path::Path) -> Output {
    let mut command = envgate_command(state_dir);
    command
        .args(args)
        .env_remove("ENVGATE_JWT_SECRET")
        .env_remove("DATABASE_URL");
    run(command)
}

#[test]
fn schema_prints_the_committed_sdl() {
    let dir = temp_dir("schema");
    let out = envgate(&["schema"], &dir);
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}

#[test]
fn license_keygen_and_issue_make_a_license_that_verifies() {
    let dir = temp_dir("license");
    let keys = dir.join("keys");
    let out = envgate(
        &["license", "keygen", "--out", keys.to_str().unwrap()],
        &dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A second keygen refuses to overwrite the private key.
    assert!(
        !envgate(
            &["license", "keygen", "--out", keys.to_str().unwrap()],
            &dir
        )
        .status
        .success()
    );
    let private = keys.join("license-private.pem");
    let out = envgate(
        &[
            "license",
            "issue",
            "--private-key",
            private.to_str().unwrap(),
            "--licensee",
            "Acme",
            "--expires",
            "2099-12-31",
        ],
        &dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap();
    let public = std::fs::read(keys.join("license-public.pem")).unwrap();
    let edition = Licensing::load(Some(key.trim()), Some(&public)).edition_at(chrono::Utc::now());
    assert_eq!(
        (edition.name, edition.license_status),
        (EditionName::Enterprise, LicenseStatus::Valid)
    );
    assert_eq!(edition.licensee.as_deref(), Some("Acme"));
    assert_eq!(
        edition.expires_at.unwrap().to_rfc3339(),
        "2100-01-01T00:00:00+00:00",
        "valid through the last day"
    );
}

#[test]
fn token_mints_with_the_configured_or_development_secret() {
    let dir = temp_dir("token");
    let workspace = uuid::Uuid::new_v4().to_string();
    let mut command = envgate_command(&dir);
    command
        .args([
            "token",
            "--workspace",
            &workspace,
            "--role",
            "builder",
            "--sub",
            "dana",
            "--ttl",
            "30m",
        ])
        .env("ENVGATE_JWT_SECRET", "configured-secret");
    let out = run(command);
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap();
    let session = TokenKeys::new(b"configured-secret", None, None)
        .verify(token.trim())
        .unwrap();
    assert_eq!(
        (session.user_id.as_str(), session.workspace_id.to_string()),
        ("dana", workspace.clone())
    );

    // Without a secret: the development one, generated once into the state directory.
    let out = envgate(
        &["token", "--workspace", &workspace, "--role", "admin"],
        &dir,
    );
    assert!(out.status.success());
    let secret = std::fs::read_to_string(dir.join("jwt-secret")).unwrap();
    let token = String::from_utf8(out.stdout).unwrap();
    assert!(
        TokenKeys::new(secret.as_bytes(), None, None)
            .verify(token.trim())
            .is_ok()
    );
    assert!(
        !envgate(&["token", "--workspace", "nope", "--role", "admin"], &dir)
            .status
            .success()
    );
    assert!(
        !envgate(
            &["token", "--workspace", &workspace, "--role", "owner"],
            &dir
        )
        .status
        .success()
    );
}

#[test]
fn serve_in_production_mode_needs_explicit_settings() {
    let dir = temp_dir("production");
    let mut command = envgate_command(&dir);
    command
        .args(["serve", "--production", "--jwt-secret", "  "])
        .env_remove("DATABASE_URL")
        .env_remove("ENVGATE_MASTER_KEY");
    let out = run(command);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("DATABASE_URL")
            && stderr.contains("ENVGATE_JWT_SECRET")
            && stderr.contains("ENVGATE_MASTER_KEY"),
        "{stderr}"
    );
    let mut command = envgate_command(&dir);
    command
        .args([
            "serve",
            "--production",
            "--jwt-secret",
            "short",
            "--master-key",
            &"ab".repeat(32),
        ])
        .args(["--database-url", "postgres://postgres@127.0.0.1:1/none"]);
    let short = run(command);
    assert!(!short.status.success());
    assert!(
        String::from_utf8(short.stderr)
            .unwrap()
            .contains("at least 32 bytes")
    );
    let mut command = envgate_command(&dir);
    command
        .args(["serve", "--master-key", "abc"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none");
    let out = run(command);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("64 hexadecimal characters")
    );
}

#[test]
fn identity_provider_settings_are_checked_at_start() {
    let dir = temp_dir("identity-provider");
    let database = "postgres://postgres@127.0.0.1:1/none";
    for (env, expected) in [
        // Production with a provider needs an audience.
        (
            vec![
                ("ENVGATE_JWKS_URL", "https://sso.example.com/certs"),
                ("ENVGATE_PRODUCTION", "true"),
                ("ENVGATE_MASTER_KEY", "ab"),
            ],
            "ENVGATE_JWT_AUDIENCE",
        ),
        (
            vec![("ENVGATE_JWKS_URL", "http://sso.example.com/certs")],
            "https://",
        ),
        (
            vec![("ENVGATE_JWT_CLAIMS", "workspace=org_id")],
            "ENVGATE_JWKS_URL",
        ),
        (vec![("ENVGATE_JWT_CLAIMS", "tenant=org_id")], "tenant"),
        (vec![("ENVGATE_JWT_ROLES", "owner=root")], "root"),
        (
            vec![("ENVGATE_JWKS_FILE", "/nonexistent/jwks.json")],
            "ENVGATE_JWKS_FILE",
        ),
    ] {
        let mut command = envgate_command(&dir);
        command
            .arg("serve")
            .env("DATABASE_URL", database)
            .envs(env.iter().copied());
        let out = run(command);
        assert!(!out.status.success(), "{env:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(expected), "{env:?}: {stderr}");
    }
}

#[test]
fn serve_refuses_demo_with_production() {
    let dir = temp_dir("demo-production");
    let mut command = envgate_command(&dir);
    command
        .args(["serve", "--demo", "--production"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none");
    let out = run(command);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--production") && stderr.contains("--demo"),
        "{stderr}"
    );
}

#[test]
fn production_verifies_licenses_with_the_built_in_key_only() {
    let dir = temp_dir("license-of-record");
    let mut command = Command::new(env!("CARGO_BIN_EXE_envgate"));
    command
        .args(["serve", "--production", "--jwt-secret", &"s".repeat(40)])
        .args(["--master-key", &"ab".repeat(32)])
        .args(["--database-url", "postgres://postgres@127.0.0.1:1/none"])
        .args(["--license-public-key-file", "/dev/null"])
        .env("ENVGATE_STATE_DIR", &dir)
        .env_remove("ENVGATE_LICENSE_KEY");
    let out = run(command);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("--license-public-key-file"), "{stderr}");
}
