//! Typed sorts: `SortField::Name.asc()` instead of the string `"name:asc"`.
//! The wire form is `field:direction`; the fragment lists which pairs the API takes.
//!
//! Keeping up with the fragment: a value removed from it removes a generated variant, so
//! `Sort::to_generated` stops compiling; a value added to it fails
//! `the_wrapper_covers_exactly_the_fragments_sort_values`, which says what to add. (There
//! is deliberately no `From<ListApiTokensSortsItem> for Sort`: its exhaustive match would
//! turn that readable test failure into a compile error in generated-code terms.)

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::generated::types::ListApiTokensSortsItem;

/// A field the API can sort tokens by. The API adds fields over time, so the enum is
/// `#[non_exhaustive]`: match it with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SortField {
    /// `name`
    Name,
    /// `description`
    Description,
    /// `createdAt`
    CreatedAt,
    /// `updatedAt`
    UpdatedAt,
    /// `tokenStartAt` (the token's `startAt`)
    TokenStartAt,
}

/// Ascending or descending (`#[non_exhaustive]`, like every enum that mirrors the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Direction {
    /// `asc`
    Asc,
    /// `desc`
    Desc,
}

/// One sort key: a field and a direction. Several keys apply in the order given.
///
/// ```
/// use astro_tokens::{Sort, SortField, Direction};
/// let sort: Sort = "createdAt:desc".parse()?;
/// assert_eq!(sort, SortField::CreatedAt.desc());
/// assert_eq!(sort.to_string(), "createdAt:desc");
/// let error = "created:desc".parse::<Sort>().unwrap_err();
/// assert_eq!(error.value(), "created:desc");
/// assert!(error.to_string().contains("name:asc"));
/// # Ok::<(), astro_tokens::ParseSortError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sort {
    /// The field.
    pub field: SortField,
    /// The direction.
    pub direction: Direction,
}

impl SortField {
    /// Every field, in the fragment's order. A slice, so that a field added later is not
    /// a change of type.
    pub const ALL: &'static [SortField] = &[
        Self::Name,
        Self::Description,
        Self::CreatedAt,
        Self::UpdatedAt,
        Self::TokenStartAt,
    ];

    /// The field's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Description => "description",
            Self::CreatedAt => "createdAt",
            Self::UpdatedAt => "updatedAt",
            Self::TokenStartAt => "tokenStartAt",
        }
    }

    /// Sort by this field, ascending.
    pub fn asc(self) -> Sort {
        Sort {
            field: self,
            direction: Direction::Asc,
        }
    }

    /// Sort by this field, descending.
    pub fn desc(self) -> Sort {
        Sort {
            field: self,
            direction: Direction::Desc,
        }
    }
}

impl Direction {
    /// The direction's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

impl Sort {
    /// Every sort the API accepts, in the fragment's order.
    pub fn all() -> impl Iterator<Item = Sort> {
        SortField::ALL.iter().flat_map(|f| [f.asc(), f.desc()])
    }

    /// The wire form as the generated strict enum.
    pub fn to_generated(self) -> ListApiTokensSortsItem {
        use ListApiTokensSortsItem as G;
        match (self.field, self.direction) {
            (SortField::Name, Direction::Asc) => G::NameAsc,
            (SortField::Name, Direction::Desc) => G::NameDesc,
            (SortField::Description, Direction::Asc) => G::DescriptionAsc,
            (SortField::Description, Direction::Desc) => G::DescriptionDesc,
            (SortField::CreatedAt, Direction::Asc) => G::CreatedAtAsc,
            (SortField::CreatedAt, Direction::Desc) => G::CreatedAtDesc,
            (SortField::UpdatedAt, Direction::Asc) => G::UpdatedAtAsc,
            (SortField::UpdatedAt, Direction::Desc) => G::UpdatedAtDesc,
            (SortField::TokenStartAt, Direction::Asc) => G::TokenStartAtAsc,
            (SortField::TokenStartAt, Direction::Desc) => G::TokenStartAtDesc,
        }
    }

    fn valid_values() -> String {
        Sort::all()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl From<Sort> for ListApiTokensSortsItem {
    fn from(sort: Sort) -> Self {
        sort.to_generated()
    }
}

impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.field.as_str(), self.direction.as_str())
    }
}

impl FromStr for Sort {
    type Err = ParseSortError;

    fn from_str(text: &str) -> Result<Self, ParseSortError> {
        Sort::all()
            .find(|s| s.to_string() == text)
            .ok_or_else(|| ParseSortError {
                value: text.to_owned(),
            })
    }
}

/// A text that is not one of the sorts the API accepts; its `Display` lists them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseSortError {
    value: String,
}

impl ParseSortError {
    /// The text that was given.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Every valid sort, in the fragment's order, as `field:direction` joined by `, `.
    pub fn allowed(&self) -> String {
        Sort::valid_values()
    }
}

impl fmt::Display for ParseSortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid sort {:?}: expected one of {}",
            self.value,
            Sort::valid_values()
        )
    }
}

impl std::error::Error for ParseSortError {}

