//! The plan of a parsed document: what each of its operations asks, made once per
//! document and kept next to it (see [`super::documents`]). Every part of the server
//! that needs to know what a request asks reads it, and nothing walks the document
//! again: the operation a request runs ([`Plan::operation`], the one rule), the field
//! order of the response ([`Selection::reorder`]), the objects resolved with their
//! fields in place ([`super::inline`]), the lists written straight to JSON
//! ([`super::direct`]), what a page loads up front (`query.rs`), and whether an answer
//! may be kept ([`super::cache`]).
//!
//! A [`Selection`] is the spec's collected fields: fragments flattened where their type
//! condition applies to the object type it was made for, fields merged by response key
//! (each [`Planned`] key keeps every occurrence, the selections under them merged), in
//! the order first asked. `@skip` and `@include` stay conditions on the occurrences
//! (their fragments' and parents' included), evaluated against each request's
//! variables as async-graphql evaluates them, so one plan serves every request of its
//! document.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, OperationDefinition, OperationType, Selection as Item,
    SelectionSet,
};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{
    ContextBase, Name, ObjectType, Positioned, QueryPathNode, QueryPathSegment, SubscriptionType,
    Value, Variables,
};
use indexmap::IndexMap;

use super::limits::MAX_RECURSION;

/// What a plan needs of the schema: the type of each field of each object type, and
/// which types an abstract type stands for.
pub struct Types {
    /// Object type → field name → the named type of its value.
    fields: HashMap<String, HashMap<String, String>>,
    /// Object type → the interfaces and unions it belongs to.
    belongs_to: HashMap<String, HashSet<String>>,
    /// The root types.
    query: String,
    mutation: String,
    subscription: String,
}

impl Types {
    /// The types of the schema with these roots.
    pub fn of<Q: ObjectType, M: ObjectType, S: SubscriptionType>() -> Self {
        let mut registry = Registry::default();
        let root = |name: String| MetaTypeName::concrete_typename(&name).to_owned();
        let query = root(Q::create_type_info(&mut registry));
        let mutation = root(M::create_type_info(&mut registry));
        let subscription = root(S::create_type_info(&mut registry));
        let mut fields = HashMap::new();
        let mut belongs_to: HashMap<String, HashSet<String>> = HashMap::new();
        for (name, ty) in &registry.types {
            if let Some(possible) = ty.possible_types() {
                for member in possible {
                    belongs_to
                        .entry(member.clone())
                        .or_default()
                        .insert(name.clone());
                }
            } else if !ty.is_abstract()
                && let Some(of) = ty.fields()
            {
                let of = of
                    .iter()
                    .map(|(field, meta)| {
                        let named = MetaTypeName::concrete_typename(&meta.ty).to_owned();
                        (field.clone(), named)
                    })
                    .collect();
                fields.insert(name.clone(), of);
            }
        }
        for (name, interfaces) in registry.implements {
            belongs_to.entry(name).or_default().extend(interfaces);
        }
        Self {
            fields,
            belongs_to,
            query,
            mutation,
            subscription,
        }
    }

    /// The object type `name` names, if it is one.
    fn object(&self, name: &str) -> Option<&str> {
        self.fields
            .get_key_value(name)
            .map(|(name, _)| name.as_str())
    }

    /// The named type of `field` of the object type `ty`, when it is an object type
    /// (`None` for a leaf, an abstract type, or a field the schema does not know).
    fn object_field(&self, ty: &str, field: &str) -> Option<&str> {
        self.object(self.fields.get(ty)?.get(field)?)
    }

    /// Whether a fragment on `condition` applies to an object of type `ty`.
    fn applies(&self, ty: &str, condition: &str) -> bool {
        ty == condition
            || self
                .belongs_to
                .get(ty)
                .is_some_and(|groups| groups.contains(condition))
    }
}

self_cell::self_cell!(
    /// A parsed document with its plan.
    pub struct Prepared {
        owner: ExecutableDocument,
        #[covariant]
        dependent: Plan,
    }
);

impl Prepared {
    /// `document` with its plan, made against `types`.
    pub fn compile(document: ExecutableDocument, types: &Types) -> Self {
        Self::new(document, |document| Plan::of(document, types))
    }

    /// The document as parsed.
    pub fn document(&self) -> &ExecutableDocument {
        self.borrow_owner()
    }

