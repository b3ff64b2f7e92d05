//! `serve --demo`: a development license and a seeded demo workspace that shows the
//! whole feature, seeded once.

use serde_json::json;

use crate::common::{TestApp, Workspace, data};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_runs_as_enterprise_and_seeds_a_workspace_that_shows_everything_once() {
    let state_dir =
        std::env::temp_dir().join(format!("envgate-demo-{}", uuid::Uuid::new_v4().simple()));
    let licensing = envgate::demo::license(&state_dir).unwrap();
    let edition = licensing.edition_at(chrono::Utc::now());
    assert!(edition.multi_environment, "{edition:?}");
    // The same key pair signs the next start's license.
    let public = std::fs::read(state_dir.join("demo-license-public.pem")).unwrap();
    envgate::demo::license(&state_dir).unwrap();
    assert_eq!(
        std::fs::read(state_dir.join("demo-license-public.pem")).unwrap(),
        public
    );

    let t = TestApp::with_licensing(licensing).await;
    let ws = Workspace::new(uuid::Uuid::new_v4());
    envgate::demo::seed(&t.app, ws.id, &crate::common::database_url(&t.db.url))
        .await
        .unwrap();
    // A restart seeds nothing more.
    envgate::demo::seed(&t.app, ws.id, &crate::common::database_url(&t.db.url))
        .await
        .unwrap();

    let seen = data(
        t.gql(
            Some(&ws.admin),
            "{ dataSources { nodes { id name environments { environment { id name } configured } } }
               apps { nodes { name versions { name status environment { name } } releasedVersion { name }
                 releases { nodes { version { name } note releasedBy } } } } }",
            json!({}),
        )
        .await,
    );
    let data_sources = seen["dataSources"]["nodes"].as_array().unwrap();
    assert_eq!(data_sources.len(), 1);
    let environments = data_sources[0]["environments"].as_array().unwrap();
    assert_eq!(environments.len(), 3);
    assert!(environments.iter().all(|e| e["configured"] == true));
    assert_eq!(
        seen["apps"]["nodes"],
        json!([{ "name": "Demo app", "versions": [
            { "name": "v1", "status": "RELEASED", "environment": { "name": "Production" } },
            { "name": "v2", "status": "DRAFT", "environment": { "name": "Staging" } },
            { "name": "v3", "status": "DRAFT", "environment": { "name": "Development" } },
        ], "releasedVersion": { "name": "v1" },
        // The seed's release is in the history like any other.
        "releases": { "nodes": [
            { "version": { "name": "v1" }, "note": "The first release.", "releasedBy": envgate::demo::DEMO_USER },
        ] } }])
    );
    // "Test connection" succeeds in every environment: it points at this database.
    for environment in environments {
        let tested = data(
            t.gql(
                Some(&ws.admin),
                "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok message } }",
                json!({ "d": data_sources[0]["id"], "e": environment["environment"]["id"] }),
            )
            .await,
        );
        assert_eq!(tested["testDataSourceConnection"]["ok"], true, "{tested}");
    }
    let _ = std::fs::remove_dir_all(&state_dir);
}
