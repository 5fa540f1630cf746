//! Ticket endpoints (`/crm/v3/objects/tickets`, API-NOTES §1, §7): typed wrappers over the
//! generic object calls, plus pinning and merging.
//!
//! Owns: the ticket-typed API the worker and CLI use. Must not: hold app state, or decide which
//! properties the UI shows. For output exactly as HubSpot sent it, call the generic
//! `*_object*` methods with `object_type::TICKETS` and `serde_json::Value`.

use futures_util::Stream;

use super::client::Client;
use super::dto::{
    BatchResponse, CreateInput, Page, PropertyValues, SearchPage, SearchRequest,
    SimplePublicObject, UpdateInput,
};
use super::error::ApiError;
use super::objects::{BatchOutcome, BatchReadQuery, GetQuery, ListQuery, object_type::TICKETS};

/// Property holding the pinned activity's id (API-NOTES §7).
pub const PINNED_ENGAGEMENT_PROPERTY: &str = "hs_pinned_engagement_id";

impl Client {
    /// One page of tickets.
    pub async fn list_tickets(
        &self,
        query: &ListQuery,
    ) -> Result<Page<SimplePublicObject>, ApiError> {
        self.list_objects(TICKETS, query).await
    }

    /// Every page of tickets as a stream (largest pages unless `limit` is set).
    pub fn list_all_tickets(
        &self,
        query: ListQuery,
    ) -> impl Stream<Item = Result<Page<SimplePublicObject>, ApiError>> + Send + 'static {
        self.list_object_pages(TICKETS, query)
    }

    /// One ticket.
    pub async fn get_ticket(
        &self,
        id: &str,
        query: &GetQuery,
    ) -> Result<SimplePublicObject, ApiError> {
        self.get_object(TICKETS, id, query).await
    }

    /// One ticket as raw JSON, exactly as HubSpot sent it.
    pub async fn get_ticket_raw(
        &self,
        id: &str,
        query: &GetQuery,
    ) -> Result<serde_json::Value, ApiError> {
        self.get_object(TICKETS, id, query).await
    }

    /// Creates a ticket (201). Needs `subject`, `hs_pipeline_stage` (and `hs_pipeline` with
    /// several pipelines), by internal ids.
    pub async fn create_ticket(&self, input: &CreateInput) -> Result<SimplePublicObject, ApiError> {
        self.create_object(TICKETS, input).await
    }

    /// Updates a ticket (PATCH); `""` clears a value. On [`ApiError::WriteOutcomeUnknown`],
    /// re-read before trying again.
    pub async fn update_ticket(
        &self,
        id: &str,
        properties: &PropertyValues,
        id_property: Option<&str>,
    ) -> Result<SimplePublicObject, ApiError> {
        self.update_object(TICKETS, id, properties, id_property)
            .await
    }

    /// Archives a ticket (204).
    pub async fn archive_ticket(&self, id: &str) -> Result<(), ApiError> {
        self.archive_object(TICKETS, id).await
    }

    /// Batch read, chunked at 100 (50 with history), results and errors merged per chunk.
    pub async fn batch_read_tickets(
        &self,
        query: &BatchReadQuery,
    ) -> Result<BatchOutcome<BatchResponse<SimplePublicObject>>, ApiError> {
        self.batch_read_objects(TICKETS, query).await
    }

    /// Batch create, chunks of 100.
    pub async fn batch_create_tickets(
        &self,
        inputs: &[CreateInput],
    ) -> Result<BatchOutcome<BatchResponse<SimplePublicObject>>, ApiError> {
        self.batch_create_objects(TICKETS, inputs).await
    }

    /// Batch update, chunks of 100.
    pub async fn batch_update_tickets(
        &self,
        inputs: &[UpdateInput],
    ) -> Result<BatchOutcome<BatchResponse<SimplePublicObject>>, ApiError> {
        self.batch_update_objects(TICKETS, inputs).await
    }

    /// Batch archive, chunks of 100.
    pub async fn batch_archive_tickets(
        &self,
        ids: &[String],
    ) -> Result<BatchOutcome<()>, ApiError> {
        self.batch_archive_objects(TICKETS, ids).await
    }

    /// Merges ticket `to_merge` into `primary` (`POST /crm/v3/objects/tickets/merge`); the
    /// answer is the survivor, usually under a new ID (see [`Client::merge_objects`]).
    pub async fn merge_tickets(
        &self,
        primary: &str,
        to_merge: &str,
    ) -> Result<SimplePublicObject, ApiError> {
        self.merge_objects(TICKETS, primary, to_merge).await
    }

    /// One page of a ticket search.
    pub async fn search_tickets(
        &self,
        request: &SearchRequest,
    ) -> Result<SearchPage<SimplePublicObject>, ApiError> {
        self.search_objects(TICKETS, request).await
    }

    /// Pins an activity on a ticket. The activity must already be associated with the ticket;
    /// one pin per record. Whether private-app tokens may pin, and the error when the activity
    /// is not associated, are UNCONFIRMED (API-NOTES §7).
    pub async fn pin_engagement(
        &self,
        ticket_id: &str,
        engagement_id: &str,
    ) -> Result<SimplePublicObject, ApiError> {
        self.update_ticket(ticket_id, &pin_properties(engagement_id), None)
            .await
    }

    /// Removes the pin (sets `hs_pinned_engagement_id` to `""`).
    pub async fn unpin(&self, ticket_id: &str) -> Result<SimplePublicObject, ApiError> {
        self.update_ticket(ticket_id, &pin_properties(""), None)
            .await
    }
}

fn pin_properties(engagement_id: &str) -> PropertyValues {
    PropertyValues::from([(
        PINNED_ENGAGEMENT_PROPERTY.to_owned(),
        engagement_id.to_owned(),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_and_unpin_bodies() {
        assert_eq!(
            serde_json::to_value(pin_properties("42")).expect("ser"),
            serde_json::json!({"hs_pinned_engagement_id": "42"})
        );
        assert_eq!(
            serde_json::to_value(pin_properties("")).expect("ser"),
            serde_json::json!({"hs_pinned_engagement_id": ""})
        );
    }
}