    /// Its plan.
    pub fn plan(&self) -> &Plan<'_> {
        self.borrow_dependent()
    }
}

/// What every operation of a document asks.
pub struct Plan<'d> {
    operations: Vec<Operation<'d>>,
}

/// One operation of a document, and what it asks.
pub struct Operation<'d> {
    /// Its name; `None` for an anonymous one.
    pub name: Option<&'d Name>,
    pub definition: &'d Positioned<OperationDefinition>,
    /// What it asks of its root type.
    pub root: Selection<'d>,
}

impl Operation<'_> {
    /// A query, a mutation or a subscription.
    pub fn ty(&self) -> OperationType {
        self.definition.node.ty
    }
}

/// The collected fields of a selection on one object type.
pub struct Selection<'d> {
    /// In the order first asked, one per response key.
    pub fields: Vec<Planned<'d>>,
    /// The object type the selection was collected for; `None` when it is not known
    /// (under an abstract type, or a field the schema does not declare, such as
    /// introspection's): every fragment was then taken, and only the field order
    /// reads it.
    pub ty: Option<Name>,
}

/// One response key of a selection.
pub struct Planned<'d> {
    pub key: &'d Name,
    /// The field's name (the same in every occurrence of a valid document).
    pub name: &'d Name,
    /// Where the key is asked, in document order.
    occurrences: Vec<Occurrence<'d>>,
    /// What its occurrences select, merged.
    pub selection: Selection<'d>,
}

/// One place a key is asked, with what decides whether it runs.
struct Occurrence<'d> {
    field: &'d Positioned<Field>,
    conditions: Vec<Condition<'d>>,
}

/// An `@skip(if:)` or `@include(if:)` on a field, on a fragment holding it, or on a
/// field above it in the same key.
#[derive(Clone, Copy)]
struct Condition<'d> {
    include: bool,
    directive: &'d Directive,
}

impl<'d> Plan<'d> {
    /// The plan of `document`.
    pub fn of(document: &'d ExecutableDocument, types: &Types) -> Self {
        let operations = document
            .operations
            .iter()
            .map(|(name, definition)| {
                let root = match definition.node.ty {
                    OperationType::Query => &types.query,
                    OperationType::Mutation => &types.mutation,
                    OperationType::Subscription => &types.subscription,
                };
                let collector = Collector { document, types };
                let set = &definition.node.selection_set.node;
                Operation {
                    name,
                    definition,
                    root: collector.selection(&[(set, Vec::new())], types.object(root), 0),
                }
            })
            .collect();
        Self { operations }
    }

    /// The operation a request naming `operation_name` runs, by async-graphql's rule:
    /// the one of that name; without a name, the document's only operation.
    pub fn operation(&self, operation_name: Option<&str>) -> Option<&Operation<'d>> {
        match operation_name {
            Some(wanted) => self
                .operations
                .iter()
                .find(|operation| operation.name.is_some_and(|name| name.as_str() == wanted)),
            None => match self.operations.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        }
    }
}

/// Collects selections against the document's fragments and the schema's types.
struct Collector<'d, 't> {
    document: &'d ExecutableDocument,
    types: &'t Types,
}

