//! Objects resolved with their ready fields in place. async-graphql resolves every field
//! of an object as a boxed future of its own, run in a `FuturesUnordered` (a task
//! allocation per field, its results put back in order afterwards): for a page of data
//! sources with their option values that is about a thousand futures per request, most
//! of the request's CPU. Wrapped in [`Inline`], an object's fields that never wait
//! ([`InlineFields`]) are polled once, where they stand, and written in the order they
//! were asked for; only the fields that wait (a DataLoader, say) are run as futures,
//! together, so that list items still load in one batch. What the object is asked
//! comes from the request's [plan](super::plan).
//!
//! The GraphQL type is unchanged: `Inline<T>` registers and names itself as `T`, and
//! every field still runs `T`'s own resolver; only the way they are driven differs. A
//! request that asks for the [`Reference`] answer is resolved by `T`'s (or `Vec<T>`'s)
//! own `OutputType::resolve`, as if `Inline` were not there, and so is an object the
//! plan can't say alone what is asked of (its key, or one above it, asked twice:
//! async-graphql resolves each occurrence on its own).

use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value,
};
use futures_util::FutureExt as _;
use futures_util::future::join_all;
use indexmap::IndexMap;
use indexmap::map::Entry;

use super::Reference;
use super::direct::{self, Json, Writer};
use super::plan::{self, Planned};

/// One entry of a type's field table: a field answered from what the value holds
/// alone, and how its answer is written as JSON.
pub struct Plain<T: ?Sized> {
    /// The field's GraphQL name.
    pub name: &'static str,
    /// Writes the field's answer for a value, as its resolver answers it.
    pub write: fn(&T, &mut Json),
}

impl<T: ?Sized> Plain<T> {
    pub const fn new(name: &'static str, write: fn(&T, &mut Json)) -> Self {
        Self { name, write }
    }
}

/// An object type whose fields that never wait are declared: the field table.
pub trait InlineFields: ContainerType + 'static {
    /// The fields answered from what the value holds alone, each declared once with
    /// how it is written as JSON: resolved in place, and written straight to JSON (a
    /// unit test checks that each entry writes what its resolver answers).
    const PLAIN: &'static [Plain<Self>] = &[];

    /// The (GraphQL) names of the other fields whose resolvers never wait: they read
    /// the request's data, or answer objects that are themselves resolved in place. A
    /// field left out is resolved as a future, so leaving one out is only slower;
    /// listing one that waits is a bug that debug builds report (release builds run it
    /// again as a future).
    const READY: &'static [&'static str] = &[];

    /// How to write the field `planned` (one of [`Self::READY`], or another) of one of
    /// these straight to JSON, for the selection of `ctx`; `None` when it can't be
    /// (the list is then resolved as usual).
    fn nested<'a>(
        _ctx: &ContextSelectionSet<'a>,
        _planned: &'a Planned<'a>,
    ) -> Option<Writer<'a, Self>>
    where
        Self: Sized,
    {
        None
    }

    /// Whether the field `name` never waits.
    fn is_ready(name: &str) -> bool {
        Self::PLAIN.iter().any(|plain| plain.name == name) || Self::READY.contains(&name)
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
        let Some(steps) = steps::<T>(ctx) else {
            return self.0.resolve(ctx, field).await;
        };
        let mut objects = resolve(&steps, [(ctx, &self.0)]).await;
        Ok(objects.pop().map_or(Value::Null, Object::finish))
    }
}

/// A list of `T` resolved as [`Inline`] items, what they are asked read once for all
/// of them (rather than once per item), or written straight to JSON: the same GraphQL
/// type as `Vec<T>`.
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
        if let Some(written) = direct::list(ctx, &self.0) {
            return Ok(written);
        }
        let Some(steps) = steps::<T>(ctx) else {
            return self.0.resolve(ctx, field).await;
        };
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

