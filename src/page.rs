//! One page of a listing, as the API returned it.

use crate::error::Error;
use crate::generated::types::{ApiToken, ApiTokensPaginated};

/// A page of tokens with the paging numbers the server reported.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The tokens in this page, in the server's order.
    pub tokens: Vec<ApiToken>,
    /// The offset the server says this page starts at.
    pub offset: u64,
    /// The limit the server applied.
    pub limit: u64,
    /// The total number of matching tokens the server reported with this page.
    pub total_count: u64,
    /// Whether `total_count` differs from the one reported by the listing's first page:
    /// the data changed while paging, so items may have been skipped or shifted.
    pub total_changed: bool,
    /// The server's request id for this page, if it sent one.
    pub request_id: Option<String>,
    /// How many attempts this page took: 1 when the first one succeeded, more when
    /// transient failures were retried (see [`RetryPolicy`](crate::RetryPolicy)).
    pub attempts: u32,
}

impl Page {
    /// Checks the paging numbers (never negative) and wraps the generated page.
    pub(crate) fn from_wire(
        body: ApiTokensPaginated,
        request_id: Option<String>,
        asked_offset: u64,
    ) -> Result<Self, Error> {
        let number = |field: &str, value: i64| {
            u64::try_from(value).map_err(|_| Error::Pagination {
                message: format!("the server reported {field} = {value}, which is negative"),
                offset: asked_offset,
            })
        };
        Ok(Self {
            offset: number("offset", body.offset)?,
            limit: number("limit", body.limit)?,
            total_count: number("totalCount", body.total_count)?,
            tokens: body.tokens,
            total_changed: false,
            request_id,
            attempts: 1,
        })
    }
}
