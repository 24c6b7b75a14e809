//! Query-string parsing and validation for the fake's list endpoint, following the
//! fragment: repeated keys for arrays, defaults `offset=0`/`limit=20`, bounds and enums
//! checked, one [`FieldValidationError`] per problem, unknown parameters ignored.
//!
//! Choices where the fragment is silent: for scalar parameters given more than once the
//! first occurrence wins; an empty value (`limit=`, `kind=`) is refused by the typed
//! parameters (integers, the boolean, the enums), as their schemas refuse it, and counts as
//! no filter for the string ones (`workspaceId=`, `dagTags=`). `offset` has no upper bound
//! (the fragment states none): any non-negative integer is accepted, however many digits
//! it has, and one beyond `i64` is taken (and echoed) as [`i64::MAX`], past the end of any
//! data set, so it answers an empty page; a negative or non-integer `offset` is refused.

use astro_tokens::generated::open_enums::ApiTokenKind;
use astro_tokens::generated::types::FieldValidationError;

/// Validation failures, one per problem (what a 400 response's `fieldErrors` holds).
pub type FieldErrors = Vec<FieldValidationError>;

/// Default page size when `limit` is absent.
pub const DEFAULT_LIMIT: i64 = 20;
/// Largest accepted `limit`.
pub const MAX_LIMIT: i64 = 1000;

/// The ten accepted `sorts` values, in the fragment's order.
pub const SORTS: [&str; 10] = [
    "name:asc",
    "name:desc",
    "description:asc",
    "description:desc",
    "createdAt:asc",
    "createdAt:desc",
    "updatedAt:asc",
    "updatedAt:desc",
    "tokenStartAt:asc",
    "tokenStartAt:desc",
];

/// A token attribute the list can be sorted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SortField {
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
    /// `tokenStartAt` on the wire, `startAt` in the token.
    StartAt,
}

/// One sort criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SortKey {
    pub(crate) field: SortField,
    pub(crate) descending: bool,
}

/// A validated list query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ListQuery {
    pub(crate) workspace_id: Option<String>,
    pub(crate) deployment_id: Option<String>,
    pub(crate) dag_id: Option<String>,
    pub(crate) dag_tags: Vec<String>,
    pub(crate) only_organization: bool,
    pub(crate) kind: Option<ApiTokenKind>,
    pub(crate) offset: i64,
    pub(crate) limit: i64,
    pub(crate) sorts: Vec<SortKey>,
}

pub(crate) fn field_error(
    field: &str,
    code: &str,
    message: impl Into<String>,
) -> FieldValidationError {
    crate::built(
        FieldValidationError::builder()
            .code(code)
            .field(field)
            .message(message.into()),
    )
}

fn parse_sort(value: &str) -> Option<SortKey> {
    let (name, direction) = value.split_once(':')?;
    let field = match name {
        "name" => SortField::Name,
        "description" => SortField::Description,
        "createdAt" => SortField::CreatedAt,
        "updatedAt" => SortField::UpdatedAt,
        "tokenStartAt" => SortField::StartAt,
        _ => return None,
    };
    let descending = match direction {
        "asc" => false,
        "desc" => true,
        _ => return None,
    };
    Some(SortKey { field, descending })
}

/// Parses a non-negative integer parameter; pushes a field error and returns `None` on
/// failure. With a `max`, larger values (of any size) are refused; without one, any
/// non-negative integer is accepted and one beyond `i64` saturates to [`i64::MAX`].
fn parse_int(field: &str, value: &str, max: Option<i64>, errors: &mut FieldErrors) -> Option<i64> {
    let digits = value
        .strip_prefix('-')
        .or_else(|| value.strip_prefix('+'))
        .unwrap_or(value);
    let numeric = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<i64>() {
        Ok(v) if v < 0 => errors.push(field_error(
            field,
            "min",
            "must be greater than or equal to 0",
        )),
        Ok(v) if max.is_some_and(|m| v > m) => errors.push(field_error(
            field,
            "max",
            format!("must be less than or equal to {}", max.unwrap_or_default()),
        )),
        Ok(v) => return Some(v),
        Err(_) if numeric && value.starts_with('-') => errors.push(field_error(
            field,
            "min",
            "must be greater than or equal to 0",
        )),
        Err(_) if numeric => match max {
            Some(m) => errors.push(field_error(
                field,
                "max",
                format!("must be less than or equal to {m}"),
            )),
            None => return Some(i64::MAX),
        },
        Err(_) => errors.push(field_error(
            field,
            "type",
            format!("must be an integer, got {value:?}"),
        )),
    }
    None
}

