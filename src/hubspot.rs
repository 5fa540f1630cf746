//! Typed async client for HubSpot's CRM APIs (tickets, generic objects, associations v4,
//! pipelines, properties, owners, search), as documented in `shared/hubspot/API-NOTES.md` and
//! the official OpenAPI specs in `shared/hubspot/openapi/`.
//!
//! Owns: HTTP to HubSpot (or the HubSpot-compatible sandbox: only base URL and token differ),
//! wire types, errors, rate-limit pacing and retries. Must not: depend on UI, app or sandbox
//! code, print, or reveal the access token. It could be its own crate.
//!
//! Entry point: [`Client::new`] with a [`ClientConfig`]. Against the sandbox in tests, use a
//! short timeout and [`RetryPolicy::fast`] so retries and rate-limit waits take milliseconds:
//!
//! ```no_run
//! use std::time::Duration;
//! use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, RetryPolicy};
//!
//! # async fn demo() -> Result<(), hubtix::hubspot::ApiError> {
//! let mut config = ClientConfig::new("http://127.0.0.1:40123", AccessToken::new("demo-token"));
//! config.timeout = Duration::from_secs(2);
//! config.retry = RetryPolicy::fast();
//! let client = Client::new(config)?;
//! let ticket = client.get_ticket("1001", &GetQuery::properties(&["subject"])).await?;
//! assert_eq!(ticket.id, "1001");
//! # Ok(())
//! # }
//! ```
//!
//! Writes are never re-sent once HubSpot may have received them: a timeout, reset, 5xx or
//! garbled success answer on a write is [`ApiError::WriteOutcomeUnknown`], and the caller
//! re-reads. Safe requests are retried on all of these. Errors that can never succeed (a base
//! URL that is not http(s), a token with a line break) fail at once. See `retry.rs`.
//!
//! The token lives in an [`AccessToken`] (`token.rs`), which prints as `[redacted]`; every
//! error the client returns has it scrubbed from all its texts.

mod account;
mod associations;
mod client;
pub mod dto;
pub mod error;
mod objects;
mod owners;
mod pipelines;
mod properties;
pub mod rate_limit;
pub mod retry;
mod search;
#[cfg(test)]
mod spec_tests;
mod tickets;
mod token;

pub use account::{ACCOUNT_DETAILS_PATH, AccountDetails, TOKEN_INFO_PATH, TokenInfo};
pub use associations::{
    ASSOCIATIONS_PAGE_MAX, BATCH_READ_ASSOCIATIONS_MAX, association_types, labels_input,
};
pub use client::{Client, ClientConfig, ClientEvent, HUBSPOT_BASE_URL, ServerClock};
pub use dto::*;
pub use error::{ApiError, ErrorDetail, HttpError, StandardError};
pub use objects::{
    BATCH_MAX, BATCH_WITH_HISTORY_MAX, BatchOutcome, BatchReadQuery, ChunkOutcome, GetQuery,
    LIST_LIMIT_MAX, LIST_WITH_HISTORY_MAX, ListQuery, object_type,
};
pub use owners::OWNERS_PAGE_MAX;
pub use rate_limit::Headroom;
pub use retry::{BackoffReason, LimitPolicy, RequestKind, RetryPolicy};
pub use search::{SEARCH_LIMIT_MAX, SEARCH_RESULTS_MAX};
pub use tickets::PINNED_ENGAGEMENT_PROPERTY;
pub use token::AccessToken;
