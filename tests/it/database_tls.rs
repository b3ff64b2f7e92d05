//! TLS to envgate's own database, in every `sslmode`, against this machine's
//! PostgreSQL (which must run with `ssl = on`): its own certificate, self-signed for
//! `localhost`, is the CA the verifying modes are given.

use diesel_async::RunQueryDsl as _;
use serde_json::json;

use crate::common::{TempDir, TestDb, Workspace, admin_client, app_on, data, enterprise, post};
use envgate::db::{self, DatabaseUrl};

/// A password in every URL: trust authentication ignores it, and no message may show it.
const PASSWORD: &str = "not-shown-anywhere";

/// The path of the server's certificate (`ssl_cert_file`).
async fn server_certificate() -> String {
    server_certificate_and_key().await.0
}

/// The paths of the server's certificate and key (`ssl_cert_file`, `ssl_key_file`).
pub(crate) async fn server_certificate_and_key() -> (String, String) {
    let client = admin_client().await;
    let show = |setting: &'static str| {
        let client = &client;
        async move {
            client
                .query_one(&format!("SHOW {setting}"), &[])
                .await
                .unwrap()
                .get::<_, String>(0)
        }
    };
    assert_eq!(
        show("ssl").await,
        "on",
        "these tests need the PostgreSQL they use to run with ssl = on (see README)"
    );
    let data_directory = show("data_directory").await;
    let absolute = |file: String| {
        if file.starts_with('/') {
            file
        } else {
            format!("{data_directory}/{file}")
        }
    };
    (
        absolute(show("ssl_cert_file").await),
        absolute(show("ssl_key_file").await),
    )
}

/// `db`'s URL on `host`, with `query` appended.
fn url(db: &TestDb, host: &str, query: &str) -> String {
    let (_, rest) = db.url.split_once('@').unwrap();
    let (_, path) = rest.split_once('/').unwrap();
    let port = rest
        .split_once('/')
        .unwrap()
        .0
        .rsplit_once(':')
        .map_or("5432", |(_, port)| port);
    format!("postgres://postgres:{PASSWORD}@{host}:{port}/{path}{query}")
}

