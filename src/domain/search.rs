//! A ticket search as the app thinks of it: OR-groups of AND-ed filters and one sort. The
//! same shape HubSpot's search takes, kept here so that views, the search form and the
//! protocol never hold HubSpot's wire types; `mapping` turns these into the client's request.
//!
//! The serde names are HubSpot's (`EQ`, `HAS_PROPERTY`, `DESCENDING`), which is also how views
//! in config.toml spell operators.

use serde::{Deserialize, Serialize};

/// HubSpot's search limits (API-NOTES §9).
pub const MAX_GROUPS: usize = 5;
pub const MAX_FILTERS_PER_GROUP: usize = 6;
pub const MAX_FILTERS: usize = 18;
/// Results one search query can reach by paging (`after` past it is refused).
pub const SEARCH_CAP: u64 = 10_000;

/// Search sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SortDirection {
    /// Oldest / smallest first.
    Ascending,
    /// Newest / largest first.
    Descending,
}

/// One sort rule. The spec types `sorts` as `string[]`, but objects are what HubSpot accepts
/// (API-NOTES §9, SDK issues); only one rule is honoured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sort {
    /// Property to sort by.
    pub property_name: String,
    /// Direction.
    pub direction: SortDirection,
}

/// `Filter.operator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum FilterOperator {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    In,
    NotIn,
    HasProperty,
    NotHasProperty,
    ContainsToken,
    NotContainsToken,
}

/// A search filter (`Filter`). `BETWEEN` uses `value` + `high_value`; `IN`/`NOT_IN` use
/// `values` (lowercase strings, API-NOTES §9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// Property (or `associations.contact` pseudo-property).
    pub property_name: String,
    /// Operator.
    pub operator: FilterOperator,
    /// Single value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Upper bound for `BETWEEN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_value: Option<String>,
    /// Values for `IN` / `NOT_IN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

impl Filter {
    /// `property OP value`.
    pub fn new(
        property: impl Into<String>,
        operator: FilterOperator,
        value: impl Into<String>,
    ) -> Self {
        Self {
            property_name: property.into(),
            operator,
            value: Some(value.into()),
            high_value: None,
            values: None,
        }
    }

    /// `property = value`.
    pub fn eq(property: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(property, FilterOperator::Eq, value)
    }

    /// `property IN (values)`.
    pub fn in_values(property: impl Into<String>, values: Vec<String>) -> Self {
        Self {
            property_name: property.into(),
            operator: FilterOperator::In,
            value: None,
            high_value: None,
            values: Some(values),
        }
    }

    /// `HAS_PROPERTY` / `NOT_HAS_PROPERTY`.
    pub fn has_property(property: impl Into<String>, has: bool) -> Self {
        Self {
            property_name: property.into(),
            operator: if has {
                FilterOperator::HasProperty
            } else {
                FilterOperator::NotHasProperty
            },
            value: None,
            high_value: None,
            values: None,
        }
    }
}

/// `FilterGroup`: filters ANDed; groups are ORed. HubSpot allows 5 groups, 6 filters per
/// group, 18 in total (API-NOTES §9).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FilterGroup {
    /// ANDed filters.
    pub filters: Vec<Filter>,
}
