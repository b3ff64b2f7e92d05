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
//! every field still runs `T`'s own resolver; only the way they are driven differs. A
//! request that asks for the [`Reference`] answer is resolved by `T`'s (or `Vec<T>`'s)
//! own `OutputType::resolve`, as if `Inline` were not there.

use std::borrow::Cow;

use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, ContextSelectionSet, Name, OutputType, Positioned, ServerError, ServerResult,
    Value,
};
use futures_util::FutureExt as _;
use futures_util::future::join_all;
use indexmap::IndexMap;
use indexmap::map::Entry;

use super::{Reference, direct};

/// An object type whose listed fields complete without waiting for anything.
pub trait InlineFields: ContainerType {
    /// The (GraphQL) names of the fields whose resolvers never wait: they read what the
    /// value holds, or the request's data. A field left out is resolved as a future, so
    /// leaving one out is only slower; listing one that waits is a bug that debug builds
    /// report (release builds run it again as a future).
    const INLINE: &'static [&'static str];

    /// How to write one of these for the selection of `ctx` straight to JSON (see
    /// [`super::direct`]); `None` when the selection needs the general path (and the
    /// writer gives `None` for an item that does), which then resolves the list as
    /// usual. Only types on the hot paths write.
    fn writer<'a>(_ctx: &ContextSelectionSet<'a>) -> Option<direct::Writer<'a, Self>>
    where
        Self: Sized,
    {
        None
    }
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
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if Reference::asked(ctx) {
            return self.0.resolve(ctx, field).await;
        }
        let steps = plan::<T>(ctx)?;
        let mut objects = resolve(&steps, [(ctx, &self.0)]).await;
        Ok(objects.pop().map_or(Value::Null, Object::finish))
    }
}

/// A list of `T` resolved as [`Inline`] items, its selection walked once for all of
/// them (rather than once per item): the same GraphQL type as `Vec<T>`.
#[derive(Debug, Clone)]
pub struct InlineList<T>(pub Vec<T>);

impl<T: InlineFields> OutputType for InlineList<T> {
    fn type_name() -> Cow<'static, str> {
        Vec::<T>::type_name()
    }

    fn qualified_type_name() -> String {
        Vec::<T>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Vec::<T>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if Reference::asked(ctx) {
            return self.0.resolve(ctx, field).await;
        }
        if let Some(written) = direct::list(ctx, &self.0, |ctx| T::writer(ctx)) {
            return Ok(written);
        }
        let steps = plan::<T>(ctx)?;
        let contexts: Vec<_> = (0..self.0.len()).map(|i| ctx.with_index(i)).collect();
        let objects = resolve(&steps, contexts.iter().zip(&self.0)).await;
        Ok(Value::List(
            objects.into_iter().map(Object::finish).collect(),
        ))
    }
}

impl<T> FromIterator<T> for InlineList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// One field of a selection, fragments flattened, in the order asked.
enum Step<'a> {
    /// `__typename`.
    TypeName(&'a Positioned<Field>),
    /// A field listed in [`InlineFields::INLINE`].
    Ready(&'a Positioned<Field>),
    /// Any other field: resolved as a future.
    Waits(&'a Positioned<Field>),
}

/// The steps of the selection of `ctx` on a `T`.
fn plan<'a, T: InlineFields>(ctx: &ContextSelectionSet<'a>) -> ServerResult<Vec<Step<'a>>> {
    let mut fields = Vec::with_capacity(ctx.item.node.items.len());
    walk(ctx, &T::type_name(), &ctx.item.node, &mut fields)?;
    Ok(fields
        .into_iter()
        .map(|field| {
            let name = field.node.name.node.as_str();
            if name == "__typename" {
                Step::TypeName(field)
            } else if T::INLINE.contains(&name) {
                Step::Ready(field)
            } else {
                Step::Waits(field)
            }
        })
        .collect())
}

/// The fields a selection set asks of an object of type `type_name`, fragments that
/// apply to it flattened, in the order asked (a response key asked twice comes twice).
pub(super) fn fields<'a>(
    ctx: &ContextSelectionSet<'a>,
    type_name: &str,
    set: &'a SelectionSet,
) -> ServerResult<Vec<&'a Positioned<Field>>> {
    let mut fields = Vec::with_capacity(set.items.len());
    walk(ctx, type_name, set, &mut fields)?;
    Ok(fields)
}

