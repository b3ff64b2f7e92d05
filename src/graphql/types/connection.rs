//! The one cursor connection every list uses (`DataSourceConnection`,
//! `AppConnection`, ...): edges with cursors, the nodes alone, and where the page sits.

use async_graphql::{OutputType, SimpleObject};

use crate::domain::pagination::{self, Page};
use crate::graphql::inline::{Inline, InlineFields, InlineList};
use crate::graphql::types::app::App;
use crate::graphql::types::audit_event::AuditEvent;
use crate::graphql::types::data_source::DataSource;

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
    concrete(name = "AuditEventConnection", params(AuditEvent))
)]
pub struct Connection<T: InlineFields + Clone>
where
    Edge<T>: OutputType,
{
    /// The items with their cursors.
    pub edges: Vec<Edge<T>>,
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
    concrete(name = "AuditEventEdge", params(AuditEvent))
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
            edges,
            page_info,
        })
    }
}

/// What a page costs against the query complexity limit: its fields once per item it
/// can hold.
pub fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let items = usize::try_from(pagination::capacity(first)).unwrap_or(0);
    items.max(1) * child_complexity
}

/// Whether the selection of a connection field asks any of `fields` of its nodes
/// (through `nodes` or `edges.node`): what to load for the whole page up front.
pub fn nodes_ask(look_ahead: &async_graphql::Lookahead<'_>, fields: &[&str]) -> bool {
    [
        look_ahead.field("nodes"),
        look_ahead.field("edges").field("node"),
    ]
    .iter()
    .any(|node| fields.iter().any(|f| node.field(f).exists()))
}