/// Whether a connection opened from `url` is encrypted, as the server sees it.
async fn encrypted(url: &DatabaseUrl) -> Result<bool, String> {
    #[derive(diesel::QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let mut conn = url.establish().await.map_err(|e| e.to_string())?;
    let row: Ssl = diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result(&mut conn)
        .await
        .unwrap();
    Ok(row.ssl)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_sslmode_connects_as_libpq_would_and_refuses_what_it_cant_verify() {
    let ca = server_certificate().await;
    let db = TestDb::new().await;
    let verify_ca = format!("?sslmode=verify-ca&sslrootcert={ca}");
    let verify_full = format!("?sslmode=verify-full&sslrootcert={ca}");
    let cases: [(&str, &str, Result<bool, &str>); 11] = [
        // Without sslmode, this machine is reached in plaintext, as before.
        ("127.0.0.1", "", Ok(false)),
        ("127.0.0.1", "?sslmode=disable", Ok(false)),
        ("127.0.0.1", "?sslmode=prefer", Ok(true)),
        ("localhost", "?sslmode=require", Ok(true)),
        ("127.0.0.1", &verify_ca, Ok(true)),
        ("localhost", &verify_full, Ok(true)),
        // The certificate names localhost, not 127.0.0.1.
        ("127.0.0.1", &verify_full, Err("does not name the host")),
        // Without the CA that signed it, nothing verifies it.
        ("localhost", "?sslmode=verify-full", Err("sslrootcert")),
        ("localhost", "?sslmode=verify-ca", Err("sslrootcert")),
        (
            "localhost",
            "?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt",
            Err("sslrootcert"),
        ),
        // `require` with a root certificate checks the chain, as libpq does.
        (
            "localhost",
            "?sslmode=require&sslrootcert=/etc/ssl/certs/ca-certificates.crt",
            Err("sslrootcert"),
        ),
    ];
    for (host, query, expected) in cases {
        let url = DatabaseUrl::parse(&url(&db, host, query), "DATABASE_URL").unwrap();
        let got = encrypted(&url).await;
        match (&got, expected) {
            (Ok(ssl), Ok(expected)) => assert_eq!(*ssl, expected, "{host}{query}"),
            (Err(message), Err(expected)) => {
                assert!(
                    message.contains("DATABASE_URL") && message.contains(expected),
                    "{host}{query}: {message}"
                );
                assert!(!message.contains(PASSWORD), "{message}");
            }
            _ => panic!("{host}{query}: {got:?}, expected {expected:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pool_and_the_listener_use_tls_when_the_url_says() {
    let ca = server_certificate().await;
    let db = TestDb::new().await;
    let verified = url(
        &db,
        "localhost",
        &format!("?sslmode=verify-full&sslrootcert={ca}&application_name=envgate-tls-test"),
    );
    let app = app_on(&verified, enterprise());
    let router = envgate::router(app.clone());
    let ws = Workspace::new(uuid::Uuid::new_v4());
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let response = router
        .oneshot(post(
            Some(&ws.builder),
            &json!({ "query": "{ environments { name } }" }),
        ))
        .await
        .unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(data(answer)["environments"][2]["name"], "Production");
    // Every connection of the database, the pool's and the listener's, is encrypted
    // (the listener connects in the background: wait for it, bounded).
    let admin = admin_client().await;
    let mut seen = Vec::new();
    for _ in 0..200 {
        seen = admin
            .query(
                "SELECT a.application_name, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = $1 ORDER BY 1",
                &[&db.name],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get::<_, String>(0), row.get::<_, bool>(1)))
            .collect::<Vec<_>>();
        if seen.iter().any(|(name, _)| name == "envgate-listener") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        seen.iter().any(|(name, _)| name == "envgate-listener")
            && seen.iter().any(|(name, _)| name == "envgate-tls-test")
            && seen.iter().all(|(_, ssl)| *ssl),
        "{seen:?}"
    );
    // A pool whose URL can't be verified fails its first connection, saying why.
    let unverified = DatabaseUrl::parse(
        &url(&db, "localhost", "?sslmode=verify-full"),
        "DATABASE_URL",
    )
    .unwrap();
    let pool = db::pool(
        &unverified,
        2,
        db::QueryCounter::default(),
        db::Pooler::None,
    )
    .unwrap();
    let error = pool.get().await.err().expect("refused").to_string();
    assert!(
        error.contains("DATABASE_URL") && error.contains("sslrootcert"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_keys_and_serve_honour_sslmode_and_refuse_an_unverifiable_server_at_start() {
    let ca = server_certificate().await;
    let db = TestDb::empty().await;
    let state = TempDir::new("database-tls");
    let verified = url(
        &db,
        "localhost",
        &format!("?sslmode=verify-full&sslrootcert={ca}"),
    );
    let master_key = envgate::secrets::MasterKey::generate_hex();
    // `migrate` through the direct URL (verified), DATABASE_URL a plaintext one.
    let mut migrate = crate::cli::envgate_command(state.path());
    migrate
        .arg("migrate")
        .env("DATABASE_URL", url(&db, "127.0.0.1", "?sslmode=disable"))
        .env("ENVGATE_DIRECT_DATABASE_URL", &verified);
    let out = crate::cli::run(migrate);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("migration(s)"),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut keys = crate::cli::envgate_command(state.path());
    keys.args(["keys", "status"])
        .env("DATABASE_URL", &verified)
        .env("ENVGATE_MASTER_KEY", &master_key);
    let out = crate::cli::run(keys);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // `serve` over TLS end to end.
    let server = crate::serve::Server::launch(
        &verified,
        state.path(),
        &[("ENVGATE_MASTER_KEY", &master_key)],
        &[],
    )
    .await;
    let (status, _, body) = crate::serve::http(&server.address, "GET", "/readyz", &[], "").await;
    assert_eq!(status, 200, "{body}");
    let (status, log) = server.terminate().await;
    assert!(status.success(), "{log:#?}");

    // Without the CA, every command refuses at start, naming the setting, never the URL.
    for (args, setting) in [
        (vec!["serve"], "DATABASE_URL"),
        (vec!["migrate"], "DATABASE_URL"),
        (vec!["keys", "status"], "DATABASE_URL"),
    ] {
        let mut command = crate::cli::envgate_command(state.path());
        command
            .args(&args)
            .env("ENVGATE_LISTEN", "127.0.0.1:0")
            .env("ENVGATE_MASTER_KEY", &master_key)
            .env(
                "DATABASE_URL",
                url(&db, "localhost", "?sslmode=verify-full"),
            );
        let out = crate::cli::run(command);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains(setting) && stderr.contains("sslrootcert"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains(PASSWORD), "{args:?}: {stderr}");
    }
    let mut command = crate::cli::envgate_command(state.path());
    command.arg("migrate").env(
        "DATABASE_URL",
        url(&db, "localhost", "?sslmode=verify-everything"),
    );
    let out = crate::cli::run(command);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("DATABASE_URL: sslmode=verify-everything"),
        "{stderr}"
    );
}
