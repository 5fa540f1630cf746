//! Property definitions and groups (`/crm/v3/properties/{objectType}`, API-NOTES §4.2).
//!
//! Owns: reading definitions (labels, types, options, read-only flags). Must not: create or
//! change properties, or decide how the UI edits them.

use super::client::{Client, Request, seg};
use super::dto::{Property, PropertyGroup, Results};
use super::error::ApiError;

impl Client {
    /// Every (non-archived) property definition of an object type.
    pub async fn properties(&self, object_type: &str) -> Result<Vec<Property>, ApiError> {
        let r: Results<Property> = self
            .json(Request::get(format!(
                "/crm/v3/properties/{}",
                seg(object_type)
            )))
            .await?;
        Ok(r.results)
    }

    /// One property definition.
    pub async fn property(&self, object_type: &str, name: &str) -> Result<Property, ApiError> {
        self.json(Request::get(format!(
            "/crm/v3/properties/{}/{}",
            seg(object_type),
            seg(name)
        )))
        .await
    }

    /// Property groups of an object type.
    pub async fn property_groups(&self, object_type: &str) -> Result<Vec<PropertyGroup>, ApiError> {
        let r: Results<PropertyGroup> = self
            .json(Request::get(format!(
                "/crm/v3/properties/{}/groups",
                seg(object_type)
            )))
            .await?;
        Ok(r.results)
    }
}