impl<'d> Collector<'d, '_> {
    /// The collected fields of `sets` (each with the conditions it is asked under) on
    /// the object type `ty`. `depth` counts fields and fragments entered: past
    /// [`MAX_RECURSION`] (a document the limits refuse), nothing more is collected.
    fn selection(
        &self,
        sets: &[(&'d SelectionSet, Vec<Condition<'d>>)],
        ty: Option<&str>,
        depth: usize,
    ) -> Selection<'d> {
        let mut keys: IndexMap<&'d Name, Vec<Occurrence<'d>>> = IndexMap::new();
        for (set, conditions) in sets {
            self.collect(set, ty, conditions, depth, &mut keys);
        }
        let fields = keys
            .into_iter()
            .map(|(key, occurrences)| {
                let name = &occurrences[0].field.node.name.node;
                let child = ty.and_then(|ty| self.types.object_field(ty, name));
                let sets: Vec<_> = occurrences
                    .iter()
                    .map(|o| (&o.field.node.selection_set.node, o.conditions.clone()))
                    .collect();
                Planned {
                    key,
                    name,
                    selection: self.selection(&sets, child, depth + 1),
                    occurrences,
                }
            })
            .collect();
        Selection {
            fields,
            ty: ty.map(Name::new),
        }
    }

    fn collect(
        &self,
        set: &'d SelectionSet,
        ty: Option<&str>,
        conditions: &[Condition<'d>],
        depth: usize,
        keys: &mut IndexMap<&'d Name, Vec<Occurrence<'d>>>,
    ) {
        if depth > MAX_RECURSION {
            return;
        }
        for selection in &set.items {
            let mut conditions = conditions.to_vec();
            conditions.extend(selection.node.directives().iter().filter_map(|directive| {
                let include = match directive.node.name.node.as_str() {
                    "skip" => false,
                    "include" => true,
                    _ => return None,
                };
                Some(Condition {
                    include,
                    directive: &directive.node,
                })
            }));
            let (condition, inner) = match &selection.node {
                Item::Field(field) => {
                    let key = &field.node.response_key().node;
                    keys.entry(key)
                        .or_default()
                        .push(Occurrence { field, conditions });
                    continue;
                }
                Item::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    let fragment = &fragment.node;
                    (
                        Some(&fragment.type_condition.node.on.node),
                        &fragment.selection_set,
                    )
                }
                Item::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let condition = fragment.type_condition.as_ref();
                    (condition.map(|c| &c.node.on.node), &fragment.selection_set)
                }
            };
            let applies = match (ty, condition) {
                (Some(ty), Some(condition)) => self.types.applies(ty, condition),
                _ => true,
            };
            if applies {
                self.collect(&inner.node, ty, &conditions, depth + 1, keys);
            }
        }
    }
}

impl Condition<'_> {
    /// Whether the field runs as far as this condition goes, as async-graphql decides
    /// it: a variable that is absent or not a boolean reads as false.
    fn holds(&self, variables: &Variables) -> bool {
        let value = self.directive.get_argument("if").is_some_and(|written| {
            let value = written
                .node
                .clone()
                .into_const_with(|name| variables.get(&name).cloned().ok_or(()));
            matches!(value, Ok(Value::Boolean(true)))
        });
        value == self.include
    }
}

impl<'d> Planned<'d> {
    /// The occurrences that run for a request with `variables`.
    pub fn running<'p>(
        &'p self,
        variables: &'p Variables,
    ) -> impl Iterator<Item = &'d Positioned<Field>> + 'p {
        self.occurrences
            .iter()
            .filter(move |o| o.conditions.iter().all(|c| c.holds(variables)))
            .map(|o| o.field)
    }

    /// The occurrence that runs first, if any does.
    pub fn first(&self, variables: &Variables) -> Option<&'d Positioned<Field>> {
        self.running(variables).next()
    }

    /// The one occurrence that runs, when exactly one does.
    fn only(&self, variables: &Variables) -> Option<&'d Positioned<Field>> {
        let mut running = self.running(variables);
        let only = running.next()?;
        running.next().is_none().then_some(only)
    }

    /// The value of the argument `name` of its first running occurrence, variables
    /// resolved; `None` when it is not given (or names no variable given).
    pub fn argument(&self, name: &str, variables: &Variables) -> Option<Value> {
        let written = self.first(variables)?.node.get_argument(name)?;
        written
            .node
            .clone()
            .into_const_with(|variable| variables.get(&variable).cloned().ok_or(()))
            .ok()
    }
}