/// Validates decoded query pairs (in wire order) into a [`ListQuery`]. An empty value
/// (`kind=`) is a value like any other: the enum, boolean and integer parameters refuse
/// it, as the fragment's schemas do; an empty string filter is no filter.
pub(crate) fn parse(pairs: &[(String, String)]) -> Result<ListQuery, FieldErrors> {
    let first = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let text = |key: &str| first(key).filter(|v| !v.is_empty()).map(str::to_owned);
    let all = |key: &'static str| {
        pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let mut errors = FieldErrors::new();

    let only_organization = match first("includeOnlyOrganizationTokens") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            errors.push(field_error(
                "includeOnlyOrganizationTokens",
                "type",
                format!("must be a boolean (true or false), got {other:?}"),
            ));
            false
        }
    };
    let kind = match first("kind") {
        None => None,
        Some(v @ ("STANDARD" | "DIRECT_ACCESS")) => Some(ApiTokenKind::from(v)),
        Some(other) => {
            errors.push(field_error(
                "kind",
                "oneof",
                format!("must be one of [STANDARD DIRECT_ACCESS], got {other:?}"),
            ));
            None
        }
    };
    let offset = first("offset").map_or(Some(0), |v| parse_int("offset", v, None, &mut errors));
    let limit = first("limit").map_or(Some(DEFAULT_LIMIT), |v| {
        parse_int("limit", v, Some(MAX_LIMIT), &mut errors)
    });
    let mut sorts = Vec::new();
    for value in all("sorts") {
        match parse_sort(value) {
            Some(key) => sorts.push(key),
            None => errors.push(field_error(
                "sorts",
                "oneof",
                format!("must be one of [{}], got {value:?}", SORTS.join(" ")),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ListQuery {
        workspace_id: text("workspaceId"),
        deployment_id: text("deploymentId"),
        dag_id: text("dagId"),
        dag_tags: all("dagTags")
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect(),
        only_organization,
        kind,
        offset: offset.unwrap_or(0),
        limit: limit.unwrap_or(DEFAULT_LIMIT),
        sorts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<ListQuery, FieldErrors> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        parse(&owned)
    }

    fn codes(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        q(pairs)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn defaults() {
        let parsed = q(&[("unknown", "x")]).unwrap();
        assert_eq!((parsed.offset, parsed.limit), (0, 20));
        assert!(parsed.sorts.is_empty() && parsed.kind.is_none() && !parsed.only_organization);
    }

    #[test]
    fn an_empty_value_is_refused_by_typed_parameters_and_no_filter_for_strings() {
        let pair = |f: &str, c: &str| vec![(f.to_owned(), c.to_owned())];
        assert_eq!(codes(&[("kind", "")]), pair("kind", "oneof"));
        assert_eq!(codes(&[("limit", "")]), pair("limit", "type"));
        assert_eq!(codes(&[("offset", "")]), pair("offset", "type"));
        assert_eq!(codes(&[("sorts", "")]), pair("sorts", "oneof"));
        assert_eq!(
            codes(&[("includeOnlyOrganizationTokens", "")]),
            pair("includeOnlyOrganizationTokens", "type")
        );
        let parsed = q(&[("workspaceId", ""), ("dagTags", ""), ("dagTags", "etl")]).unwrap();
        assert_eq!(parsed.workspace_id, None);
        assert_eq!(parsed.dag_tags, ["etl"]);
    }

    #[test]
    fn bounds_and_types() {
        let pair = |f: &str, c: &str| vec![(f.to_owned(), c.to_owned())];
        assert_eq!(codes(&[("limit", "1001")]), pair("limit", "max"));
        assert_eq!(codes(&[("limit", "-1")]), pair("limit", "min"));
        assert_eq!(codes(&[("limit", "ten")]), pair("limit", "type"));
        assert_eq!(codes(&[("limit", "1.5")]), pair("limit", "type"));
        assert_eq!(
            codes(&[("limit", "99999999999999999999")]),
            pair("limit", "max")
        );
        assert_eq!(codes(&[("offset", "-3")]), pair("offset", "min"));
        assert_eq!(codes(&[("offset", "x")]), pair("offset", "type"));
        assert_eq!(codes(&[("offset", "1.5")]), pair("offset", "type"));
        assert_eq!(codes(&[("offset", "1e3")]), pair("offset", "type"));
        assert_eq!(codes(&[("offset", "+")]), pair("offset", "type"));
        assert_eq!(
            codes(&[("offset", "-99999999999999999999")]),
            pair("offset", "min")
        );
        assert_eq!(codes(&[("kind", "standard")]), pair("kind", "oneof"));
        assert_eq!(codes(&[("sorts", "name")]), pair("sorts", "oneof"));
        assert_eq!(
            codes(&[("includeOnlyOrganizationTokens", "yes")]),
            pair("includeOnlyOrganizationTokens", "type")
        );
        assert_eq!(
            q(&[("limit", "1000"), ("offset", "0")]).unwrap().limit,
            1000
        );
        assert_eq!(q(&[("limit", "0")]).unwrap().limit, 0);
    }

    #[test]
    fn an_offset_of_any_size_is_accepted_and_saturates() {
        let offset = |v: &str| q(&[("offset", v)]).map(|parsed| parsed.offset);
        assert_eq!(offset("0"), Ok(0));
        assert_eq!(offset("+7"), Ok(7));
        assert_eq!(offset("9223372036854775807"), Ok(i64::MAX));
        // What schemathesis sends with seeds 2 and 4: schema-valid, larger than i64.
        assert_eq!(offset("9223372036854775808"), Ok(i64::MAX));
        assert_eq!(offset("99999999999999999999"), Ok(i64::MAX));
        assert_eq!(offset(&"9".repeat(400)), Ok(i64::MAX));
        // limit keeps its bound, however large the value.
        let limit: Vec<(String, String)> = codes(&[("limit", &"9".repeat(400))]);
        assert_eq!(limit, vec![("limit".to_owned(), "max".to_owned())]);
    }

    #[test]
    fn several_errors_each_reported() {
        let found = codes(&[
            ("limit", "5000"),
            ("sorts", "name:asc"),
            ("sorts", "bad"),
            ("offset", "-1"),
        ]);
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn arrays_repeat_and_scalars_take_first() {
        let parsed = q(&[
            ("sorts", "name:desc"),
            ("sorts", "tokenStartAt:asc"),
            ("dagTags", "a"),
            ("dagTags", "b"),
            ("limit", "5"),
            ("limit", "7"),
        ])
        .unwrap();
        assert_eq!(
            parsed.sorts,
            vec![
                SortKey {
                    field: SortField::Name,
                    descending: true
                },
                SortKey {
                    field: SortField::StartAt,
                    descending: false
                }
            ]
        );
        assert_eq!(parsed.dag_tags, vec!["a", "b"]);
        assert_eq!(parsed.limit, 5);
    }
}
