//! The release scheduler in real `serve` processes over one database: a scheduled
//! release runs once whichever of two servers gets to it, one scheduled before a
//! restart runs after it, a cancelled one never runs, and one that can't run at its
//! time fails with the reason. The tests schedule and read through the router of an
//! in-process service on the same database; the servers only run the scheduler. Every
//! wait is bounded.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::common::{
    JWT_SECRET, MARGIN, TempDir, TestApp, Workspace, code, data, license, license_keys,
    sleep_until_past,
};
use crate::releases::{CANCEL, SCHEDULE, SCHEDULED, orders};
use crate::serve::Server;

/// How long after its time a test waits for a scheduled release to have run.
const DEADLINE: Duration = Duration::from_secs(30);

const HISTORY: &str = "query($app: ID!) { app(id: $app) { releasedVersion { name } releases(first: 100) { nodes { version { name } scheduled rollback note releasedBy } } } }";

/// What a server needs besides the database: an Enterprise license (or none, for
/// Community) verified with the tests' key, and the tests' JWT secret.
struct Settings {
    _dir: TempDir,
    license: Option<String>,
    public_key: String,
}

impl Settings {
    fn new(enterprise: bool) -> Self {
        let dir = TempDir::new("scheduler-key");
        let public_key = dir.path().join("license-public.pem");
        std::fs::write(&public_key, &license_keys().1).unwrap();
        Self {
            license: enterprise.then(|| license(Utc::now() + chrono::Duration::days(365))),
            public_key: public_key.to_str().unwrap().to_owned(),
            _dir: dir,
        }
    }

    async fn start(&self, t: &TestApp, state: &TempDir) -> Server {
        let mut env = vec![
            (
                "ENVGATE_JWT_SECRET",
                std::str::from_utf8(JWT_SECRET).unwrap(),
            ),
            ("ENVGATE_LICENSE_PUBLIC_KEY_FILE", self.public_key.as_str()),
        ];
        if let Some(license) = &self.license {
            env.push(("ENVGATE_LICENSE_KEY", license.as_str()));
        }
        Server::launch(&t.db.url, state.path(), &env, &[]).await
    }
}

async fn schedule(t: &TestApp, ws: &Workspace, version: &str, at: DateTime<Utc>) -> Value {
    data(
        t.gql(
            Some(&ws.builder),
            SCHEDULE,
            json!({ "v": version, "at": at, "note": "Maintenance window" }),
        )
        .await,
    )["scheduleRelease"]
        .clone()
}