impl<'d> Selection<'d> {
    /// The keys that run for a request with `variables`, in order.
    pub fn running<'p>(
        &'p self,
        variables: &'p Variables,
    ) -> impl Iterator<Item = &'p Planned<'d>> + 'p {
        self.fields
            .iter()
            .filter(move |planned| planned.first(variables).is_some())
    }

    /// The running keys asking for the field `name` (under any alias).
    pub fn named<'p>(
        &'p self,
        name: &'p str,
        variables: &'p Variables,
    ) -> impl Iterator<Item = &'p Planned<'d>> + 'p {
        self.running(variables)
            .filter(move |planned| planned.name.as_str() == name)
    }

    /// Whether a running key asks for the field `name`.
    pub fn asks(&self, name: &str, variables: &Variables) -> bool {
        self.named(name, variables).next().is_some()
    }

    /// Whether any running key asks for one of `names`, at any depth.
    pub fn asks_any(&self, names: &[&str], variables: &Variables) -> bool {
        self.running(variables).any(|planned| {
            names.contains(&planned.name.as_str()) || planned.selection.asks_any(names, variables)
        })
    }

    /// Whether this was collected for the object type `ty`.
    pub fn is_for(&self, ty: &str) -> bool {
        self.ty.as_ref().is_some_and(|t| t.as_str() == ty)
    }

    /// Puts every object of `value` (this selection's answer, or a list of them) and
    /// everything under it in the order its fields were asked, as the spec requires:
    /// async-graphql resolves a selection's fields concurrently and records them in the
    /// order they finish. Objects already in order are left as they are; leaves
    /// (scalars, JSON values) are not visited.
    pub fn reorder(&self, value: &mut Value) {
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
                    if let Some(planned) = self.fields.get(position) {
                        planned.selection.reorder(child);
                        hint = position + 1;
                    }
                }
            }
            Value::List(items) => items.iter_mut().for_each(|item| self.reorder(item)),
            _ => {}
        }
    }

    /// Where `key` comes, looked for from `hint` on (the common case: the key after
    /// the previous one); keys not asked go last.
    fn position(&self, key: &Name, hint: usize) -> usize {
        let at = |range: std::ops::Range<usize>| {
            range
                .into_iter()
                .find(|&i| self.fields.get(i).is_some_and(|f| f.key == key))
        };
        at(hint..self.fields.len())
            .or_else(|| at(0..hint.min(self.fields.len())))
            .unwrap_or(usize::MAX)
    }
}

/// In a request's data: the plan of the document it runs, and which operation.
#[derive(Clone)]
pub struct RequestPlan {
    prepared: Arc<Prepared>,
    operation: usize,
}

impl RequestPlan {
    /// The plan of `prepared` for a request naming `operation_name`; `None` when it
    /// names no operation of the document (the request then fails before it runs).
    pub fn new(prepared: &Arc<Prepared>, operation_name: Option<&str>) -> Option<Self> {
        let plan = prepared.plan();
        let wanted = plan.operation(operation_name)?;
        let operation = plan
            .operations
            .iter()
            .position(|o| std::ptr::eq(o, wanted))?;
        Some(Self {
            prepared: Arc::clone(prepared),
            operation,
        })
    }

    /// The operation the request runs.
    pub fn operation(&self) -> &Operation<'_> {
        &self.prepared.plan().operations[self.operation]
    }
}

/// The key the field of `ctx` answers (`ctx` resolving it, or the selection under
/// it: a list item's included), with every key above it, asked in exactly one place
/// where they run, so that what is planned under it is what async-graphql would
/// resolve there (a key asked twice is resolved once per occurrence). `None` without
/// a plan (a request that did not come through [`super::EnvgateSchema`]).
pub fn here<'a, T>(ctx: &ContextBase<'a, T>) -> Option<&'a Planned<'a>> {
    locate(ctx, true)
}

/// What the field of `ctx` asks, its occurrences merged (as a look-ahead: what to
/// load up front); `None` without a plan.
pub fn asked<'a, T>(ctx: &ContextBase<'a, T>) -> Option<&'a Selection<'a>> {
    locate(ctx, false).map(|planned| &planned.selection)
}

/// The key of the field of `ctx` in the request's plan (see [`find`]).
fn locate<'a, T>(ctx: &ContextBase<'a, T>, single: bool) -> Option<&'a Planned<'a>> {
    let plan = ctx.data_opt::<RequestPlan>()?;
    let variables = &ctx.query_env.variables;
    find(
        &plan.operation().root,
        ctx.path_node.as_ref()?,
        variables,
        single,
    )
}

