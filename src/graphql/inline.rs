//! Objects resolved with their ready fields in place. async-graphql resolves every field
//! of an object as a boxed future of its own, run in a `FuturesUnordered` (a task
//! allocation per field, its results put back in order afterwards): for a page of data
//! sources with their option values that is about a thousand futures per request, most
//! of the request's CPU. Wrapped in [`Inline`], an object's fields that only read what
//! the object holds ([`InlineFields::INLINE`]) are polled once, where they stand, and
//! written in the order they were asked for; only the fields that wait (a DataLoader,
//! say) are run as futures, together, so that list items still load in one batch.
//!
//! The GraphQL type is unchanged: `Inline<T>` registers and names itself as `T`, and
//! every field still runs `T`'s own resolver; only the way they are driven differs.

use std::borrow::Cow;

use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, ContextSelectionSet, Name, OutputType, Positioned, ServerError, ServerResult,
    Value,
};
use futures_util::FutureExt as _;
use indexmap::IndexMap;

/// An object type whose listed fields complete without waiting for anything.
pub trait InlineFields: ContainerType {
    /// The (GraphQL) names of the fields whose resolvers never wait: they read what the
    /// value holds, or the request's data. A field left out is resolved as a future, so
    /// leaving one out is only slower; listing one that waits is a bug that debug builds
    /// report (release builds run it again as a future).
    const INLINE: &'static [&'static str];
}

/// `T` resolved with its [`InlineFields`] in place: the same GraphQL type as `T`.
#[derive(Debug, Clone)]
pub struct Inline<T>(pub T);

impl<T: InlineFields> OutputType for Inline<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve(ctx, &self.0).await
    }
}

/// The response object of `root` for the selection of `ctx`, as async-graphql would
/// give it: fields in the order asked, repeated response keys merged, a failed field
/// left out with its error recorded.
async fn resolve<T: InlineFields>(ctx: &ContextSelectionSet<'_>, root: &T) -> ServerResult<Value> {
    let mut object = Object::default();
    let mut waiting = Vec::new();
    collect(ctx, &ctx.item.node, root, &mut object, &mut waiting)?;
    if !waiting.is_empty() {
        let results = futures_util::future::join_all(waiting.iter().map(|field| async {
            let ctx_field = ctx.with_field(field);
            root.resolve_field(&ctx_field).await
        }))
        .await;
        for (field, result) in waiting.iter().zip(results) {
            let key = &field.node.response_key().node;
            object.settle(ctx, key, result.map(Option::unwrap_or_default));
        }
    }
    Ok(object.finish())
}

/// The response object being built: every key takes its slot when first seen, so the
/// fields that wait land where they were asked.
#[derive(Default)]
struct Object {
    values: IndexMap<Name, Value>,
    /// Keys holding a placeholder: waiting, or failed every time so far. Left out at
    /// the end if still there, as async-graphql leaves out a failed field.
    unsettled: Vec<Name>,
}

impl Object {
    /// Takes the slot of a field that waits.
    fn reserve(&mut self, key: &Name) {
        if !self.values.contains_key(key) {
            self.values.insert(key.clone(), Value::Null);
            self.unsettled.push(key.clone());
        }
    }

    /// Records the outcome of one occurrence of a field.
    fn settle(&mut self, ctx: &ContextSelectionSet<'_>, key: &Name, result: ServerResult<Value>) {
        match result {
            Ok(value) => self.ready(key, value),
            Err(error) => {
                ctx.add_error(error);
                self.reserve(key);
            }
        }
    }

    /// A field's value: fills its slot, or merges into what an earlier occurrence of
    /// the key gave.
    fn ready(&mut self, key: &Name, value: Value) {
        if let Some(at) = self.unsettled.iter().position(|k| k == key) {
            self.unsettled.swap_remove(at);
            self.values.insert(key.clone(), value);
        } else {
            merge(&mut self.values, key.clone(), value);
        }
    }

    fn finish(mut self) -> Value {
        for key in &self.unsettled {
            self.values.shift_remove(key);
        }
        if self.values.is_empty() {
            Value::Null
        } else {
            Value::Object(self.values)
        }
    }
}

/// Walks a selection set (fragments included) on `root`: ready fields are resolved in
/// place, the others are reserved a slot and pushed to `waiting`.
fn collect<'a, T: InlineFields>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    root: &T,
    object: &mut Object,
    waiting: &mut Vec<&'a Positioned<Field>>,
) -> ServerResult<()> {
    for selection in &set.items {
        let (condition, selection_set) = match &selection.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                let name = field.node.name.node.as_str();
                if name == "__typename" {
                    let type_name = root.introspection_type_name().into_owned();
                    object.ready(key, Value::String(type_name));
                } else if T::INLINE.contains(&name) {
                    let ctx_field = ctx.with_field(field);
                    match root.resolve_field(&ctx_field).now_or_never() {
                        Some(result) => {
                            object.settle(ctx, key, result.map(Option::unwrap_or_default))
                        }
                        None => {
                            debug_assert!(
                                false,
                                "{}.{name} is listed inline but waits",
                                T::type_name()
                            );
                            object.reserve(key);
                            waiting.push(field);
                        }
                    }
                } else {
                    object.reserve(key);
                    waiting.push(field);
                }
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(fragment) = ctx.query_env.fragments.get(name) else {
                    return Err(ServerError::new(
                        format!(r#"Unknown fragment "{name}"."#),
                        Some(spread.pos),
                    ));
                };
                (
                    Some(&fragment.node.type_condition.node.on.node),
                    &fragment.node.selection_set,
                )
            }
            Selection::InlineFragment(fragment) => (
                fragment
                    .node
                    .type_condition
                    .as_ref()
                    .map(|c| &c.node.on.node),
                &fragment.node.selection_set,
            ),
        };
        if condition.is_none_or(|condition| applies(ctx, root, condition)) {
            collect(ctx, &selection_set.node, root, object, waiting)?;
        }
    }
    Ok(())
}

/// Whether a fragment on `condition` applies to `root`: its own type, or an interface
/// it implements.
fn applies<T: InlineFields>(ctx: &ContextSelectionSet<'_>, root: &T, condition: &str) -> bool {
    let type_name = root.introspection_type_name();
    type_name == condition
        || ctx
            .schema_env
            .registry
            .implements
            .get(type_name.as_ref())
            .is_some_and(|interfaces| interfaces.contains(condition))
}

/// Inserts `value` under `key`, merging it into what is there (objects key by key, lists
/// item by item), as async-graphql merges a key asked more than once.
fn merge(target: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    match target.get_mut(&key) {
        None => {
            target.insert(key, value);
        }
        Some(Value::Object(existing)) => {
            if let Value::Object(object) = value {
                for (key, value) in object {
                    merge(existing, key, value);
                }
            }
        }
        Some(Value::List(existing)) => {
            if let Value::List(items) = value {
                for (item, value) in existing.iter_mut().zip(items) {
                    if let (Value::Object(item), Value::Object(object)) = (item, value) {
                        for (key, value) in object {
                            merge(item, key, value);
                        }
                    }
                }
            }
        }
        Some(_) => {}
    }
}
