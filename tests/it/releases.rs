//! Release history, rollback and scheduling through the router: notes in the history,
//! rollbacks walking back (and not past the start), who may do what, Community, and
//! another workspace's ids. The scheduler itself runs in `serve`: see `scheduler.rs`.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::apps::{create_app, create_version};
use crate::common::{TestApp, Workspace, code, data, token};
use crate::data_sources::environment_ids;
use crate::overlap::HeldLock;
use envgate::domain::scheduled_releases;

pub const RELEASE: &str = "mutation($v: ID!, $note: String) { releaseAppVersion(versionId: $v, note: $note) { id releasedVersion { name } } }";
pub const ROLLBACK: &str =
    "mutation($app: ID!) { rollbackRelease(appId: $app) { id releasedVersion { name } } }";
pub const SCHEDULE: &str = "mutation($v: ID!, $at: DateTime!, $note: String) { scheduleRelease(versionId: $v, at: $at, note: $note) { id at scheduledBy note status failure version { name } } }";
pub const CANCEL: &str =
    "mutation($id: ID!) { cancelScheduledRelease(id: $id) { id status scheduledBy } }";
const HISTORY: &str = "query($app: ID!, $first: Int, $after: String) { app(id: $app) { releasedVersion { name } releases(first: $first, after: $after) { nodes { id version { name } releasedBy note rollback scheduled at } pageInfo { hasNextPage endCursor } } } }";
pub const SCHEDULED: &str = "query($app: ID!) { app(id: $app) { scheduledReleases { id at scheduledBy note status failure version { name } } } }";
const PROTECT: &str =
    "mutation($id: ID!, $p: Boolean!) { setEnvironmentProtected(id: $id, protected: $p) { id } }";

/// Protects Production (as it is from the start) or not (then builders release).
pub async fn protect_production(t: &TestApp, ws: &Workspace, protected: bool) {
    let envs = environment_ids(t, ws).await;
    data(
        t.gql(
            Some(&ws.admin),
            PROTECT,
            json!({ "id": envs[2], "p": protected }),
        )
        .await,
    );
}

/// A new workspace with Production unprotected and an app "Orders" with these versions
/// in Production: the workspace, the app's id and the versions' ids.
pub async fn orders(t: &TestApp, names: &[&str]) -> (Workspace, String, Vec<String>) {
    let ws = t.workspace().await;
    protect_production(t, &ws, false).await;
    let app = create_app(t, &ws.builder, "Orders").await;
    let mut versions = Vec::new();
    for name in names {
        versions.push(version_in_production(t, &ws, &app, name).await);
    }
    (ws, app, versions)
}