/// One occurrence of a field asked of the object.
enum Step<'a> {
    /// `__typename`.
    TypeName(&'a Positioned<Field>),
    /// A field that never waits ([`InlineFields::is_ready`]).
    Ready(&'a Positioned<Field>),
    /// Any other field: resolved as a future.
    Waits(&'a Positioned<Field>),
}

/// The steps of what a `T` is asked at `ctx`, from the request's plan; `None` when it
/// is to be resolved the ordinary way (see the module's doc).
fn steps<'a, T: InlineFields>(ctx: &ContextSelectionSet<'a>) -> Option<Vec<Step<'a>>> {
    if Reference::asked(ctx) {
        return None;
    }
    let selection = &plan::here(ctx)?.selection;
    if !selection.is_for(&T::type_name()) {
        return None;
    }
    let variables = &ctx.query_env.variables;
    let mut steps = Vec::with_capacity(selection.fields.len());
    for planned in selection.running(variables) {
        let name = planned.name.as_str();
        steps.extend(planned.running(variables).map(|field| {
            if name == "__typename" {
                Step::TypeName(field)
            } else if T::is_ready(name) {
                Step::Ready(field)
            } else {
                Step::Waits(field)
            }
        }));
    }
    Some(steps)
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
fn key(field: &Positioned<Field>) -> &Name {
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
    use std::sync::Arc;

    use async_graphql::{EmptyMutation, EmptySubscription, Schema};
    use chrono::{DateTime, TimeZone as _, Utc};
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::db::models;
    use crate::domain::kinds;
    use crate::graphql::plan::{Prepared, RequestPlan, Types};
    use crate::graphql::types::app::App;
    use crate::graphql::types::app_version::AppVersion;
    use crate::graphql::types::audit_event::AuditEvent;
    use crate::graphql::types::connection::Edge;
    use crate::graphql::types::data_source::DataSource;
    use crate::graphql::types::data_source_options::{DataSourceOption, DataSourceOptions};
    use crate::graphql::types::environment::Environment;
    use crate::graphql::types::promotion::{PromotionRequest, PromotionReview};
    use crate::graphql::types::release::{Release, ScheduledRelease};

    /// Every field a type declares as ready is one of its fields (a misspelt one would
    /// quietly be resolved as a future).
    fn declared_fields_exist<T: InlineFields>() {
        let mut registry = Registry::default();
        T::create_type_info(&mut registry);
        let ty = &registry.types[&*T::type_name()];
        let plain = T::PLAIN.iter().map(|plain| plain.name);
        for name in plain.chain(T::READY.iter().copied()) {
            assert!(
                ty.field_by_name(name).is_some(),
                "{}.{name}",
                T::type_name()
            );
        }
    }

    #[test]
    fn declared_fields_are_fields_of_their_types() {
        declared_fields_exist::<App>();
        declared_fields_exist::<AppVersion>();
        declared_fields_exist::<AuditEvent>();
        declared_fields_exist::<DataSource>();
        declared_fields_exist::<DataSourceOption>();
        declared_fields_exist::<DataSourceOptions>();
        declared_fields_exist::<Edge<DataSource>>();
        declared_fields_exist::<Environment>();
        declared_fields_exist::<PromotionRequest>();
        declared_fields_exist::<PromotionReview>();
        declared_fields_exist::<Release>();
        declared_fields_exist::<ScheduledRelease>();
    }

    /// A time with nanoseconds, as PostgreSQL gives microseconds.
    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 123_456_000).unwrap()
    }

    /// A name that needs escaping in JSON.
    const AWKWARD: &str = "Ünïcode \"quoted\" \\ back\nline \u{1}";

    fn data_source() -> DataSource {
        DataSource(models::DataSource {
            id: Uuid::from_u128(1),
            workspace_id: Uuid::from_u128(2),
            name: AWKWARD.to_owned(),
            kind: "postgresql".to_owned(),
            created_at: at(1_700_000_000),
            updated_at: at(1_700_000_001),
        })
    }

    /// Saved options (`saved`), or an environment's never saved.
    fn options(saved: bool) -> DataSourceOptions {
        let row = models::DataSourceOptions {
            workspace_id: Uuid::from_u128(2),
            data_source_id: Uuid::from_u128(1),
            environment_id: Uuid::from_u128(3),
            values: if saved {
                json!({ "host": AWKWARD, "port": 5432, "database": null, "ssl_mode": "require" })
            } else {
                json!({})
            },
            secrets: if saved {
                json!({ "password": "sealed" })
            } else {
                json!({})
            },
            revision: if saved { 7 } else { 0 },
            updated_at: saved.then(|| at(1_700_000_002)),
            updated_by: saved.then(|| AWKWARD.to_owned()),
            references: json!({}),
        };
        DataSourceOptions {
            kind: kinds::find("postgresql").unwrap(),
            row: Arc::new(row),
        }
    }

    fn environment() -> Environment {
        Environment(models::Environment {
            id: Uuid::from_u128(3),
            workspace_id: Uuid::from_u128(2),
            name: AWKWARD.to_owned(),
            kind: "staging".to_owned(),
            priority: 2,
            is_default: false,
            locked: true,
            created_at: at(1_700_000_003),
            updated_at: at(1_700_000_004),
            protected: true,
            access: models::AccessRules(Vec::new()),
            required_approvals: 1,
        })
    }

    fn app() -> App {
        App(models::App {
            id: Uuid::from_u128(4),
            workspace_id: Uuid::from_u128(2),
            name: AWKWARD.to_owned(),
            created_at: at(1_700_000_005),
            updated_at: at(1_700_000_006),
        })
    }

    fn edge() -> Edge<DataSource> {
        Edge {
            cursor: AWKWARD.to_owned(),
            node: Inline(data_source()),
        }
    }

    /// Each value of the tables, answered by its type's own resolvers.
    struct Values;

    #[async_graphql::Object]
    impl Values {
        async fn data_source(&self) -> DataSource {
            data_source()
        }

        async fn options(&self, saved: bool) -> DataSourceOptions {
            options(saved)
        }

        async fn option(&self, saved: bool, index: usize) -> DataSourceOption {
            options(saved).each_option().nth(index).unwrap()
        }

        async fn environment(&self) -> Environment {
            environment()
        }

        async fn app(&self) -> App {
            app()
        }

        async fn edge(&self) -> Edge<DataSource> {
            edge()
        }
    }

    /// Each entry of `T`'s field table writes, byte for byte, what `T`'s resolver
    /// answers for `value` (the root field `root` answers it).
    async fn table_answers_as_resolvers<T: InlineFields>(root: &str, value: &T) {
        let schema = Schema::new(Values, EmptyMutation, EmptySubscription);
        let names: Vec<_> = T::PLAIN.iter().map(|plain| plain.name).collect();
        let (field, arguments) = root.split_once('(').map_or((root, ""), |(f, a)| (f, a));
        let arguments = if arguments.is_empty() {
            String::new()
        } else {
            format!("({arguments}")
        };
        let query = format!("{{ {field}{arguments} {{ {} }} }}", names.join(" "));
        let response = schema.execute(query).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let answer = response.data.into_json().unwrap();
        assert!(!T::PLAIN.is_empty());
        for plain in T::PLAIN {
            let mut json = Json::with_capacity(64);
            (plain.write)(value, &mut json);
            let written = String::from_utf8(json.into_kept_bytes().to_vec()).unwrap();
            let resolved = serde_json::to_string(&answer[field][plain.name]).unwrap();
            assert_eq!(written, resolved, "{}.{}", T::type_name(), plain.name);
        }
    }

    #[tokio::test]
    async fn every_field_table_entry_writes_what_its_resolver_answers() {
        table_answers_as_resolvers("dataSource", &data_source()).await;
        for saved in [true, false] {
            table_answers_as_resolvers(&format!("options(saved: {saved})"), &options(saved)).await;
            for (index, option) in options(saved).each_option().enumerate() {
                let root = format!("option(saved: {saved}, index: {index})");
                table_answers_as_resolvers(&root, &option).await;
            }
        }
        table_answers_as_resolvers("environment", &environment()).await;
        table_answers_as_resolvers("app", &app()).await;
        table_answers_as_resolvers("edge", &edge()).await;
    }

    /// An object that declares a field that waits as ready: polled in place, it trips
    /// the debug assertion; resolved the ordinary way, it just answers.
    struct Lying;

    #[async_graphql::Object]
    impl Lying {
        async fn waits(&self) -> i32 {
            tokio::task::yield_now().await;
            1
        }
    }

    impl InlineFields for Lying {
        const READY: &'static [&'static str] = &["waits"];
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

    const QUERY: &str = "{ one { waits } many { waits } }";

    /// Runs `QUERY` with its plan, as the envgate schema runs a request.
    async fn run(request: async_graphql::Request) -> async_graphql::Response {
        let schema = Schema::new(Root, EmptyMutation, EmptySubscription);
        let types = Types::of::<Root, EmptyMutation, EmptySubscription>();
        let document = async_graphql::parser::parse_query(QUERY).unwrap();
        let prepared = Arc::new(Prepared::compile(document, &types));
        let plan = RequestPlan::new(&prepared, None).unwrap();
        schema.execute(request.data(plan)).await
    }

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
    async fn without_the_reference_marker_ready_fields_are_polled_in_place() {
        run(async_graphql::Request::new(QUERY)).await;
    }
}