/// The app's scheduled release `id` as listed.
async fn scheduled(t: &TestApp, ws: &Workspace, app: &str, id: &Value) -> Value {
    let listed = data(
        t.gql(Some(&ws.viewer), SCHEDULED, json!({ "app": app }))
            .await,
    );
    listed["app"]["scheduledReleases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == *id)
        .cloned()
        .unwrap_or_else(|| panic!("scheduled release {id} is not listed: {listed}"))
}

/// Polls until the scheduled release `id` is no longer SCHEDULED, at most
/// [`DEADLINE`] after `at`; returns it.
async fn ran(t: &TestApp, ws: &Workspace, app: &str, id: &Value, at: DateTime<Utc>) -> Value {
    sleep_until_past(at).await;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let now = scheduled(t, ws, app, id).await;
        if now["status"] != "SCHEDULED" {
            return now;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "scheduled release {id} had not run {DEADLINE:?} after its time: {now}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn history(t: &TestApp, ws: &Workspace, app: &str) -> Value {
    data(
        t.gql(Some(&ws.viewer), HISTORY, json!({ "app": app }))
            .await,
    )["app"]
        .clone()
}

/// How many lines of the servers' logs say they ran the scheduled release `id`.
fn runs_logged(servers: &[&Server], id: &Value) -> usize {
    let id = id.as_str().unwrap();
    servers
        .iter()
        .flat_map(|s| s.log())
        .filter(|l| l.contains("ran a scheduled release") && l.contains(id))
        .count()
}

async fn stop(server: Server) {
    let (status, log) = server.terminate().await;
    assert_eq!(status.code(), Some(0), "{status}: {log:#?}");
    assert!(
        log.iter()
            .any(|l| l.contains("the release scheduler stopped")),
        "{log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_release_runs_once_on_one_of_two_servers_and_a_cancelled_one_never() {
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1", "v2"]).await;
    let (v1, v2) = (versions[0].as_str(), versions[1].as_str());
    let settings = Settings::new(true);
    let (state_a, state_b) = (TempDir::new("scheduler-a"), TempDir::new("scheduler-b"));
    let (first, second) = tokio::join!(settings.start(&t, &state_a), settings.start(&t, &state_b));

    // Scheduled while both servers sleep with nothing due: the notification wakes them.
    let at = Utc::now() + chrono::Duration::from_std(MARGIN).unwrap();
    let release = schedule(&t, &ws, v1, at).await;
    let cancelled = schedule(&t, &ws, v2, at).await;
    data(
        t.gql(Some(&ws.builder), CANCEL, json!({ "id": cancelled["id"] }))
            .await,
    );

    let done = ran(&t, &ws, &app, &release["id"], at).await;
    assert_eq!(done["status"], "DONE", "{done}");
    assert_eq!(done["failure"], Value::Null);
    let shown = history(&t, &ws, &app).await;
    assert_eq!(shown["releasedVersion"]["name"], "v1");
    assert_eq!(
        shown["releases"]["nodes"],
        json!([{
            "version": { "name": "v1" },
            "scheduled": true,
            "rollback": false,
            "note": "Maintenance window",
            "releasedBy": "bob"
        }]),
        "exactly one release"
    );
    assert_eq!(runs_logged(&[&first, &second], &release["id"]), 1);
    // The cancelled one stays cancelled and never ran.
    assert_eq!(
        scheduled(&t, &ws, &app, &cancelled["id"]).await["status"],
        "CANCELLED"
    );
    assert_eq!(runs_logged(&[&first, &second], &cancelled["id"]), 0);
    // It ran: too late to cancel.
    let late = t
        .gql(Some(&ws.builder), CANCEL, json!({ "id": release["id"] }))
        .await;
    assert_eq!(code(&late), "BAD_USER_INPUT", "{late}");
    let audited = t
        .db
        .count(
            "SELECT count(*) FROM audit_events WHERE action = 'VERSION_RELEASED' AND details->>'scheduledRelease' = $1",
            &[&release["id"].as_str().unwrap()],
        )
        .await;
    assert_eq!(audited, 1);

    stop(first).await;
    stop(second).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_release_scheduled_before_a_restart_runs_after_it() {
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1"]).await;
    let v1 = versions[0].as_str();
    let settings = Settings::new(true);
    let state = TempDir::new("scheduler-restart");
    let server = settings.start(&t, &state).await;
    let at = Utc::now() + chrono::Duration::from_std(MARGIN + MARGIN).unwrap();
    let release = schedule(&t, &ws, v1, at).await;
    stop(server).await;
    assert_eq!(
        scheduled(&t, &ws, &app, &release["id"]).await["status"],
        "SCHEDULED",
        "the server stopped before the release's time"
    );

    // Its time passes with no server running; the restarted one runs it.
    sleep_until_past(at).await;
    assert_eq!(
        scheduled(&t, &ws, &app, &release["id"]).await["status"],
        "SCHEDULED"
    );
    let server = settings.start(&t, &state).await;
    let done = ran(&t, &ws, &app, &release["id"], at).await;
    assert_eq!(done["status"], "DONE", "{done}");
    let shown = history(&t, &ws, &app).await;
    assert_eq!(shown["releasedVersion"]["name"], "v1");
    assert_eq!(shown["releases"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(runs_logged(&[&server], &release["id"]), 1);
    stop(server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_release_that_cant_run_at_its_time_fails_with_the_reason() {
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1", "v2"]).await;
    let (v1, v2) = (versions[0].as_str(), versions[1].as_str());
    data(
        t.gql(
            Some(&ws.builder),
            crate::releases::RELEASE,
            json!({ "v": v1, "note": null }),
        )
        .await,
    );
    let at = Utc::now() + chrono::Duration::from_std(MARGIN).unwrap();
    let release = schedule(&t, &ws, v2, at).await;
    sleep_until_past(at).await;

    // The license is gone by the release's time: the server runs as Community.
    let settings = Settings::new(false);
    let state = TempDir::new("scheduler-community");
    let server = settings.start(&t, &state).await;
    let failed = ran(&t, &ws, &app, &release["id"], at).await;
    assert_eq!(failed["status"], "FAILED", "{failed}");
    assert!(
        failed["failure"]
            .as_str()
            .unwrap()
            .contains("need an Enterprise license"),
        "{failed}"
    );
    // Nothing was released.
    let shown = history(&t, &ws, &app).await;
    assert_eq!(shown["releasedVersion"]["name"], "v1");
    assert_eq!(shown["releases"]["nodes"].as_array().unwrap().len(), 1);
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.contains("it failed") && l.contains(release["id"].as_str().unwrap())),
        "{:#?}",
        server.log()
    );
    stop(server).await;
}
