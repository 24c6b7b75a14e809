//! The filters and sorts of one listing: what every page request carries besides
//! `offset` and `limit`.

use crate::generated::types::{ListApiTokensSortsItem, TokenKind};

/// Everything a listing sends except the paging parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Filters {
    pub(crate) organization_id: String,
    pub(crate) workspace_id: Option<String>,
    pub(crate) deployment_id: Option<String>,
    pub(crate) dag_id: Option<String>,
    pub(crate) dag_tags: Vec<String>,
    pub(crate) include_only_organization_tokens: Option<bool>,
    pub(crate) kind: Option<TokenKind>,
    pub(crate) sorts: Vec<ListApiTokensSortsItem>,
}
