//! `envgate config export | apply | schema`: a thin client of a running server's API
//! (`workspaceConfig`, `applyWorkspaceConfig`). Files are YAML or JSON by extension;
//! secrets named `{"secret": {"fromEnv": "NAME"}}` are filled in from this process's
//! environment just before sending and never printed; the plan is printed the way
//! `terraform plan` prints one.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use crate::config::{ConfigCommand, ServerArgs};
use crate::domain::kinds;
use crate::domain::workspace_config::document::{OptionValue, SecretSource};

/// How long one request to the server may take.
const TIMEOUT: Duration = Duration::from_secs(60);

const EXPORT: &str = "{ workspaceConfig }";
const APPLY: &str = "mutation($config: JSON!, $dryRun: Boolean!, $prune: Boolean!) {
  applyWorkspaceConfig(config: $config, dryRun: $dryRun, prune: $prune) { applied changes { action target detail } } }";

/// How a command ended, for the exit code CI reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done, or nothing to do: exit 0.
    Done,
    /// A dry run whose plan has changes: exit 2.
    ChangesPlanned,
}

/// Runs one `envgate config` command; what it prints goes to stdout, errors to the
/// caller (exit 1).
pub async fn run(command: ConfigCommand) -> anyhow::Result<Outcome> {
    match command {
        ConfigCommand::Schema => {
            print!("{}", crate::domain::workspace_config::json_schema());
            Ok(Outcome::Done)
        }
        ConfigCommand::Export { server, file } => {
            let data = call(&server, EXPORT, json!({})).await?;
            let document = &data["workspaceConfig"];
            match file {
                Some(path) => {
                    std::fs::write(&path, write(&path, document)?)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("Wrote the workspace's configuration to {}.", path.display());
                }
                None => println!("{}", serde_json::to_string_pretty(document)?),
            }
            Ok(Outcome::Done)
        }
        ConfigCommand::Apply {
            server,
            file,
            dry_run,
            prune,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let mut document = read(&file, &text)?;
            fill_secrets(&mut document, |name| std::env::var(name).ok())?;
            let variables = json!({ "config": document, "dryRun": dry_run, "prune": prune });
            let data = call(&server, APPLY, variables).await?;
            let plan = &data["applyWorkspaceConfig"];
            let (text, changes) = describe(plan);
            print!("{text}");
            Ok(if dry_run && changes > 0 {
                Outcome::ChangesPlanned
            } else {
                Outcome::Done
            })
        }
    }
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// A document file's text as JSON: YAML for `.yaml`/`.yml`, else JSON.
pub fn read(path: &Path, text: &str) -> anyhow::Result<Value> {
    if is_yaml(path) {
        serde_saphyr::from_str(text)
            .with_context(|| format!("{} is not valid YAML", path.display()))
    } else {
        serde_json::from_str(text).with_context(|| format!("{} is not valid JSON", path.display()))
    }
}

/// A document as a file's text: YAML for `.yaml`/`.yml`, else JSON.
pub fn write(path: &Path, document: &Value) -> anyhow::Result<String> {
    if is_yaml(path) {
        Ok(serde_saphyr::to_string(document)?)
    } else {
        let mut text = serde_json::to_string_pretty(document)?;
        text.push('\n');
        Ok(text)
    }
}

/// Replaces every `{"secret": {"fromEnv": "NAME"}}` (a data source's option value, a
/// constant's value) with the value of `NAME` from `lookup`; a variable that is not set
/// is an error naming it and where the document names it (never a value).
pub fn fill_secrets(
    document: &mut Value,
    lookup: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<()> {
    let mut missing = Vec::new();
    let mut not_secret = Vec::new();
    // Only a secret is filled: a value put anywhere else is shown in the plan (and to
    // every role), so a variable named there is refused rather than printed.
    let mut fill = |value: &mut Value, place: String, secret: bool| {
        if let Some(SecretSource::FromEnv { from_env }) = OptionValue(value.clone()).as_secret() {
            match lookup(&from_env) {
                _ if !secret => not_secret.push(format!("{from_env} (for {place})")),
                Some(secret) => *value = Value::String(secret),
                None => missing.push(format!("{from_env} (for {place})")),
            }
        }
    };
    let name_of = |item: &Value| item["name"].as_str().unwrap_or("?").to_owned();
    if let Some(sources) = document
        .get_mut("dataSources")
        .and_then(Value::as_array_mut)
    {
        for source in sources {
            let name = name_of(source);
            let kind = source["kind"].as_str().and_then(|k| kinds::find(k.trim()));
            let Some(environments) = source.get_mut("options").and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (environment, options) in environments {
                for (key, value) in options.as_object_mut().into_iter().flatten() {
                    let secret = kind
                        .and_then(|k| k.field(key))
                        .is_some_and(|field| field.secret);
                    let place = format!("data source {name}, {environment}, {key}");
                    fill(value, place, secret);
                }
            }
        }
    }
    if let Some(constants) = document.get_mut("constants").and_then(Value::as_array_mut) {
        for constant in constants {
            let name = name_of(constant);
            let secret = constant["type"].as_str() == Some("SECRET");
            for (environment, value) in constant
                .get_mut("values")
                .and_then(Value::as_object_mut)
                .into_iter()
                .flatten()
            {
                fill(value, format!("constant {name}, {environment}"), secret);
            }
        }
    }
    if !not_secret.is_empty() {
        bail!(
            "`fromEnv` fills secrets only (secret options, SECRET constants), and these values are not secret: {}; nothing was sent",
            not_secret.join(", ")
        );
    }
    if !missing.is_empty() {
        bail!(
            "environment variables not set: {}; nothing was sent",
            missing.join(", ")
        );
    }
    Ok(())
}

/// The plan as `terraform plan` prints one (`+` create, `~` update, `-` delete, `!` a
/// note on something unchanged), with the counts; and how many changes it has.
pub fn describe(plan: &Value) -> (String, usize) {
    let changes = plan["changes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let applied = plan["applied"].as_bool().unwrap_or(false);
    let count = |action: &str| changes.iter().filter(|c| c["action"] == action).count();
    let (create, update, delete, unchanged) = (
        count("CREATE"),
        count("UPDATE"),
        count("DELETE"),
        count("UNCHANGED"),
    );
    let mut text = String::new();
    for change in changes {
        let sign = match change["action"].as_str() {
            Some("CREATE") => "+",
            Some("UPDATE") => "~",
            Some("DELETE") => "-",
            _ if change["detail"].is_string() => "!",
            _ => continue,
        };
        let target = change["target"].as_str().unwrap_or_default();
        let _ = match change["detail"].as_str() {
            Some(detail) => writeln!(text, "  {sign} {target}: {detail}"),
            None => writeln!(text, "  {sign} {target}"),
        };
    }
    let total = create + update + delete;
    if total == 0 {
        let _ = writeln!(
            text,
            "No changes: the workspace matches the configuration ({unchanged} unchanged)."
        );
        return (text, 0);
    }
    let verb = if applied { "Applied" } else { "Plan" };
    let _ = writeln!(
        text,
        "\n{verb}: {create} to create, {update} to update, {delete} to delete, {unchanged} unchanged."
    );
    if !applied {
        let _ = writeln!(text, "Dry run: nothing was changed.");
    }
    (text, total)
}

/// POSTs one GraphQL request to the server and returns its `data`; its errors (each
/// problem of a document on a line of its own) otherwise.
async fn call(server: &ServerArgs, query: &str, variables: Value) -> anyhow::Result<Value> {
    let url = endpoint(&server.url)?;
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config()?)
        .timeout(TIMEOUT)
        .build()
        .context("setting up the HTTP client")?;
    let body = json!({ "query": query, "variables": variables }).to_string();
    let response = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .bearer_auth(server.token.trim())
        .body(body)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url} did not answer: {}", e.without_url()))?;
    let status = response.status();
    let bytes = response.bytes().await?;
    let answer: Value = serde_json::from_slice(&bytes)
        .map_err(|_| anyhow::anyhow!("{url} answered HTTP {status}, not a GraphQL response"))?;
    if let Some(errors) = answer["errors"].as_array().filter(|e| !e.is_empty()) {
        let mut text = String::new();
        for error in errors {
            let code = error["extensions"]["code"].as_str().unwrap_or("ERROR");
            match error["extensions"]["problems"].as_array() {
                Some(problems) => {
                    let _ = writeln!(
                        text,
                        "{code}: the configuration has {} problem(s); nothing was changed:",
                        problems.len()
                    );
                    for problem in problems {
                        let _ = writeln!(
                            text,
                            "  {}: {}",
                            problem["item"].as_str().unwrap_or_default(),
                            problem["message"].as_str().unwrap_or_default()
                        );
                    }
                }
                None => {
                    let _ = writeln!(
                        text,
                        "{code}: {}",
                        error["message"].as_str().unwrap_or_default()
                    );
                }
            }
        }
        bail!("{}", text.trim_end());
    }
    Ok(answer["data"].clone())
}

/// The GraphQL endpoint of `url`: `/graphql` on a bare address.
fn endpoint(url: &str) -> anyhow::Result<reqwest::Url> {
    let mut url = reqwest::Url::parse(url.trim())
        .with_context(|| format!("--url {url:?} is not a URL (e.g. http://127.0.0.1:8080)"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("--url must be an http:// or https:// URL");
    }
    if url.path() == "/" || url.path().is_empty() {
        url.set_path("/graphql");
    }
    Ok(url)
}

/// TLS with the public web roots (ring, as everywhere in envgate).
fn tls_config() -> anyhow::Result<rustls::ClientConfig> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_env_secrets_are_filled_and_a_missing_one_is_named_without_values() {
        let mut document = json!({
            "version": 1,
            "dataSources": [{ "name": "orders", "kind": "postgresql", "options": {
                "Production": { "host": "db", "password": { "secret": { "fromEnv": "PG_PASSWORD" } } },
                "Staging": { "password": { "secret": "SET" } } } }],
            "constants": [{ "name": "TOKEN", "type": "SECRET", "values": { "Production": { "secret": { "fromEnv": "TOKEN" } } } }],
        });
        let lookup = |name: &str| (name == "PG_PASSWORD").then(|| "pw-1".to_owned());
        let error = fill_secrets(&mut document.clone(), lookup)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "environment variables not set: TOKEN (for constant TOKEN, Production); nothing was sent"
        );
        fill_secrets(&mut document, |name| Some(format!("value-of-{name}"))).unwrap();
        let options = &document["dataSources"][0]["options"];
        assert_eq!(options["Production"]["password"], "value-of-PG_PASSWORD");
        assert_eq!(options["Staging"]["password"], json!({ "secret": "SET" }));
        assert_eq!(
            document["constants"][0]["values"]["Production"],
            "value-of-TOKEN"
        );
    }

    #[test]
    fn from_env_is_refused_where_the_value_is_not_secret_and_never_filled_there() {
        // A host or a GLOBAL constant is shown in the plan the CLI prints (and to every
        // role): a variable named there must not reach the server nor the output.
        let mut document = json!({
            "version": 1,
            "dataSources": [{ "name": "orders", "kind": "postgresql", "options": {
                "Production": { "host": { "secret": { "fromEnv": "DB_HOST" } } } } }],
            "constants": [{ "name": "API", "type": "GLOBAL", "values": { "Production": { "secret": { "fromEnv": "API_KEY" } } } }],
        });
        let error = fill_secrets(&mut document, |_| Some("hunter2".to_owned()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "`fromEnv` fills secrets only (secret options, SECRET constants), and these values are not secret: DB_HOST (for data source orders, Production, host), API_KEY (for constant API, Production); nothing was sent"
        );
        assert!(!document.to_string().contains("hunter2"));
    }

    #[test]
    fn plans_read_like_terraform_and_count_their_changes() {
        let plan = json!({ "applied": false, "changes": [
            { "action": "CREATE", "target": "environment QA", "detail": "after Staging" },
            { "action": "UPDATE", "target": "data source a, Staging, host", "detail": "\"x\" → \"y\"" },
            { "action": "DELETE", "target": "constant OLD", "detail": null },
            { "action": "UNCHANGED", "target": "data source a, Production, password", "detail": "SET in the document, not set here: stays unset" },
            { "action": "UNCHANGED", "target": "data source a", "detail": null },
        ] });
        let (text, changes) = describe(&plan);
        assert_eq!(changes, 3);
        assert_eq!(
            text,
            "  + environment QA: after Staging\n  ~ data source a, Staging, host: \"x\" → \"y\"\n  - constant OLD\n  ! data source a, Production, password: SET in the document, not set here: stays unset\n\nPlan: 1 to create, 1 to update, 1 to delete, 2 unchanged.\nDry run: nothing was changed.\n"
        );
        let (text, changes) = describe(
            &json!({ "applied": true, "changes": [{ "action": "UNCHANGED", "target": "constant A", "detail": null }] }),
        );
        assert_eq!(
            (text.as_str(), changes),
            (
                "No changes: the workspace matches the configuration (1 unchanged).\n",
                0
            )
        );
    }

    #[test]
    fn files_are_yaml_or_json_by_extension_and_urls_get_graphql() {
        let document = json!({ "version": 1, "dataSources": [{ "name": "a", "kind": "restapi", "options": { "Production": { "url": "https://x", "headers": { "X-A": "1" } } } }] });
        for name in ["c.yaml", "c.YML", "c.json"] {
            let path = Path::new(name);
            let text = write(path, &document).unwrap();
            assert_eq!(text.starts_with('{'), name.ends_with("json"), "{text}");
            assert_eq!(read(path, &text).unwrap(), document);
        }
        assert_eq!(
            endpoint("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/graphql"
        );
        assert_eq!(
            endpoint("https://e.example/api/graphql").unwrap().path(),
            "/api/graphql"
        );
        assert!(endpoint("ftp://x").is_err());
    }
}
