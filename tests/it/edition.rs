use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::common::{MARGIN, TestApp, data, license, license_keys, licensing, sleep_until_past};
use envgate::edition::{self, Licensing};

const EDITION: &str =
    "{ edition { name licenseStatus multiEnvironment licensee expiresAt } environments { name } }";

async fn edition_of(t: &TestApp) -> Value {
    let ws = t.workspace().await;
    data(t.gql(Some(&ws.viewer), EDITION, json!({})).await)
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_license_the_server_is_community() {
    let got = edition_of(&TestApp::community().await).await;
    assert_eq!(
        got["edition"],
        json!({ "name": "COMMUNITY", "licenseStatus": "NONE", "multiEnvironment": false, "licensee": null, "expiresAt": null })
    );
    assert_eq!(got["environments"], json!([{ "name": "Production" }]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_valid_license_unlocks_every_environment() {
    let expires = whole_seconds(Utc::now() + Duration::days(30));
    let got = edition_of(&TestApp::with_licensing(licensing(&license(expires))).await).await;
    assert_eq!(got["edition"]["name"], "ENTERPRISE");
    assert_eq!(got["edition"]["licenseStatus"], "VALID");
    assert_eq!(got["edition"]["multiEnvironment"], true);
    assert_eq!(got["edition"]["licensee"], "Acme Corp");
    let reported: DateTime<Utc> = got["edition"]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(reported, expires);
    assert_eq!(got["environments"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_license_is_community_and_says_so() {
    let got = edition_of(
        &TestApp::with_licensing(licensing(&license(Utc::now() - Duration::days(1)))).await,
    )
    .await;
    assert_eq!(got["edition"]["name"], "COMMUNITY");
    assert_eq!(got["edition"]["licenseStatus"], "EXPIRED");
    assert_eq!(got["edition"]["multiEnvironment"], false);
    assert_eq!(got["edition"]["licensee"], "Acme Corp");
    assert_eq!(got["environments"], json!([{ "name": "Production" }]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_license_that_does_not_verify_is_invalid() {
    let (other_private, _) = edition::keygen().unwrap();
    let forged = edition::issue(
        other_private.as_bytes(),
        "Mallory",
        Utc::now() + Duration::days(30),
    )
    .unwrap();
    let good = license(Utc::now() + Duration::days(30));
    let mut tampered_parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    tampered_parts[1] = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        json!({ "sub": "Mallory", "edition": "enterprise", "features": ["multi_environment"], "exp": 4_102_444_800_i64 }).to_string(),
    );
    let cases = [
        licensing(&forged),
        licensing(&tampered_parts.join(".")),
        licensing("garbage"),
        // A real license, but no public key to check it with.
        Licensing::load(Some(&good), None),
        // A public key that is not a key.
        Licensing::load(
            Some(&good),
            Some(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
        ),
    ];
    for case in cases {
        let got = edition_of(&TestApp::with_licensing(case).await).await;
        assert_eq!(
            got["edition"],
            json!({ "name": "COMMUNITY", "licenseStatus": "INVALID", "multiEnvironment": false, "licensee": null, "expiresAt": null })
        );
        assert_eq!(got["environments"], json!([{ "name": "Production" }]));
    }
    // The HS256 secret of the tokens can't sign a license either (algorithm pinned to EdDSA).
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({ "sub": "x", "edition": "enterprise", "features": ["multi_environment"], "exp": 4_102_444_800_i64 }),
        &jsonwebtoken::EncodingKey::from_secret(license_keys().1.as_bytes()),
    )
    .unwrap();
    let got = edition_of(&TestApp::with_licensing(licensing(&hs)).await).await;
    assert_eq!(got["edition"]["licenseStatus"], "INVALID");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_license_lapses_at_its_expiry_while_the_server_runs() {
    // JWT expiry has one-second resolution: expire on a whole second, far enough ahead
    // that the first request (which also opens a pool connection and provisions the
    // workspace) is answered before it even on a loaded machine.
    let db = crate::common::TestDb::new().await;
    let margin = Duration::from_std(MARGIN).unwrap();
    let expires = whole_seconds(Utc::now()) + margin + Duration::seconds(1);
    let t = TestApp::on(db, licensing(&license(expires)));
    let before = edition_of(&t).await;
    assert_eq!(before["edition"]["licenseStatus"], "VALID");
    assert_eq!(before["environments"].as_array().unwrap().len(), 3);
    // From the expiry on, the same server runs as Community.
    sleep_until_past(expires).await;
    let after = edition_of(&t).await;
    assert_eq!(after["edition"]["name"], "COMMUNITY");
    assert_eq!(after["edition"]["licenseStatus"], "EXPIRED");
    assert_eq!(after["environments"], json!([{ "name": "Production" }]));
}
