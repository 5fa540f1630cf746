//! CRM search (`POST /crm/v3/objects/{objectType}/search`, API-NOTES §9).
//!
//! Owns: page-size clamping (≤ 200), the 10,000-result paging cap, and marking search requests
//! so the send loop paces them at HubSpot's 5 requests/second (search is exempt from the burst
//! window and carries no rate-limit headers). Must not: validate filter semantics (HubSpot
//! answers `VALIDATION_ERROR`), or know about the UI.

use futures_util::Stream;
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::client::{Client, Request, seg};
use super::dto::{SearchPage, SearchRequest};
use super::error::ApiError;
use super::retry::RequestKind;

/// Largest search page (API-NOTES §9).
pub const SEARCH_LIMIT_MAX: u32 = 200;
/// HubSpot answers 400 when paging past this many results (API-NOTES §9).
pub const SEARCH_RESULTS_MAX: u64 = 10_000;

pub(crate) fn search_request(object_type: &str, req: &SearchRequest) -> Result<Request, ApiError> {
    let mut body = req.clone();
    body.limit = body.limit.map(|l| l.clamp(1, SEARCH_LIMIT_MAX));
    Request::new(
        Method::POST,
        format!("/crm/v3/objects/{}/search", seg(object_type)),
        RequestKind::Search,
    )
    .json(&body)
}

impl Client {
    /// One search page. Results carry no associations or history; archived records never match.
    pub async fn search_objects<T: DeserializeOwned>(
        &self,
        object_type: &str,
        request: &SearchRequest,
    ) -> Result<SearchPage<T>, ApiError> {
        self.json(search_request(object_type, request)?).await
    }

    /// Every page of a search as a stream (page size 200 unless set), stopping before
    /// HubSpot's 10,000-result cap.
    pub fn search_object_pages<T: DeserializeOwned + Send + 'static>(
        &self,
        object_type: &str,
        mut request: SearchRequest,
    ) -> impl Stream<Item = Result<SearchPage<T>, ApiError>> + Send + 'static {
        if request.limit.is_none() {
            request.limit = Some(SEARCH_LIMIT_MAX);
        }
        let client = self.clone();
        let object_type = object_type.to_owned();
        futures_util::stream::try_unfold(Some(request), move |state| {
            let client = client.clone();
            let object_type = object_type.clone();
            async move {
                let Some(request) = state else {
                    return Ok(None);
                };
                let page: SearchPage<T> = client.search_objects(&object_type, &request).await?;
                let next = page
                    .next_after()
                    .filter(|after| {
                        // `after` is an offset ("200", "400", ...); past 10,000 HubSpot says 400.
                        after
                            .parse::<u64>()
                            .map_or(true, |o| o < SEARCH_RESULTS_MAX)
                            && request.after.as_deref() != Some(*after)
                    })
                    .map(|after| SearchRequest {
                        after: Some(after.to_owned()),
                        ..request.clone()
                    });
                Ok(Some((page, next)))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_limit_is_clamped_and_marked_as_search() {
        let r = search_request(
            "tickets",
            &SearchRequest {
                limit: Some(1000),
                query: Some("printer".into()),
                ..SearchRequest::default()
            },
        )
        .expect("req");
        assert_eq!(r.path(), "/crm/v3/objects/tickets/search");
        assert_eq!(r.kind(), RequestKind::Search);
        let body = r.body_json().expect("body");
        assert_eq!(body["limit"], 200);
        assert_eq!(body["query"], "printer");
        assert_eq!(body["filterGroups"], serde_json::json!([]));
    }
}
