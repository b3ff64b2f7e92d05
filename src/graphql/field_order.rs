//! Puts every object of a response in the order its fields were asked for, as the
//! GraphQL spec requires: async-graphql 7 resolves a selection's fields concurrently
//! and records them in the order they finish.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value};
use indexmap::IndexMap;

/// Reorders the response `data` of `document`'s operation `operation_name`.
pub fn reorder(data: &mut Value, document: &ExecutableDocument, operation_name: Option<&str>) {
    // Nothing ran (a request that failed validation): nothing to order, and the
    // document may not be valid (a fragment cycle), so it is not walked.
    if *data == Value::Null {
        return;
    }
    if let Some(operation) = super::executor::operation(document, operation_name) {
        Plan::of(&[&operation.node.selection_set.node], &document.fragments).apply(data);
    }
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// The response keys of a selection in document order, each with the plan of what is
/// selected under it; empty for a leaf. Built once per request from the validated
/// document (so its size is bounded by the query's depth and complexity limits), and
/// applied to every object of the response, list items alike.
#[derive(Default)]
struct Plan {
    fields: Vec<(Name, Plan)>,
}

impl Plan {
    /// The plan of the fields the selection sets `sets` select, merged by response key.
    fn of(sets: &[&SelectionSet], fragments: &Fragments) -> Self {
        let mut fields: IndexMap<Name, Vec<&SelectionSet>> = IndexMap::new();
        for set in sets {
            collect(set, fragments, &mut fields);
        }
        Self {
            fields: fields
                .into_iter()
                .map(|(key, subsets)| {
                    let plan = Self::of(&subsets, fragments);
                    (key, plan)
                })
                .collect(),
        }
    }

    /// Where `key` comes in the plan, looked for from `hint` on (the common case: the
    /// key after the previous one); keys the plan does not know go last.
    fn position(&self, key: &Name, hint: usize) -> usize {
        let at = |range: std::ops::Range<usize>| {
            range
                .into_iter()
                .find(|&i| self.fields.get(i).is_some_and(|(k, _)| k == key))
        };
        at(hint..self.fields.len())
            .or_else(|| at(0..hint.min(self.fields.len())))
            .unwrap_or(usize::MAX)
    }

    /// Reorders `value` (and everything under it) after the plan. Objects already in
    /// order are left as they are; leaves (scalars, JSON values) are not visited.
    fn apply(&self, value: &mut Value) {
        if self.fields.is_empty() {
            return;
        }
        match value {
            Value::Object(map) => {
                let mut hint = 0;
                let mut sorted = true;
                for key in map.keys() {
                    let position = self.position(key, hint);
                    sorted &= position >= hint;
                    hint = position.saturating_add(1);
                }
                if !sorted {
                    map.sort_by_cached_key(|key, _| self.position(key, 0));
                }
                let mut hint = 0;
                for (key, child) in map.iter_mut() {
                    let position = self.position(key, hint);
                    if let Some((_, plan)) = self.fields.get(position) {
                        plan.apply(child);
                        hint = position + 1;
                    }
                }
            }
            Value::List(items) => items.iter_mut().for_each(|item| self.apply(item)),
            _ => {}
        }
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
