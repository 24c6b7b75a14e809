//! Typed sorts: `SortField::Name.asc()` instead of the string `"name:asc"`.
//! The wire form is `field:direction`; the fragment lists which pairs the API takes.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::generated::types::ListApiTokensSortsItem;

/// A field the API can sort tokens by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
/// assert!("created:desc".parse::<Sort>().unwrap_err().to_string().contains("name:asc"));
/// # Ok::<(), astro_tokens::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sort {
    /// The field.
    pub field: SortField,
    /// The direction.
    pub direction: Direction,
}

impl SortField {
    /// Every field, in the fragment's order.
    pub const ALL: [SortField; 5] = [
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
        SortField::ALL.into_iter().flat_map(|f| [f.asc(), f.desc()])
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
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Sort::all()
            .find(|s| s.to_string() == text)
            .ok_or_else(|| Error::invalid("sort", text, format!("one of {}", Sort::valid_values())))
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