/// The response objects of `items` (each with its context) for `steps`, as
/// async-graphql would give them: fields in the order asked, repeated response keys
/// merged, a failed field left out with its error recorded. The fields that wait run
/// together, all items' at once, so that their loads are batched.
async fn resolve<'a, T: InlineFields + 'a>(
    steps: &[Step<'_>],
    items: impl IntoIterator<Item = (&'a ContextSelectionSet<'a>, &'a T)>,
) -> Vec<Object> {
    let mut objects = Vec::new();
    let mut waiting = Vec::new();
    for (index, (ctx, item)) in items.into_iter().enumerate() {
        let mut object = Object::with_capacity(steps.len());
        for step in steps {
            match *step {
                Step::TypeName(field) => {
                    let type_name = item.introspection_type_name().into_owned();
                    object.ready(key(field), Value::String(type_name));
                }
                Step::Ready(field) => {
                    let ctx_field = ctx.with_field(field);
                    match item.resolve_field(&ctx_field).now_or_never() {
                        Some(result) => object.settle(ctx, key(field), result),
                        None => {
                            debug_assert!(
                                false,
                                "{}.{} is inline but waits",
                                T::type_name(),
                                key(field)
                            );
                            object.reserve(key(field));
                            waiting.push((index, ctx, item, field));
                        }
                    }
                }
                Step::Waits(field) => {
                    object.reserve(key(field));
                    waiting.push((index, ctx, item, field));
                }
            }
        }
        objects.push(object);
    }
    if !waiting.is_empty() {
        let results = join_all(waiting.iter().map(|&(_, ctx, item, field)| async move {
            let ctx_field = ctx.with_field(field);
            item.resolve_field(&ctx_field).await
        }))
        .await;
        for ((index, ctx, _, field), result) in waiting.into_iter().zip(results) {
            objects[index].settle(ctx, key(field), result);
        }
    }
    objects
}

/// The response key of a field: its alias, else its name.
pub(super) fn key(field: &Positioned<Field>) -> &Name {
    &field.node.response_key().node
}

/// The response object being built: every key takes its slot when first seen, so the
/// fields that wait land where they were asked.
struct Object {
    values: IndexMap<Name, Value>,
    /// Keys holding a placeholder: waiting, or failed every time so far. Left out at
    /// the end if still there, as async-graphql leaves out a failed field.
    unsettled: Vec<Name>,
}

impl Object {
    /// An object for a selection of `fields` fields (fragments aside).
    fn with_capacity(fields: usize) -> Self {
        Self {
            values: IndexMap::with_capacity(fields),
            unsettled: Vec::new(),
        }
    }

    /// Takes the slot of a field that waits.
    fn reserve(&mut self, key: &Name) {
        if !self.values.contains_key(key) {
            self.values.insert(key.clone(), Value::Null);
            self.unsettled.push(key.clone());
        }
    }

    /// Records the outcome of one occurrence of a field.
    fn settle(
        &mut self,
        ctx: &ContextSelectionSet<'_>,
        key: &Name,
        result: ServerResult<Option<Value>>,
    ) {
        match result {
            Ok(value) => self.ready(key, value.unwrap_or_default()),
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

/// Walks a selection set on an object of type `type_name`, fragments that apply to it
/// included, into `fields`.
fn walk<'a>(
    ctx: &ContextSelectionSet<'a>,
    type_name: &str,
    set: &'a SelectionSet,
    fields: &mut Vec<&'a Positioned<Field>>,
) -> ServerResult<()> {
    for selection in &set.items {
        let (condition, selection_set) = match &selection.node {
            Selection::Field(field) => {
                fields.push(field);
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
        if condition.is_none_or(|condition| applies(ctx, type_name, condition)) {
            walk(ctx, type_name, &selection_set.node, fields)?;
        }
    }
    Ok(())
}

/// Whether a fragment on `condition` applies to an object of type `type_name`: its own
/// type, or an interface it implements.
fn applies(ctx: &ContextSelectionSet<'_>, type_name: &str, condition: &str) -> bool {
    type_name == condition
        || ctx
            .schema_env
            .registry
            .implements
            .get(type_name)
            .is_some_and(|interfaces| interfaces.contains(condition))
}

/// Inserts `value` under `key`, merging it into what is there (objects key by key, lists
/// item by item), as async-graphql merges a key asked more than once.
fn merge(target: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    match target.entry(key) {
        Entry::Vacant(slot) => {
            slot.insert(value);
        }
        Entry::Occupied(mut slot) => match (slot.get_mut(), value) {
            (Value::Object(existing), Value::Object(object)) => {
                for (key, value) in object {
                    merge(existing, key, value);
                }
            }
            (Value::List(existing), Value::List(items)) => {
                for (item, value) in existing.iter_mut().zip(items) {
                    if let (Value::Object(item), Value::Object(object)) = (item, value) {
                        for (key, value) in object {
                            merge(item, key, value);
                        }
                    }
                }
            }
            _ => {}
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::types::app::App;
    use crate::graphql::types::app_version::AppVersion;
    use crate::graphql::types::audit_event::AuditEvent;
    use crate::graphql::types::data_source::DataSource;
    use crate::graphql::types::data_source_options::{DataSourceOption, DataSourceOptions};
    use crate::graphql::types::environment::Environment;
    use crate::graphql::types::promotion::{PromotionRequest, PromotionReview};

    /// Every field a type lists as inline is one of its fields (a misspelt one would
    /// quietly be resolved as a future).
    fn listed_fields_exist<T: InlineFields>() {
        let mut registry = Registry::default();
        T::create_type_info(&mut registry);
        let ty = &registry.types[&*T::type_name()];
        for name in T::INLINE {
            assert!(
                ty.field_by_name(name).is_some(),
                "{}.{name}",
                T::type_name()
            );
        }
    }

    /// An object that lists a field that waits as inline: polled in place, it trips the
    /// debug assertion; resolved the ordinary way, it just answers.
    struct Lying;

    #[async_graphql::Object]
    impl Lying {
        async fn waits(&self) -> i32 {
            tokio::task::yield_now().await;
            1
        }
    }

    impl InlineFields for Lying {
        const INLINE: &'static [&'static str] = &["waits"];
    }

    struct Root;

    #[async_graphql::Object]
    impl Root {
        async fn one(&self) -> Inline<Lying> {
            Inline(Lying)
        }

        async fn many(&self) -> InlineList<Lying> {
            InlineList(vec![Lying, Lying])
        }
    }

    async fn run(request: async_graphql::Request) -> async_graphql::Response {
        let schema = async_graphql::Schema::new(
            Root,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        );
        schema.execute(request).await
    }

    const QUERY: &str = "{ one { waits } many { waits } }";

    #[tokio::test]
    async fn the_reference_answer_resolves_every_field_the_ordinary_way() {
        let response = run(async_graphql::Request::new(QUERY).data(Reference)).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        assert_eq!(
            response.data,
            async_graphql::value!({ "one": { "waits": 1 }, "many": [{ "waits": 1 }, { "waits": 1 }] })
        );
    }

    /// The other half of the test above: without [`Reference`], the same request does
    /// poll the field in place (so the test above proves the marker is what stops it).
    #[cfg(debug_assertions)]
    #[tokio::test]
    #[should_panic(expected = "Lying.waits is inline but waits")]
    async fn without_the_reference_marker_inline_fields_are_polled_in_place() {
        run(async_graphql::Request::new(QUERY)).await;
    }

    #[test]
    fn inline_fields_are_fields_of_their_types() {
        listed_fields_exist::<App>();
        listed_fields_exist::<AppVersion>();
        listed_fields_exist::<AuditEvent>();
        listed_fields_exist::<DataSource>();
        listed_fields_exist::<DataSourceOption>();
        listed_fields_exist::<DataSourceOptions>();
        listed_fields_exist::<Environment>();
        listed_fields_exist::<PromotionRequest>();
        listed_fields_exist::<PromotionReview>();
    }
}
