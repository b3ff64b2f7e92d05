//! The one cursor connection every list uses (`DataSourceConnection`,
//! `AppConnection`, ...): edges with cursors, the nodes alone, and where the page sits.

use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContextSelectionSet, OutputType, Positioned, ServerResult, SimpleObject, Value,
};

use crate::graphql::direct;

use crate::domain::pagination::{self, Page};
use crate::graphql::inline::{Inline, InlineFields, InlineList};
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
    Edge<T>: OutputType,
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
    Edge<T>: OutputType,
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
    Edge<T>: OutputType,
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
        if let Some(written) = direct::list(ctx, &self.0, edge_writer::<T>) {
            return Ok(written);
        }
        self.0.resolve(ctx, field).await
    }
}

/// A field of an edge that can be written straight to JSON.
enum WrittenEdgeField<'a, T> {
    TypeName,
    Cursor,
    /// `node`, with how its selection writes the node.
    Node(direct::Writer<'a, T>),
}

/// How to write an edge for the selection of `ctx`: its cursor, and its node as `T`
/// writes it.
fn edge_writer<'a, T: InlineFields + 'a>(
    ctx: &ContextSelectionSet<'a>,
) -> Option<direct::Writer<'a, Edge<T>>>
where
    Edge<T>: OutputType,
{
    let type_name = Edge::<T>::type_name();
    let fields = direct::compile(ctx, &type_name, &ctx.item.node, |field| {
        Some(match field.node.name.node.as_str() {
            "__typename" => WrittenEdgeField::TypeName,
            "cursor" => WrittenEdgeField::Cursor,
            "node" => WrittenEdgeField::Node(T::writer(
                &ctx.with_selection_set(&field.node.selection_set),
            )?),
            _ => return None,
        })
    })?;
    Some(Box::new(move |edge, json| {
        json.object(&fields, |json, field| {
            match field {
                WrittenEdgeField::TypeName => json.str(&type_name),
                WrittenEdgeField::Cursor => json.str(&edge.cursor),
                WrittenEdgeField::Node(write) => return write(&edge.node.0, json),
            }
            Some(())
        })
    }))
}

/// What a page costs against the query complexity limit: its fields once per item it
/// can hold.
pub fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let items = usize::try_from(pagination::capacity(first)).unwrap_or(0);
    items.max(1) * child_complexity
}

/// The nodes of a connection field's selection: through `nodes` and `edges.node`.
pub fn nodes<'a>(look_ahead: &async_graphql::Lookahead<'a>) -> [async_graphql::Lookahead<'a>; 2] {
    [
        look_ahead.field("nodes"),
        look_ahead.field("edges").field("node"),
    ]
}

/// The page arguments (`first`, `after`) of each `field` the nodes of a connection
/// field select (through `nodes` or `edges.node`), variables resolved: what to load for
/// the whole page up front. An argument that is not what it should be reads as absent
/// (the field itself answers the error).
pub fn nodes_page_arguments(
    look_ahead: &async_graphql::Lookahead<'_>,
    field: &str,
) -> Vec<(Option<i32>, Option<String>)> {
    nodes(look_ahead)
        .iter()
        .flat_map(|node| node.field(field).selection_fields())
        .filter_map(|selected| selected.arguments().ok())
        .map(|arguments| {
            let mut page = (None, None);
            for (name, value) in arguments {
                match (name.as_str(), value) {
                    ("first", Value::Number(n)) => {
                        page.0 = n.as_i64().and_then(|n| i32::try_from(n).ok());
                    }
                    ("after", Value::String(after)) => page.1 = Some(after),
                    _ => {}
                }
            }
            page
        })
        .collect()
}

/// Whether the selection of a connection field asks any of `fields` of its nodes
/// (through `nodes` or `edges.node`): what to load for the whole page up front.
pub fn nodes_ask(look_ahead: &async_graphql::Lookahead<'_>, fields: &[&str]) -> bool {
    nodes(look_ahead)
        .iter()
        .any(|node| fields.iter().any(|f| node.field(f).exists()))
}
