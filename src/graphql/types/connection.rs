use async_graphql::SimpleObject;

use crate::db::models;
use crate::domain::pagination::Page;
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

/// One page of data sources.
#[derive(SimpleObject)]
pub struct DataSourceConnection {
    /// The data sources with their cursors.
    pub edges: Vec<DataSourceEdge>,
    /// The data sources alone.
    pub nodes: Vec<DataSource>,
    /// Where this page sits in the whole list.
    pub page_info: PageInfo,
}

/// A data source with its cursor.
#[derive(SimpleObject)]
pub struct DataSourceEdge {
    /// Pass as `after` to get the data sources that follow this one.
    pub cursor: String,
    /// The data source.
    pub node: DataSource,
}

impl DataSourceConnection {
    pub fn from_page(page: Page<models::DataSource>) -> Self {
        let page_info = PageInfo::of(&page);
        let edges: Vec<_> = page
            .items
            .into_iter()
            .map(|(cursor, row)| DataSourceEdge {
                cursor,
                node: DataSource(row),
            })
            .collect();
        Self {
            nodes: edges.iter().map(|e| e.node.clone()).collect(),
            edges,
            page_info,
        }
    }
}

impl PageInfo {
    fn of<T>(page: &Page<T>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|(c, _)| c.clone()),
            end_cursor: page.items.last().map(|(c, _)| c.clone()),
        }
    }
}
