//! Puts every object of a response in the order its fields were asked for, as the
//! GraphQL spec requires: async-graphql 7 resolves a selection's fields concurrently
//! and records them in the order they finish.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Response, ServerResult, Value, Variables};
use indexmap::IndexMap;

/// The extension factory added to the schema.
pub struct FieldOrder;

impl ExtensionFactory for FieldOrder {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FieldOrderExtension::default())
    }
}

/// One per request (or subscription): it keeps the parsed document for the responses.
#[derive(Default)]
struct FieldOrderExtension {
    document: Mutex<Option<ExecutableDocument>>,
}

#[async_trait::async_trait]
impl Extension for FieldOrderExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        *self.document.lock().unwrap_or_else(|p| p.into_inner()) = Some(document.clone());
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        // Kept, not taken: a subscription executes once per event.
        let document = self.document.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(document) = document.as_ref() {
            let operation = match (&document.operations, operation_name) {
                (DocumentOperations::Single(operation), _) => Some(operation),
                (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
                (DocumentOperations::Multiple(operations), None) => operations.values().next(),
            };
            if let Some(operation) = operation {
                reorder(
                    &mut response.data,
                    &[&operation.node.selection_set.node],
                    &document.fragments,
                );
            }
        }
        response
    }
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// Reorders `value` (and everything under it) after the selection sets that produced it.
fn reorder(value: &mut Value, sets: &[&SelectionSet], fragments: &Fragments) {
    match value {
        Value::Object(map) => {
            let mut fields: IndexMap<Name, Vec<&SelectionSet>> = IndexMap::new();
            for set in sets {
                collect(set, fragments, &mut fields);
            }
            let mut rest = std::mem::take(map);
            for (key, subsets) in fields {
                if let Some(mut child) = rest.shift_remove(&key) {
                    reorder(&mut child, &subsets, fragments);
                    map.insert(key, child);
                }
            }
            map.extend(rest);
        }
        Value::List(items) => items
            .iter_mut()
            .for_each(|item| reorder(item, sets, fragments)),
        _ => {}
    }
}

/// The response keys of a selection set in document order, each with the selection
/// sets of the fields merged under it.
fn collect<'a>(
    set: &'a SelectionSet,
    fragments: &'a Fragments,
    fields: &mut IndexMap<Name, Vec<&'a SelectionSet>>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                let key = field.alias.as_ref().unwrap_or(&field.name).node.clone();
                fields
                    .entry(key)
                    .or_default()
                    .push(&field.selection_set.node);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    collect(&fragment.node.selection_set.node, fragments, fields);
                }
            }
            Selection::InlineFragment(inline) => {
                collect(&inline.node.selection_set.node, fragments, fields)
            }
        }
    }
}