/// The key at `path` under `root`; with `single`, only when every key on the way is
/// asked in one running place.
fn find<'p, 'd>(
    root: &'p Selection<'d>,
    path: &QueryPathNode<'_>,
    variables: &Variables,
    single: bool,
) -> Option<&'p Planned<'d>> {
    match path.segment {
        QueryPathSegment::Index(_) => find(root, path.parent?, variables, single),
        QueryPathSegment::Name(key) => {
            let selection = match path.parent {
                None => root,
                Some(parent) => &find(root, parent, variables, single)?.selection,
            };
            let planned = selection.fields.iter().find(|f| f.key.as_str() == key)?;
            if single {
                planned.only(variables)?;
            }
            Some(planned)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{EmptyMutation, EmptySubscription, Object, SimpleObject, value};

    #[derive(SimpleObject)]
    struct Item {
        id: i32,
        name: String,
        child: Option<Box<Item>>,
    }

    struct Root;

    #[Object]
    impl Root {
        async fn items(&self) -> Vec<Item> {
            Vec::new()
        }

        async fn count(&self) -> i32 {
            0
        }
    }

    fn prepared(query: &str) -> Prepared {
        let types = Types::of::<Root, EmptyMutation, EmptySubscription>();
        Prepared::compile(async_graphql::parser::parse_query(query).unwrap(), &types)
    }

    /// The keys of a selection, each with the keys under it.
    fn shape(selection: &Selection<'_>, variables: &Variables) -> String {
        selection
            .running(variables)
            .map(|planned| {
                let under = shape(&planned.selection, variables);
                if under.is_empty() {
                    planned.key.to_string()
                } else {
                    format!("{}{{{under}}}", planned.key)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn root_shape(query: &str, variables: serde_json::Value) -> String {
        let prepared = prepared(query);
        let variables = Variables::from_json(variables);
        let operation = prepared.plan().operation(None).unwrap();
        shape(&operation.root, &variables)
    }

    #[test]
    fn fields_merge_by_response_key_in_the_order_first_asked_fragments_flattened() {
        let query = "{ items { id ...F } count items { child { id } name } }
            fragment F on Item { name child { name } }";
        assert_eq!(
            root_shape(query, serde_json::json!({})),
            "items{id name child{name id}} count"
        );
        // Aliases are keys of their own.
        assert_eq!(
            root_shape(
                "{ a: items { id } b: items { name } }",
                serde_json::json!({})
            ),
            "a{id} b{name}"
        );
    }

    #[test]
    fn fragments_apply_by_their_type_condition() {
        let query = "{ items { ... on Item { id } ... on Root { count } } }";
        assert_eq!(root_shape(query, serde_json::json!({})), "items{id}");
    }

    #[test]
    fn skip_and_include_are_conditions_on_the_variables_of_each_request() {
        let query = "query($a: Boolean!, $b: Boolean) {
            items { id @skip(if: $a) ... @include(if: $b) { name } }
            count @include(if: true) }";
        assert_eq!(
            root_shape(query, serde_json::json!({ "a": false, "b": true })),
            "items{id name} count"
        );
        // An absent variable reads as false, as async-graphql reads it.
        assert_eq!(
            root_shape(query, serde_json::json!({ "a": true })),
            "items count"
        );
        // A key's selection holds what its running occurrences ask.
        let query = "query($on: Boolean!) { items { id } items @include(if: $on) { name } }";
        assert_eq!(
            root_shape(query, serde_json::json!({ "on": true })),
            "items{id name}"
        );
        assert_eq!(
            root_shape(query, serde_json::json!({ "on": false })),
            "items{id}"
        );
    }

    #[test]
    fn the_operation_is_chosen_by_one_rule() {
        let prepared = prepared("query A { count } mutation B { count }");
        let plan = prepared.plan();
        assert_eq!(
            plan.operation(Some("B")).unwrap().ty(),
            OperationType::Mutation
        );
        assert!(plan.operation(None).is_none(), "two operations need a name");
        assert!(plan.operation(Some("C")).is_none());
        let prepared = self::prepared("query A { count }");
        assert!(prepared.plan().operation(None).is_some(), "the only one");
        let prepared = self::prepared("{ count }");
        assert!(prepared.plan().operation(Some("A")).is_none());
    }

    #[test]
    fn a_fragment_cycle_is_planned_without_looping() {
        let prepared = prepared("{ ...A } fragment A on Root { count ...A }");
        let operation = prepared.plan().operation(None).unwrap();
        assert_eq!(shape(&operation.root, &Variables::default()), "count");
    }

    #[test]
    fn an_answer_is_put_in_the_order_asked() {
        let prepared = prepared("{ count items { name id } }");
        let operation = prepared.plan().operation(None).unwrap();
        let mut data = value!({ "items": [{ "id": 1, "name": "a" }], "count": 1 });
        operation.root.reorder(&mut data);
        let json = serde_json::to_string(&data).unwrap();
        assert_eq!(json, r#"{"count":1,"items":[{"name":"a","id":1}]}"#);
    }
}