/// As [`Error::InvalidInput`] for the field `sort`, so `?` works in code returning [`Error`].
impl From<ParseSortError> for Error {
    fn from(error: ParseSortError) -> Self {
        Error::invalid(
            "sort",
            error.value,
            format!("one of {}", Sort::valid_values()),
        )
    }
}

impl serde::Serialize for Sort {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Sort {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `sorts` item enum of `openapi/tokens.yaml`, read now (not at build time).
    fn fragment_sort_values() -> Vec<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/tokens.yaml");
        let text = std::fs::read_to_string(path).expect("openapi/tokens.yaml is readable");
        let spec: serde_yaml::Value = serde_yaml::from_str(&text).expect("the fragment is YAML");
        let parameters =
            spec["paths"]["/organizations/{organizationId}/tokens"]["get"]["parameters"]
                .as_sequence()
                .expect("ListApiTokens has parameters");
        let sorts = parameters
            .iter()
            .find(|p| p["name"].as_str() == Some("sorts"))
            .expect("ListApiTokens has a `sorts` parameter");
        sorts["schema"]["items"]["enum"]
            .as_sequence()
            .expect("`sorts` items are an enum")
            .iter()
            .map(|v| v.as_str().expect("sort values are strings").to_owned())
            .collect()
    }

    #[test]
    fn the_wrapper_covers_exactly_the_fragments_sort_values() {
        let fragment = fragment_sort_values();
        let wrapper: Vec<String> = Sort::all().map(|s| s.to_string()).collect();
        let missing: Vec<&String> = fragment.iter().filter(|v| !wrapper.contains(v)).collect();
        let extra: Vec<&String> = wrapper.iter().filter(|v| !fragment.contains(v)).collect();
        assert!(
            missing.is_empty(),
            "openapi/tokens.yaml allows sorts {missing:?} that `Sort` cannot express: add the \
             field to `SortField` (variant, `ALL`, `as_str`) and the pairs to \
             `Sort::to_generated` in src/sort.rs"
        );
        assert!(
            extra.is_empty(),
            "`Sort::all()` yields {extra:?}, which openapi/tokens.yaml no longer allows: remove \
             them from `SortField` (variant, `ALL`, `as_str`) and `Sort::to_generated` in \
             src/sort.rs"
        );
        assert_eq!(
            wrapper, fragment,
            "`SortField::ALL` should list the fields in the fragment's order"
        );
    }

    #[test]
    fn every_fragment_sort_value_converts_to_the_same_generated_variant() {
        for value in fragment_sort_values() {
            let generated: ListApiTokensSortsItem = value.parse().unwrap_or_else(|_| {
                panic!("the generated enum rejects {value:?}: rebuild after editing the fragment")
            });
            let sort: Sort = value
                .parse()
                .unwrap_or_else(|e| panic!("`Sort` rejects {value:?}: {e}"));
            assert_eq!(sort.to_generated(), generated, "{value}");
            assert_eq!(ListApiTokensSortsItem::from(sort), generated, "{value}");
            assert_eq!(generated.to_string(), value, "the generated wire form");
        }
    }

    #[test]
    fn sort_display_and_from_str_round_trip_through_the_wire_form() {
        for sort in Sort::all() {
            assert_eq!(sort.to_string().parse::<Sort>().ok(), Some(sort));
        }
        assert_eq!(SortField::Name.asc().to_string(), "name:asc");
        assert_eq!(
            SortField::TokenStartAt.desc().to_string(),
            "tokenStartAt:desc"
        );
        assert_eq!(
            SortField::CreatedAt.desc(),
            Sort {
                field: SortField::CreatedAt,
                direction: Direction::Desc
            }
        );
    }

    #[test]
    fn an_unknown_sort_is_rejected_with_every_valid_value_listed() {
        let error = "created:desc".parse::<Sort>().expect_err("not a sort");
        assert_eq!(error.value(), "created:desc");
        let text = error.to_string();
        assert!(text.starts_with("invalid sort \"created:desc\""), "{text}");
        for sort in Sort::all() {
            assert!(text.contains(&sort.to_string()), "{text}");
            assert!(error.allowed().contains(&sort.to_string()));
        }
        match Error::from(error) {
            Error::InvalidInput {
                field,
                value,
                allowed,
                ..
            } => {
                assert_eq!(field, "sort");
                assert_eq!(value, "created:desc");
                assert!(allowed.contains("tokenStartAt:desc"), "{allowed}");
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        }
        assert!(
            "Name:asc".parse::<Sort>().is_err(),
            "the wire form is case-sensitive"
        );
        assert!("name:ascending".parse::<Sort>().is_err());
    }

    #[test]
    fn serde_uses_the_wire_form() {
        let sorts = vec![SortField::Name.asc(), SortField::UpdatedAt.desc()];
        let json = serde_json::to_string(&sorts).expect("serializes");
        assert_eq!(json, r#"["name:asc","updatedAt:desc"]"#);
        let back: Vec<Sort> = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, sorts);
        let error = serde_json::from_str::<Sort>(r#""nope:asc""#).expect_err("unknown");
        assert!(error.to_string().contains("tokenStartAt:desc"), "{error}");
    }
}