/// The app's scheduled releases as listed for `token`, each as `field`.
async fn scheduled_list(t: &TestApp, token: &str, app: &str, field: &str) -> Vec<Value> {
    let listed = data(t.gql(Some(token), SCHEDULED, json!({ "app": app })).await);
    listed["app"]["scheduledReleases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[field].clone())
        .collect()
}

/// A version of `app` climbed to Production (by an admin); its id.
pub async fn version_in_production(t: &TestApp, ws: &Workspace, app: &str, name: &str) -> String {
    let envs = environment_ids(t, ws).await;
    let id = create_version(t, &ws.builder, app, name).await;
    for from in &envs[..2] {
        data(
            t.gql(
                Some(&ws.admin),
                crate::apps::PROMOTE,
                json!({ "v": id, "from": from }),
            )
            .await,
        );
    }
    id
}

async fn release(t: &TestApp, token: &str, version: &str, note: Option<&str>) -> Value {
    t.gql(Some(token), RELEASE, json!({ "v": version, "note": note }))
        .await
}

async fn rollback(t: &TestApp, token: &str, app: &str) -> Value {
    t.gql(Some(token), ROLLBACK, json!({ "app": app })).await
}

async fn schedule(
    t: &TestApp,
    token: &str,
    version: &str,
    at: chrono::DateTime<Utc>,
    note: Option<&str>,
) -> Value {
    t.gql(
        Some(token),
        SCHEDULE,
        json!({ "v": version, "at": at, "note": note }),
    )
    .await
}

async fn cancel(t: &TestApp, token: &str, id: &Value) -> Value {
    t.gql(Some(token), CANCEL, json!({ "id": id })).await
}

fn released(response: Value, field: &str) -> Value {
    data(response)[field]["releasedVersion"]["name"].clone()
}

/// The app's whole history, newest first, as (version, rollback) pairs, and the rows.
async fn history(t: &TestApp, token: &str, app: &str) -> (Vec<(String, bool)>, Vec<Value>) {
    let page = data(
        t.gql(Some(token), HISTORY, json!({ "app": app, "first": 100 }))
            .await,
    );
    let nodes = page["app"]["releases"]["nodes"].as_array().unwrap().clone();
    let pairs = nodes
        .iter()
        .map(|n| {
            (
                n["version"]["name"].as_str().unwrap().to_owned(),
                n["rollback"].as_bool().unwrap(),
            )
        })
        .collect();
    (pairs, nodes)
}

/// The history of v1, v2 and v3 released, then rolled back twice: (version, rollback),
/// newest first.
const TWO_ROLLBACKS_AFTER_THREE: [(&str, bool); 5] = [
    ("v1", true),
    ("v2", true),
    ("v3", false),
    ("v2", false),
    ("v1", false),
];

fn pairs(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter().map(|(v, r)| ((*v).to_owned(), *r)).collect()
}

async fn audited(t: &TestApp, action: &str) -> i64 {
    t.db.count(
        "SELECT count(*) FROM audit_events WHERE action = $1",
        &[&action],
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn releases_with_notes_make_the_history_and_rollbacks_walk_back_to_its_start() {
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1", "v2", "v3"]).await;
    // Nothing released yet: nothing to roll back.
    let nothing = rollback(&t, &ws.builder, &app).await;
    assert_eq!(code(&nothing), "BAD_USER_INPUT", "{nothing}");

    data(release(&t, &ws.builder, &versions[0], Some("  First launch  ")).await);
    data(release(&t, &ws.admin, &versions[1], None).await);
    data(release(&t, &ws.builder, &versions[2], Some("Checkout redesign")).await);
    // Releasing the released version again changes nothing, history included.
    data(release(&t, &ws.builder, &versions[2], Some("again")).await);

    let (list, rows) = history(&t, &ws.viewer, &app).await;
    assert_eq!(list, pairs(&[("v3", false), ("v2", false), ("v1", false)]));
    assert_eq!(rows[0]["note"], "Checkout redesign");
    assert_eq!(rows[0]["releasedBy"], "bob");
    assert_eq!(rows[1]["note"], Value::Null);
    assert_eq!(rows[1]["releasedBy"], "alice");
    assert_eq!(rows[2]["note"], "First launch", "trimmed");
    assert_eq!(rows[0]["scheduled"], false);

    // Each rollback goes one release further back.
    assert_eq!(
        released(rollback(&t, &ws.builder, &app).await, "rollbackRelease"),
        "v2"
    );
    assert_eq!(
        released(rollback(&t, &ws.builder, &app).await, "rollbackRelease"),
        "v1"
    );
    // Past the first release: refused, nothing changes.
    let past = rollback(&t, &ws.builder, &app).await;
    assert_eq!(code(&past), "BAD_USER_INPUT", "{past}");
    assert!(
        past["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no release before the current one"),
        "{past}"
    );
    let (list, rows) = history(&t, &ws.builder, &app).await;
    assert_eq!(list, pairs(&TWO_ROLLBACKS_AFTER_THREE));
    assert_eq!(rows[0]["releasedBy"], "bob");
    assert_eq!(rows[0]["note"], Value::Null);

    // A new release after rolling back to the start: a rollback returns to where the
    // rollbacks had led (v1), and no further.
    data(release(&t, &ws.builder, &versions[2], None).await);
    assert_eq!(
        released(rollback(&t, &ws.builder, &app).await, "rollbackRelease"),
        "v1"
    );
    assert_eq!(
        code(&rollback(&t, &ws.builder, &app).await),
        "BAD_USER_INPUT"
    );

    // Paged newest first.
    let first = data(
        t.gql(Some(&ws.viewer), HISTORY, json!({ "app": app, "first": 4 }))
            .await,
    );
    let page = &first["app"]["releases"];
    assert_eq!(page["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let rest = data(
        t.gql(
            Some(&ws.viewer),
            HISTORY,
            json!({ "app": app, "first": 4, "after": page["pageInfo"]["endCursor"] }),
        )
        .await,
    );
    let rest = &rest["app"]["releases"];
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    let names: Vec<&str> = rest["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["version"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["v3", "v2", "v1"]);

    // Every rollback is audited as such; direct releases as VERSION_RELEASED.
    assert_eq!(audited(&t, "RELEASE_ROLLED_BACK").await, 3);
    assert_eq!(audited(&t, "VERSION_RELEASED").await, 4);

    // Who may: viewers read but don't roll back; runners read no history.
    assert_eq!(code(&rollback(&t, &ws.viewer, &app).await), "FORBIDDEN");
    let runner = t
        .gql(Some(&ws.runner), HISTORY, json!({ "app": app }))
        .await;
    assert_eq!(code(&runner), "FORBIDDEN", "{runner}");
    // A note is at most 1,000 characters.
    let long = release(&t, &ws.builder, &versions[1], Some(&"n".repeat(1001))).await;
    assert_eq!(code(&long), "BAD_USER_INPUT", "{long}");
    assert_eq!(long["errors"][0]["extensions"]["field"], "note");
    // A NUL character PostgreSQL can't store is refused naming the field.
    let nul = release(&t, &ws.builder, &versions[1], Some("a\u{0}b")).await;
    assert_eq!(code(&nul), "BAD_USER_INPUT", "{nul}");
    assert_eq!(nul["errors"][0]["extensions"]["field"], "note");
    let at = Utc::now() + Duration::hours(1);
    let nul = schedule(&t, &ws.builder, &versions[1], at, Some("a\u{0}b")).await;
    assert_eq!(code(&nul), "BAD_USER_INPUT", "{nul}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_rollbacks_at_once_go_back_two_releases() {
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1", "v2", "v3"]).await;
    for id in &versions {
        data(release(&t, &ws.builder, id, None).await);
    }
    let app_uuid = uuid::Uuid::parse_str(&app).unwrap();
    let lock = HeldLock::take(
        &t.db,
        "SELECT 1 FROM apps WHERE id = $1 FOR UPDATE",
        &[&app_uuid],
    )
    .await;
    let both = futures_util::future::join(
        rollback(&t, &ws.builder, &app),
        rollback(&t, &ws.admin, &app),
    );
    let ((first, second), waiting) = tokio::join!(both, lock.release_when_waiting(2));
    assert_eq!(waiting, 2, "both rollbacks waited on the app");
    let mut landed = vec![
        released(first, "rollbackRelease"),
        released(second, "rollbackRelease"),
    ];
    landed.sort_by_key(|v| v.to_string());
    assert_eq!(landed, [json!("v1"), json!("v2")]);
    let (list, _) = history(&t, &ws.viewer, &app).await;
    assert_eq!(list, pairs(&TWO_ROLLBACKS_AFTER_THREE));
}

#[tokio::test(flavor = "multi_thread")]
async fn rollback_follows_protection_refuses_a_version_outside_production_and_stales_its_requests()
{
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    protect_production(&t, &ws, false).await;
    let app = create_app(&t, &ws.builder, "Orders").await;
    // v1 stays in Development: Community releases it (any version may be).
    let v1 = create_version(&t, &ws.builder, &app, "v1").await;
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    assert_eq!(
        released(
            release(&community, &ws.builder, &v1, Some("community")).await,
            "releaseAppVersion"
        ),
        "v1"
    );
    let v2 = version_in_production(&t, &ws, &app, "v2").await;
    data(release(&t, &ws.builder, &v2, None).await);
    // Staging needs an approval now: a builder asks to promote v1 there.
    let envs = environment_ids(&t, &ws).await;
    data(
        t.gql(
            Some(&ws.admin),
            "mutation($id: ID!) { setEnvironmentApprovals(id: $id, requiredApprovals: 1) { id } }",
            json!({ "id": envs[1] }),
        )
        .await,
    );
    let asked = data(
        t.gql(
            Some(&ws.builder),
            "mutation($v: ID!, $from: ID!) { requestPromotion(versionId: $v, fromEnvironmentId: $from) { id status } }",
            json!({ "v": v1, "from": envs[0] }),
        )
        .await,
    )["requestPromotion"]
        .clone();
    assert_eq!(asked["status"], "PENDING");

    // Production protected: builders may not roll back, admins may.
    protect_production(&t, &ws, true).await;
    assert_eq!(code(&rollback(&t, &ws.builder, &app).await), "FORBIDDEN");
    // v1 is in Development: not releasable in Enterprise.
    let outside = rollback(&t, &ws.admin, &app).await;
    assert_eq!(code(&outside), "BAD_USER_INPUT", "{outside}");
    assert!(
        outside["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Promote it to Production first"),
        "{outside}"
    );
    // In Community (no protection, any version) the same rollback goes through, and
    // the history is kept there too.
    assert_eq!(
        released(
            rollback(&community, &ws.builder, &app).await,
            "rollbackRelease"
        ),
        "v1"
    );
    let (list, rows) = history(&community, &ws.viewer, &app).await;
    assert_eq!(list, pairs(&[("v1", true), ("v2", false), ("v1", false)]));
    assert_eq!(rows[2]["note"], "community");
    // Released by the rollback: v1's pending request went STALE with it.
    let requests = data(
        t.gql(
            Some(&ws.viewer),
            "query($app: ID!) { promotionRequests(appId: $app) { nodes { id status } } }",
            json!({ "app": app }),
        )
        .await,
    );
    assert_eq!(
        requests["promotionRequests"]["nodes"],
        json!([{ "id": asked["id"], "status": "STALE" }])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduling_checks_time_version_permission_and_protection_and_cancels() {
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1"]).await;
    let v1 = versions[0].as_str();
    let staged = create_version(&t, &ws.builder, &app, "v2").await;
    let in_an_hour = Utc::now() + Duration::hours(1);
    let past = schedule(&t, &ws.builder, v1, Utc::now() - Duration::seconds(1), None).await;
    assert_eq!(code(&past), "BAD_USER_INPUT", "{past}");
    assert_eq!(past["errors"][0]["extensions"]["field"], "at");
    let far = schedule(&t, &ws.builder, v1, Utc::now() + Duration::days(91), None).await;
    assert_eq!(code(&far), "BAD_USER_INPUT", "{far}");
    let not_there = schedule(&t, &ws.builder, &staged, in_an_hour, None).await;
    assert_eq!(code(&not_there), "BAD_USER_INPUT", "{not_there}");
    assert!(
        not_there["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Promote it to Production first")
    );
    assert_eq!(
        code(&schedule(&t, &ws.viewer, v1, in_an_hour, None).await),
        "FORBIDDEN"
    );

    let later = data(
        schedule(
            &t,
            &ws.builder,
            v1,
            in_an_hour + Duration::hours(1),
            Some("later"),
        )
        .await,
    )["scheduleRelease"]
        .clone();
    let sooner = data(schedule(&t, &ws.builder, v1, in_an_hour, Some("Maintenance window")).await)
        ["scheduleRelease"]
        .clone();
    assert_eq!(sooner["status"], "SCHEDULED");
    assert_eq!(sooner["scheduledBy"], "bob");
    assert_eq!(sooner["note"], "Maintenance window");
    assert_eq!(sooner["version"]["name"], "v1");
    assert_eq!(sooner["failure"], Value::Null);

    // Soonest first; viewers read them, runners don't.
    let ids = scheduled_list(&t, &ws.viewer, &app, "id").await;
    assert_eq!(ids, [sooner["id"].clone(), later["id"].clone()]);
    let runner = t
        .gql(Some(&ws.runner), SCHEDULED, json!({ "app": app }))
        .await;
    assert_eq!(code(&runner), "FORBIDDEN", "{runner}");

    // Cancelling: another builder may not, the scheduler may, once.
    let other_builder = token(ws.id, envgate::auth::Role::Builder, "dave");
    assert_eq!(
        code(&cancel(&t, &other_builder, &sooner["id"]).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&cancel(&t, &ws.viewer, &sooner["id"]).await),
        "FORBIDDEN"
    );
    let cancelled = data(cancel(&t, &ws.builder, &sooner["id"]).await);
    assert_eq!(cancelled["cancelScheduledRelease"]["status"], "CANCELLED");
    let again = cancel(&t, &ws.builder, &sooner["id"]).await;
    assert_eq!(code(&again), "BAD_USER_INPUT", "{again}");
    // An admin may cancel anyone's.
    let by_admin = data(cancel(&t, &ws.admin, &later["id"]).await);
    assert_eq!(by_admin["cancelScheduledRelease"]["status"], "CANCELLED");
    let statuses = scheduled_list(&t, &ws.viewer, &app, "status").await;
    assert_eq!(statuses, ["CANCELLED", "CANCELLED"]);

    // Production protected: builders may not schedule, admins may.
    protect_production(&t, &ws, true).await;
    assert_eq!(
        code(&schedule(&t, &ws.builder, v1, in_an_hour, None).await),
        "FORBIDDEN"
    );
    let by_admin = data(schedule(&t, &ws.admin, v1, in_an_hour, None).await);
    assert_eq!(by_admin["scheduleRelease"]["scheduledBy"], "alice");

    assert_eq!(audited(&t, "RELEASE_SCHEDULED").await, 3);
    assert_eq!(audited(&t, "RELEASE_SCHEDULE_CANCELLED").await, 2);

    // Community: scheduling is refused; what was scheduled can still be read and
    // cancelled.
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    let refused = community
        .gql(
            Some(&ws.admin),
            SCHEDULE,
            json!({ "v": v1, "at": in_an_hour, "note": null }),
        )
        .await;
    assert_eq!(code(&refused), "LICENSE_REQUIRED", "{refused}");
    let listed = data(
        community
            .gql(Some(&ws.viewer), SCHEDULED, json!({ "app": app }))
            .await,
    );
    assert_eq!(
        listed["app"]["scheduledReleases"].as_array().unwrap().len(),
        3
    );
    let cancelled = data(
        community
            .gql(
                Some(&ws.admin),
                CANCEL,
                json!({ "id": by_admin["scheduleRelease"]["id"] }),
            )
            .await,
    );
    assert_eq!(cancelled["cancelScheduledRelease"]["status"], "CANCELLED");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_lists_every_waiting_schedule_and_only_the_latest_ended_ones() {
    // Scheduling and cancelling again and again must not grow the (unpaged) list
    // without end: the waiting ones are all there, ended ones only the latest.
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1"]).await;
    let ended = scheduled_releases::LISTED_ENDED_PER_APP;
    let mut cancelled = Vec::new();
    for i in 0..ended + 3 {
        let at = Utc::now() + Duration::hours(1 + i64::try_from(i).unwrap());
        let made = data(schedule(&t, &ws.builder, &versions[0], at, None).await);
        let id = made["scheduleRelease"]["id"].clone();
        data(cancel(&t, &ws.builder, &id).await);
        cancelled.push(id);
    }
    let waiting = data(
        schedule(
            &t,
            &ws.builder,
            &versions[0],
            Utc::now() + Duration::days(30),
            None,
        )
        .await,
    )["scheduleRelease"]["id"]
        .clone();
    let listed = scheduled_list(&t, &ws.viewer, &app, "id").await;
    assert_eq!(listed.len(), ended + 1, "{listed:?}");
    assert!(listed.contains(&waiting));
    // The latest cancelled are the ones kept.
    for id in &cancelled[..3] {
        assert!(!listed.contains(id), "{id} is among the oldest cancelled");
    }
    for id in &cancelled[3..] {
        assert!(listed.contains(id), "{id} is among the latest cancelled");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_workspaces_apps_versions_and_schedules_are_not_found() {
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1", "v2"]).await;
    let (v1, v2) = (versions[0].as_str(), versions[1].as_str());
    let other = t.workspace().await;
    data(release(&t, &ws.builder, v1, None).await);
    data(release(&t, &ws.builder, v2, None).await);
    let at = Utc::now() + Duration::hours(1);
    let scheduled = data(
        t.gql(
            Some(&ws.builder),
            SCHEDULE,
            json!({ "v": v1, "at": at, "note": null }),
        )
        .await,
    )["scheduleRelease"]["id"]
        .clone();

    for token in [&other.admin, &other.builder] {
        for (query, variables) in [
            (RELEASE, json!({ "v": v1, "note": "x" })),
            (ROLLBACK, json!({ "app": app })),
            (SCHEDULE, json!({ "v": v1, "at": at, "note": null })),
            (CANCEL, json!({ "id": scheduled })),
            (HISTORY, json!({ "app": app })),
            (SCHEDULED, json!({ "app": app })),
        ] {
            let answer = t.gql(Some(token), query, variables).await;
            assert_eq!(code(&answer), "NOT_FOUND", "{query}: {answer}");
        }
    }
    // Malformed ids are NOT_FOUND too.
    for (query, variables) in [
        (ROLLBACK, json!({ "app": "nope" })),
        (SCHEDULE, json!({ "v": "nope", "at": at, "note": null })),
        (CANCEL, json!({ "id": "nope" })),
    ] {
        let answer = t.gql(Some(&ws.admin), query, variables).await;
        assert_eq!(code(&answer), "NOT_FOUND", "{query}: {answer}");
    }
    // Nothing of the owner's changed.
    let (list, _) = history(&t, &ws.viewer, &app).await;
    assert_eq!(list, pairs(&[("v2", false), ("v1", false)]));
    let listed = data(
        t.gql(Some(&ws.viewer), SCHEDULED, json!({ "app": app }))
            .await,
    );
    assert_eq!(listed["app"]["scheduledReleases"][0]["status"], "SCHEDULED");
}

#[tokio::test(flavor = "multi_thread")]
async fn releases_made_before_the_history_are_read_back_from_the_audit_log() {
    let t = TestApp::new().await;
    let (ws, app, versions) = orders(&t, &["v1", "v2"]).await;
    data(release(&t, &ws.builder, &versions[0], None).await);
    data(release(&t, &ws.admin, &versions[1], None).await);
    // Another app released with no audit row to read back (as if released by hand).
    let bare = create_app(&t, &ws.builder, "Bare").await;
    let b1 = version_in_production(&t, &ws, &bare, "b1").await;
    data(release(&t, &ws.builder, &b1, None).await);
    let client = t.db.client().await;
    client
        .execute(
            "DELETE FROM audit_events WHERE action = 'VERSION_RELEASED' AND app_id = $1",
            &[&uuid::Uuid::parse_str(&bare).unwrap()],
        )
        .await
        .unwrap();

    // The database as it was before the migration, then migrated again.
    let migration = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations/2026-12-03-100001_releases");
    for file in ["down.sql", "up.sql"] {
        let sql = std::fs::read_to_string(migration.join(file)).unwrap();
        client.batch_execute(&sql).await.unwrap();
    }

    let (list, rows) = history(&t, &ws.viewer, &app).await;
    assert_eq!(list, pairs(&[("v2", false), ("v1", false)]));
    assert_eq!(rows[0]["releasedBy"], "alice");
    assert_eq!(rows[1]["releasedBy"], "bob");
    let (list, rows) = history(&t, &ws.viewer, &bare).await;
    assert_eq!(list, pairs(&[("b1", false)]));
    assert_eq!(rows[0]["releasedBy"], "unknown");
    // The history read back walks back like one kept from the start.
    assert_eq!(
        released(rollback(&t, &ws.builder, &app).await, "rollbackRelease"),
        "v1"
    );
    assert_eq!(
        code(&rollback(&t, &ws.builder, &app).await),
        "BAD_USER_INPUT"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_of_apps_with_their_history_costs_what_a_page_of_two_costs() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    // Seeded directly (the API path is tested above): 30 apps, each with two releases
    // of one version and a scheduled release.
    t.db.client()
        .await
        .batch_execute(&format!(
            "INSERT INTO apps (id, workspace_id, name) SELECT gen_random_uuid(), '{ws}', 'app-' || lpad(i::text, 3, '0') FROM generate_series(1, 30) i;
             INSERT INTO app_versions (id, workspace_id, app_id, name, environment_id, status)
             SELECT gen_random_uuid(), '{ws}', id, 'v1', '{prod}', 'released' FROM apps WHERE workspace_id = '{ws}';
             INSERT INTO releases (id, workspace_id, app_id, version_id, released_by, note)
             SELECT gen_random_uuid(), '{ws}', v.app_id, v.id, 'bob', n FROM app_versions v
             CROSS JOIN (VALUES ('first'), ('second')) notes(n) WHERE v.workspace_id = '{ws}';
             INSERT INTO scheduled_releases (id, workspace_id, app_id, version_id, at, scheduled_by, role)
             SELECT gen_random_uuid(), '{ws}', app_id, id, now() + interval '1 day', 'bob', 'builder'
             FROM app_versions WHERE workspace_id = '{ws}';",
            ws = ws.id,
            prod = envs[2]
        ))
        .await
        .unwrap();
    let query = "query($first: Int) { apps(first: $first) { nodes { name releases(first: 1) { nodes { note version { name } } pageInfo { hasNextPage } } scheduledReleases { status version { name } } } } }";
    let mut costs = Vec::new();
    for first in [2, 30] {
        let before = t.queries();
        let page = data(
            t.gql(Some(&ws.viewer), query, json!({ "first": first }))
                .await,
        );
        costs.push(t.queries() - before);
        let nodes = page["apps"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), first);
        for app in nodes {
            assert_eq!(app["releases"]["nodes"].as_array().unwrap().len(), 1);
            assert_eq!(app["releases"]["pageInfo"]["hasNextPage"], true);
            assert_eq!(app["releases"]["nodes"][0]["version"]["name"], "v1");
            assert_eq!(app["scheduledReleases"][0]["status"], "SCHEDULED");
        }
    }
    assert_eq!(
        costs[0], costs[1],
        "a page of 30 costs what a page of 2 costs"
    );
    assert!(
        costs[1] <= 4,
        "apps + versions + releases + scheduled releases: {}",
        costs[1]
    );
}
