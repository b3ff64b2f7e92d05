//! The one cursor connection every list uses (`DataSourceConnection`,
//! `AppConnection`, ...): edges with cursors, the nodes alone, and where the page sits.

use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, OutputType, Positioned, ServerResult,
    SimpleObject, Value, Variables,
};

use crate::domain::pagination::{self, Page};
use crate::graphql::direct;
use crate::graphql::inline::{Inline, InlineFields, InlineList, Plain};
use crate::graphql::plan::{self, Planned, Selection};
use crate::graphql::types::app::App;
use crate::graphql::types::audit_event::AuditEvent;
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::promotion::PromotionRequest;
use crate::graphql::types::release::Release;

/// Where a page sits in the whole list.
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    /// Whether another page follows: pass `endCursor` as `after` to get it.
    pub has_next_page: bool,
    /// Whether this page started after a cursor.
    pub has_previous_page: bool,
    /// The cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// The cursor of the last item of the page.
    pub end_cursor: Option<String>,
}

/// One page of a list, in the list's order.
#[derive(SimpleObject)]
#[graphql(
    concrete(name = "DataSourceConnection", params(DataSource)),
    concrete(name = "AppConnection", params(App)),
    concrete(name = "AuditEventConnection", params(AuditEvent)),
    concrete(name = "PromotionRequestConnection", params(PromotionRequest)),
    concrete(name = "ReleaseConnection", params(Release))
)]
pub struct Connection<T: InlineFields + Clone>
where
    Edge<T>: ContainerType,
{
    /// The items with their cursors.
    pub edges: EdgeList<T>,
    /// The items alone.
    pub nodes: InlineList<T>,
    /// Where this page sits in the whole list.
    pub page_info: PageInfo,
}

/// An item of a page with its cursor.
#[derive(SimpleObject)]
#[graphql(
    concrete(name = "DataSourceEdge", params(DataSource)),
    concrete(name = "AppEdge", params(App)),
    concrete(name = "AuditEventEdge", params(AuditEvent)),
    concrete(name = "PromotionRequestEdge", params(PromotionRequest)),
    concrete(name = "ReleaseEdge", params(Release))
)]
pub struct Edge<T: InlineFields> {
    /// Pass as `after` to get the items that follow this one.
    pub cursor: String,
    /// The item.
    pub node: Inline<T>,
}

impl<T: InlineFields + Clone> Connection<T>
where
    Edge<T>: ContainerType,
{
    /// The GraphQL page of a domain page, each row wrapped by `node`.
    pub fn from_page<R>(page: Page<R>, node: impl Fn(R) -> T) -> Self {
        Self::try_from_page(page, |r| Ok::<_, std::convert::Infallible>(node(r)))
            .unwrap_or_else(|never| match never {})
    }

    /// [`Self::from_page`] with a conversion that may fail.
    pub fn try_from_page<R, E>(page: Page<R>, node: impl Fn(R) -> Result<T, E>) -> Result<Self, E> {
        let page_info = PageInfo {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|(c, _)| c.clone()),
            end_cursor: page.items.last().map(|(c, _)| c.clone()),
        };
        let edges = page
            .items
            .into_iter()
            .map(|(cursor, row)| {
                Ok(Edge {
                    cursor,
                    node: Inline(node(row)?),
                })
            })
            .collect::<Result<Vec<_>, E>>()?;
        Ok(Self {
            nodes: edges.iter().map(|e| e.node.0.clone()).collect(),
            edges: EdgeList(edges),
            page_info,
        })
    }
}

/// The edges of a page: the same GraphQL type as `Vec<Edge<T>>`, written straight to
/// JSON (see [`direct`]) when `T` can be and the selection is plain.
pub struct EdgeList<T: InlineFields>(pub Vec<Edge<T>>);

impl<T: InlineFields> OutputType for EdgeList<T>
where
    Edge<T>: ContainerType,
{
    fn type_name() -> Cow<'static, str> {
        Vec::<Edge<T>>::type_name()
    }

    fn qualified_type_name() -> String {
        Vec::<Edge<T>>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Vec::<Edge<T>>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if let Some(written) = direct::list(ctx, &self.0) {
            return Ok(written);
        }
        self.0.resolve(ctx, field).await
    }
}

impl<T: InlineFields> InlineFields for Edge<T>
where
    Edge<T>: ContainerType,
{
    const PLAIN: &'static [Plain<Self>] =
        &[Plain::new("cursor", |edge, json| json.str(&edge.cursor))];

    /// `node`, as `T` writes it.
    fn nested<'a>(
        ctx: &ContextSelectionSet<'a>,
        planned: &'a Planned<'a>,
    ) -> Option<direct::Writer<'a, Self>> {
        if planned.name.as_str() != "node" {
            return None;
        }
        let write = direct::writer::<T>(ctx, &planned.selection)?;
        Some(Box::new(move |edge, json| write(&edge.node.0, json)))
    }
}

/// What a page costs against the query complexity limit: its fields once per item it
/// can hold.
pub fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let items = usize::try_from(pagination::capacity(first)).unwrap_or(0);
    items.max(1) * child_complexity
}

/// What the nodes of a connection field are asked (through `nodes` and `edges.node`),
/// from the request's plan: what to load for the whole page up front.
pub struct NodesAsk<'a> {
    nodes: Vec<&'a Selection<'a>>,
    variables: &'a Variables,
}

impl<'a> NodesAsk<'a> {
    /// What the nodes of the connection field of `ctx` are asked; nothing without a
    /// plan.
    pub fn of(ctx: &Context<'a>) -> Self {
        let variables = &ctx.query_env.variables;
        let mut nodes = Vec::new();
        if let Some(connection) = plan::asked(ctx) {
            nodes.extend(connection.named("nodes", variables).map(|n| &n.selection));
            for edges in connection.named("edges", variables) {
                let node = edges.selection.named("node", variables);
                nodes.extend(node.map(|n| &n.selection));
            }
        }
        Self { nodes, variables }
    }

    /// The fields `name` the nodes are asked, under any alias.
    pub fn named(&self, name: &'a str) -> impl Iterator<Item = &'a Planned<'a>> + '_ {
        self.nodes
            .iter()
            .flat_map(move |node| node.named(name, self.variables))
    }

    /// The variables of the request.
    pub fn variables(&self) -> &'a Variables {
        self.variables
    }

    /// Whether the nodes are asked any of `names`.
    pub fn any(&self, names: &[&str]) -> bool {
        self.nodes
            .iter()
            .any(|node| names.iter().any(|name| node.asks(name, self.variables)))
    }

    /// The value of the argument `argument` of every field `name` the nodes are asked,
    /// variables resolved (`None` where it is not given).
    pub fn arguments(&self, name: &'a str, argument: &str) -> Vec<Option<Value>> {
        self.named(name)
            .map(|planned| planned.argument(argument, self.variables))
            .collect()
    }

    /// The page arguments (`first`, `after`) of every field `name` the nodes are asked:
    /// what to load for the whole page up front. An argument that is not what it should
    /// be reads as absent (the field itself answers the error).
    pub fn page_arguments(&self, name: &'a str) -> Vec<(Option<i32>, Option<String>)> {
        self.named(name)
            .map(|planned| {
                let first = match planned.argument("first", self.variables) {
                    Some(Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
                    _ => None,
                };
                let after = match planned.argument("after", self.variables) {
                    Some(Value::String(after)) => Some(after),
                    _ => None,
                };
                (first, after)
            })
            .collect()
    }
}
