//! The committed schema.graphql is generated from the code, and it keeps the
//! contract frontends rely on.

use std::collections::BTreeMap;
use std::path::Path;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn schema_graphql_is_generated_from_the_code() {
    let path = root().join("schema.graphql");
    let generated = envgate::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test --test it contract` (or `envgate schema > schema.graphql`)"
    );
}

/// The JSON Schema of the workspace-config document is generated from its Rust types,
/// and the committed one is what they generate.
#[test]
fn workspace_config_schema_is_generated_from_the_code() {
    let path = root().join("workspace-config.schema.json");
    let generated = envgate::domain::workspace_config::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "workspace-config.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test --test it contract` (or `envgate config schema > workspace-config.schema.json`)"
    );
}

#[test]
fn the_vendored_contract_matches_the_shared_one() {
    let path = root().join("../shared/design/contract.graphql");
    let Ok(shared) = std::fs::read_to_string(&path) else {
        // CI always has the shared design beside the checkout: there, its absence is a
        // failure, not a pass that checked nothing.
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: the vendored contract can't be compared",
            path.display()
        );
        eprintln!(
            "NOTICE: {} is absent; tests/contract.graphql was NOT compared with the shared contract",
            path.display()
        );
        return;
    };
    let vendored = std::fs::read_to_string(root().join("tests/contract.graphql")).unwrap();
    assert_eq!(
        vendored, shared,
        "tests/contract.graphql differs from shared/design/contract.graphql: copy it over"
    );
}

/// Every field of a type as `name(args): Type`, and enum values and input fields alike.
fn signatures(sdl: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let document = parse_schema(sdl).unwrap();
    let mut types = BTreeMap::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = ty.node;
        let members: BTreeMap<String, String> = match ty.kind {
            TypeKind::Object(object) => object
                .fields
                .into_iter()
                .map(|f| {
                    let f = f.node;
                    let args: Vec<String> = f
                        .arguments
                        .iter()
                        .map(|a| {
                            let default = a
                                .node
                                .default_value
                                .as_ref()
                                .map(|d| format!(" = {}", d.node))
                                .unwrap_or_default();
                            format!("{}: {}{default}", a.node.name.node, a.node.ty.node)
                        })
                        .collect();
                    (
                        f.name.node.to_string(),
                        format!("({}): {}", args.join(", "), f.ty.node),
                    )
                })
                .collect(),
            TypeKind::InputObject(input) => input
                .fields
                .into_iter()
                .map(|f| {
                    let default = f
                        .node
                        .default_value
                        .as_ref()
                        .map(|d| format!(" = {}", d.node))
                        .unwrap_or_default();
                    (
                        f.node.name.node.to_string(),
                        format!("{}{default}", f.node.ty.node),
                    )
                })
                .collect(),
            TypeKind::Enum(e) => e
                .values
                .into_iter()
                .map(|v| (v.node.value.node.to_string(), String::new()))
                .collect(),
            _ => BTreeMap::new(),
        };
        types.insert(ty.name.node.to_string(), members);
    }
    types
}

/// The parts of the contract that open issues build (none now: every part is built).
const NOT_YET: &[&str] = &[];

#[test]
fn the_schema_keeps_the_contract() {
    let contract =
        signatures(&std::fs::read_to_string(root().join("tests/contract.graphql")).unwrap());
    let ours = signatures(&envgate::graphql::sdl());
    let mut problems = Vec::new();
    for (name, members) in &contract {
        if NOT_YET.contains(&name.as_str()) {
            continue;
        }
        let Some(our_members) = ours.get(name) else {
            problems.push(format!("type {name} is missing"));
            continue;
        };
        for (member, signature) in members {
            if NOT_YET.contains(&format!("{name}.{member}").as_str()) {
                continue;
            }
            match our_members.get(member) {
                None => problems.push(format!("{name}.{member} is missing")),
                Some(ours) if ours != signature => problems.push(format!(
                    "{name}.{member} is `{ours}`, the contract says `{signature}`"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the schema breaks the contract:\n{}",
        problems.join("\n")
    );
}
