//! Generic CRM object endpoints `/crm/v3/objects/{objectType}` (list, get, create, update,
//! archive, batch read/create/update/archive), used for tickets and for the records shown next
//! to them (contacts, companies, deals, notes, emails, calls, tasks, meetings).
//!
//! Owns: query building, page-size clamping, chunking of batch inputs and merging of chunk
//! answers. Methods are generic over the record type: [`SimplePublicObject`] for typed use,
//! `serde_json::Value` to print records exactly as HubSpot sent them. Must not: retry or pace
//! (the send loop does), or know which object types the app shows.

use std::ops::Range;

use futures_util::Stream;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::{Client, Request, seg};
use super::dto::{BatchResponse, CreateInput, ObjectId, Page, PropertyValues, UpdateInput};
use super::error::{ApiError, StandardError};
use super::retry::RequestKind;

#[cfg(doc)]
use super::dto::SimplePublicObject;

/// Object type names accepted in paths (HubSpot also accepts ids such as `0-5`).
pub mod object_type {
    /// `0-5`.
    pub const TICKETS: &str = "tickets";
    /// `0-1`.
    pub const CONTACTS: &str = "contacts";
    /// `0-2`.
    pub const COMPANIES: &str = "companies";
    /// `0-3`.
    pub const DEALS: &str = "deals";
    /// `0-46`.
    pub const NOTES: &str = "notes";
    /// `0-49`.
    pub const EMAILS: &str = "emails";
    /// `0-48`.
    pub const CALLS: &str = "calls";
    /// `0-27`.
    pub const TASKS: &str = "tasks";
    /// `0-47`.
    pub const MEETINGS: &str = "meetings";
}

/// Largest list page (API-NOTES §1: "up to 100 records"; what HubSpot does above it is
/// UNCONFIRMED, so the client never asks for more).
pub const LIST_LIMIT_MAX: u32 = 100;
/// Largest list page / batch-read chunk when `propertiesWithHistory` is requested (API-NOTES
/// §1, [O]: HubSpot answers 400 above 50).
pub const LIST_WITH_HISTORY_MAX: u32 = 50;
/// Inputs per object batch request (API-NOTES §1, [D-obj] "Limits").
pub const BATCH_MAX: usize = 100;
/// Inputs per batch read with history.
pub const BATCH_WITH_HISTORY_MAX: usize = 50;

/// Query of a list request (`GET /crm/v3/objects/{objectType}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Page size; clamped to 100 (50 with history). `None`: HubSpot's default (10) for one
    /// page, the maximum when paging through everything.
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
    /// Properties to return (HubSpot's defaults when empty).
    pub properties: Vec<String>,
    /// Properties to return with their history.
    pub properties_with_history: Vec<String>,
    /// Object types whose associated ids to include (v3 shape).
    pub associations: Vec<String>,
    /// Return only archived records.
    pub archived: bool,
}

impl ListQuery {
    /// The largest page HubSpot allows for this query.
    pub fn max_limit(&self) -> u32 {
        if self.properties_with_history.is_empty() {
            LIST_LIMIT_MAX
        } else {
            LIST_WITH_HISTORY_MAX
        }
    }

    /// `limit` clamped to `1..=max_limit()`.
    pub fn clamped_limit(&self) -> Option<u32> {
        self.limit.map(|l| l.clamp(1, self.max_limit()))
    }

    pub(crate) fn request(&self, object_type: &str) -> Request {
        let mut r = Request::get(format!("/crm/v3/objects/{}", seg(object_type)));
        if let Some(limit) = self.clamped_limit() {
            r = r.query("limit", limit.to_string());
        }
        r.opt("after", self.after.as_deref())
            .csv("properties", &self.properties)
            .csv("propertiesWithHistory", &self.properties_with_history)
            .csv("associations", &self.associations)
            .archived(self.archived)
    }
}

/// Query of a get-by-id request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetQuery {
    /// A unique-value property the id refers to instead of the record id.
    pub id_property: Option<String>,
    /// Properties to return.
    pub properties: Vec<String>,
    /// Properties to return with history.
    pub properties_with_history: Vec<String>,
    /// Object types whose associated ids to include.
    pub associations: Vec<String>,
    /// Read an archived record (only archived records are found then).
    pub archived: bool,
}

impl GetQuery {
    /// Just these properties.
    pub fn properties(props: &[&str]) -> Self {
        Self {
            properties: props.iter().map(|s| (*s).to_owned()).collect(),
            ..Self::default()
        }
    }

    pub(crate) fn request(&self, object_type: &str, id: &str) -> Request {
        Request::get(format!("/crm/v3/objects/{}/{}", seg(object_type), seg(id)))
            .opt("idProperty", self.id_property.as_deref())
            .csv("properties", &self.properties)
            .csv("propertiesWithHistory", &self.properties_with_history)
            .csv("associations", &self.associations)
            .archived(self.archived)
    }
}

/// A batch read (`POST /crm/v3/objects/{objectType}/batch/read`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReadQuery {
    /// Record ids (or `id_property` values). Any number: chunked by the client.
    pub ids: Vec<String>,
    /// Properties to return.
    pub properties: Vec<String>,
    /// Properties with history (chunks shrink to 50).
    pub properties_with_history: Vec<String>,
    /// Unique-value property the ids refer to.
    pub id_property: Option<String>,
    /// Read archived records only.
    pub archived: bool,
}

impl BatchReadQuery {
    /// These ids with these properties.
    pub fn new(ids: Vec<String>, properties: &[&str]) -> Self {
        Self {
            ids,
            properties: properties.iter().map(|s| (*s).to_owned()).collect(),
            ..Self::default()
        }
    }

    fn chunk_size(&self) -> usize {
        if self.properties_with_history.is_empty() {
            BATCH_MAX
        } else {
            BATCH_WITH_HISTORY_MAX
        }
    }
}

/// `BatchReadInputSimplePublicObjectId`. The spec marks both property lists required, so they
/// are always sent (possibly empty).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchReadBody<'a> {
    inputs: Vec<ObjectId>,
    properties: &'a [String],
    properties_with_history: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    id_property: Option<&'a str>,
}

#[derive(Serialize)]
struct Inputs<T> {
    inputs: T,
}

/// The answer to one chunk of a batch call.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkOutcome<R> {
    /// Which inputs (indices into what was passed) this chunk carried.
    pub range: Range<usize>,
    /// The ids of those inputs (empty for creates).
    pub ids: Vec<String>,
    /// The chunk's answer, or why the whole chunk failed (e.g. 400 for a bad input, or
    /// [`ApiError::WriteOutcomeUnknown`]).
    pub result: Result<R, ApiError>,
}

/// Every chunk of a batch call, in input order. Chunks are sent one after another; a failed
/// chunk does not stop the next.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOutcome<R> {
    /// Per-chunk answers.
    pub chunks: Vec<ChunkOutcome<R>>,
}

impl<R> BatchOutcome<R> {
    /// Chunks that failed as a whole, with their error.
    pub fn failed_chunks(&self) -> impl Iterator<Item = (&ChunkOutcome<R>, &ApiError)> {
        self.chunks
            .iter()
            .filter_map(|c| c.result.as_ref().err().map(|e| (c, e)))
    }

    /// The first whole-chunk error, if any.
    pub fn first_error(&self) -> Option<&ApiError> {
        self.failed_chunks().next().map(|(_, e)| e)
    }
}

impl<T> BatchOutcome<BatchResponse<T>> {
    /// Records that succeeded, over all chunks.
    pub fn results(&self) -> impl Iterator<Item = &T> {
        self.chunks
            .iter()
            .filter_map(|c| c.result.as_ref().ok())
            .flat_map(|r| r.results.iter())
    }

    /// Per-input errors of 207 answers (e.g. `OBJECT_NOT_FOUND` with `context.ids`).
    pub fn errors(&self) -> impl Iterator<Item = &StandardError> {
        self.chunks
            .iter()
            .filter_map(|c| c.result.as_ref().ok())
            .flat_map(|r| r.errors.iter())
    }

    /// All succeeded and no per-input errors.
    pub fn is_complete_success(&self) -> bool {
        self.first_error().is_none() && self.errors().next().is_none()
    }

    /// Succeeded records as one list (drops errors; check them first).
    pub fn into_results(self) -> Vec<T> {
        self.chunks
            .into_iter()
            .filter_map(|c| c.result.ok())
            .flat_map(|r| r.results)
            .collect()
    }
}

/// Splits `0..len` into ranges of at most `size`.
pub(crate) fn chunk_ranges(len: usize, size: usize) -> Vec<Range<usize>> {
    let size = size.max(1);
    (0..len)
        .step_by(size)
        .map(|start| start..(start + size).min(len))
        .collect()
}

fn objects_path(object_type: &str, rest: &str) -> String {
    format!("/crm/v3/objects/{}{rest}", seg(object_type))
}

pub(crate) fn batch_read_requests(
    object_type: &str,
    q: &BatchReadQuery,
) -> Result<Vec<(Range<usize>, Request)>, ApiError> {
    chunk_ranges(q.ids.len(), q.chunk_size())
        .into_iter()
        .map(|range| {
            let body = BatchReadBody {
                inputs: q.ids[range.clone()].iter().map(ObjectId::new).collect(),
                properties: &q.properties,
                properties_with_history: &q.properties_with_history,
                id_property: q.id_property.as_deref(),
            };
            // A batch read changes nothing: safe to retry like a GET.
            let req = Request::new(
                Method::POST,
                objects_path(object_type, "/batch/read"),
                RequestKind::Read,
            )
            .archived(q.archived)
            .json(&body)?;
            Ok((range, req))
        })
        .collect()
}

impl Client {
    /// One page of records (`GET /crm/v3/objects/{objectType}`).
    pub async fn list_objects<T: DeserializeOwned>(
        &self,
        object_type: &str,
        query: &ListQuery,
    ) -> Result<Page<T>, ApiError> {
        self.json(query.request(object_type)).await
    }

    /// Every page, one at a time, as a stream (for `--all --output jsonl`). `limit: None`
    /// means the largest page. The stream ends after the last page or the first error.
    pub fn list_object_pages<T: DeserializeOwned + Send + 'static>(
        &self,
        object_type: &str,
        mut query: ListQuery,
    ) -> impl Stream<Item = Result<Page<T>, ApiError>> + Send + 'static {
        if query.limit.is_none() {
            query.limit = Some(query.max_limit());
        }
        let client = self.clone();
        let object_type = object_type.to_owned();
        futures_util::stream::try_unfold(Some(query), move |state| {
            let client = client.clone();
            let object_type = object_type.clone();
            async move {
                let Some(query) = state else {
                    return Ok(None);
                };
                let page: Page<T> = client.list_objects(&object_type, &query).await?;
                let next = match page.next_after() {
                    // A server repeating the cursor would loop forever.
                    Some(after) if query.after.as_deref() == Some(after) => {
                        return Err(ApiError::Decode(format!(
                            "paging cursor {after:?} repeated"
                        )));
                    }
                    Some(after) => Some(ListQuery {
                        after: Some(after.to_owned()),
                        ..query
                    }),
                    None => None,
                };
                Ok(Some((page, next)))
            }
        })
    }

    /// One record (`GET /crm/v3/objects/{objectType}/{id}`); 404 when missing or archived
    /// (unless `archived` is set).
    pub async fn get_object<T: DeserializeOwned>(
        &self,
        object_type: &str,
        id: &str,
        query: &GetQuery,
    ) -> Result<T, ApiError> {
        self.json(query.request(object_type, id)).await
    }

    /// Creates a record (`POST`, 201).
    pub async fn create_object<T: DeserializeOwned>(
        &self,
        object_type: &str,
        input: &CreateInput,
    ) -> Result<T, ApiError> {
        let req = Request::new(
            Method::POST,
            objects_path(object_type, ""),
            RequestKind::Write,
        )
        .json(input)?;
        self.json(req).await
    }

    /// Updates properties (`PATCH`); `""` clears a value. `id_property` selects a
    /// unique-value property instead of the record id.
    pub async fn update_object<T: DeserializeOwned>(
        &self,
        object_type: &str,
        id: &str,
        properties: &PropertyValues,
        id_property: Option<&str>,
    ) -> Result<T, ApiError> {
        #[derive(Serialize)]
        struct Body<'a> {
            properties: &'a PropertyValues,
        }
        let req = Request::new(
            Method::PATCH,
            objects_path(object_type, &format!("/{}", seg(id))),
            RequestKind::Write,
        )
        .opt("idProperty", id_property)
        .json(&Body { properties })?;
        self.json(req).await
    }

    /// Merges `to_merge` into `primary` (`POST /crm/v3/objects/{objectType}/merge`), 200 with
    /// the surviving record. Its `id` is usually a NEW record ID (HubSpot creates a new record
    /// unless the portal keeps the primary's ID): follow it, never assume `primary`. Cannot be
    /// undone. On [`ApiError::WriteOutcomeUnknown`], re-read before trying again.
    pub async fn merge_objects<T: DeserializeOwned>(
        &self,
        object_type: &str,
        primary: &str,
        to_merge: &str,
    ) -> Result<T, ApiError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            primary_object_id: &'a str,
            object_id_to_merge: &'a str,
        }
        let req = Request::new(
            Method::POST,
            objects_path(object_type, "/merge"),
            RequestKind::Write,
        )
        .json(&Body {
            primary_object_id: primary,
            object_id_to_merge: to_merge,
        })?;
        self.json(req).await
    }

    /// Moves a record to the recycle bin (`DELETE`, 204; restorable in HubSpot's UI for 90
    /// days). HubSpot's answer for an unknown or already archived id is UNCONFIRMED (404 or 204).
    pub async fn archive_object(&self, object_type: &str, id: &str) -> Result<(), ApiError> {
        let req = Request::new(
            Method::DELETE,
            objects_path(object_type, &format!("/{}", seg(id))),
            RequestKind::Write,
        );
        self.no_content(req).await
    }

    /// Batch read in chunks of 100 (50 with history). Missing ids come back as
    /// `OBJECT_NOT_FOUND` errors with `context.ids` (207). Batch read returns no associations.
    pub async fn batch_read_objects<T: DeserializeOwned>(
        &self,
        object_type: &str,
        query: &BatchReadQuery,
    ) -> Result<BatchOutcome<BatchResponse<T>>, ApiError> {
        let mut chunks = Vec::new();
        for (range, req) in batch_read_requests(object_type, query)? {
            let ids = query.ids[range.clone()].to_vec();
            chunks.push(ChunkOutcome {
                range,
                ids,
                result: self.json(req).await,
            });
        }
        Ok(BatchOutcome { chunks })
    }

    /// Batch create in chunks of 100 (201, or 207 with per-input errors when inputs carry
    /// `object_write_trace_id`). Chunks are not retried after an unknown outcome.
    pub async fn batch_create_objects<T: DeserializeOwned>(
        &self,
        object_type: &str,
        inputs: &[CreateInput],
    ) -> Result<BatchOutcome<BatchResponse<T>>, ApiError> {
        let mut chunks = Vec::new();
        for range in chunk_ranges(inputs.len(), BATCH_MAX) {
            let req = Request::new(
                Method::POST,
                objects_path(object_type, "/batch/create"),
                RequestKind::Write,
            )
            .json(&Inputs {
                inputs: &inputs[range.clone()],
            })?;
            chunks.push(ChunkOutcome {
                range,
                ids: Vec::new(),
                result: self.json(req).await,
            });
        }
        Ok(BatchOutcome { chunks })
    }

    /// Batch update in chunks of 100 (200, or 207 with `errors[]`).
    pub async fn batch_update_objects<T: DeserializeOwned>(
        &self,
        object_type: &str,
        inputs: &[UpdateInput],
    ) -> Result<BatchOutcome<BatchResponse<T>>, ApiError> {
        let mut chunks = Vec::new();
        for range in chunk_ranges(inputs.len(), BATCH_MAX) {
            let slice = &inputs[range.clone()];
            let req = Request::new(
                Method::POST,
                objects_path(object_type, "/batch/update"),
                RequestKind::Write,
            )
            .json(&Inputs { inputs: slice })?;
            chunks.push(ChunkOutcome {
                range,
                ids: slice.iter().map(|i| i.id.clone()).collect(),
                result: self.json(req).await,
            });
        }
        Ok(BatchOutcome { chunks })
    }

    /// Batch archive in chunks of 100 (204 each).
    pub async fn batch_archive_objects(
        &self,
        object_type: &str,
        ids: &[String],
    ) -> Result<BatchOutcome<()>, ApiError> {
        let mut chunks = Vec::new();
        for range in chunk_ranges(ids.len(), BATCH_MAX) {
            let slice = &ids[range.clone()];
            let req = Request::new(
                Method::POST,
                objects_path(object_type, "/batch/archive"),
                RequestKind::Write,
            )
            .json(&Inputs {
                inputs: slice.iter().map(ObjectId::new).collect::<Vec<_>>(),
            })?;
            chunks.push(ChunkOutcome {
                range,
                ids: slice.to_vec(),
                result: self.no_content(req).await,
            });
        }
        Ok(BatchOutcome { chunks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(n: usize) -> Vec<String> {
        (1..=n).map(|i| i.to_string()).collect()
    }

    #[test]
    fn chunks_250_into_100_100_50() {
        assert_eq!(chunk_ranges(250, 100), vec![0..100, 100..200, 200..250]);
        assert_eq!(chunk_ranges(0, 100), Vec::<Range<usize>>::new());
        assert_eq!(chunk_ranges(100, 100), vec![0..100]);
    }

    #[test]
    fn batch_read_chunks_and_body() {
        let q = BatchReadQuery::new(ids(250), &["subject"]);
        let reqs = batch_read_requests("tickets", &q).expect("reqs");
        let sizes: Vec<usize> = reqs.iter().map(|(r, _)| r.len()).collect();
        assert_eq!(sizes, vec![100, 100, 50]);
        let (_, first) = &reqs[0];
        assert_eq!(first.path(), "/crm/v3/objects/tickets/batch/read");
        assert_eq!(first.kind(), RequestKind::Read);
        let body = first.body_json().expect("body");
        assert_eq!(body["inputs"][0], json!({"id": "1"}));
        assert_eq!(body["properties"], json!(["subject"]));
        assert_eq!(body["propertiesWithHistory"], json!([]));
        assert!(body.get("idProperty").is_none());
        assert!(first.query_pairs().is_empty());
    }

    #[test]
    fn batch_read_with_history_chunks_by_50() {
        let q = BatchReadQuery {
            ids: ids(120),
            properties_with_history: vec!["hs_pipeline_stage".into()],
            id_property: Some("email".into()),
            archived: true,
            ..BatchReadQuery::default()
        };
        let reqs = batch_read_requests("tickets", &q).expect("reqs");
        let sizes: Vec<usize> = reqs.iter().map(|(r, _)| r.len()).collect();
        assert_eq!(sizes, vec![50, 50, 20]);
        let (_, last) = &reqs[2];
        assert_eq!(last.body_json().expect("body")["idProperty"], "email");
        assert_eq!(last.query_pairs(), &[("archived", "true".to_owned())]);
    }

    #[test]
    fn list_query_string_and_clamping() {
        let q = ListQuery {
            limit: Some(500),
            after: Some("NTI1Cg%3D%3D".into()),
            properties: vec!["subject".into(), "hs_pipeline_stage".into()],
            associations: vec!["contacts".into(), "companies".into()],
            ..ListQuery::default()
        };
        let r = q.request("tickets");
        assert_eq!(r.path(), "/crm/v3/objects/tickets");
        assert_eq!(
            r.query_pairs(),
            &[
                ("limit", "100".to_owned()),
                ("after", "NTI1Cg%3D%3D".to_owned()),
                ("properties", "subject,hs_pipeline_stage".to_owned()),
                ("associations", "contacts,companies".to_owned()),
            ]
        );
        let h = ListQuery {
            limit: Some(100),
            properties_with_history: vec!["hs_pipeline_stage".into()],
            archived: true,
            ..ListQuery::default()
        };
        assert_eq!(h.clamped_limit(), Some(50));
        assert_eq!(
            h.request("tickets").query_pairs(),
            &[
                ("limit", "50".to_owned()),
                ("propertiesWithHistory", "hs_pipeline_stage".to_owned()),
                ("archived", "true".to_owned()),
            ]
        );
        assert_eq!(ListQuery::default().request("tickets").query_pairs(), &[]);
        assert_eq!(
            ListQuery {
                limit: Some(0),
                ..ListQuery::default()
            }
            .clamped_limit(),
            Some(1)
        );
    }

    #[test]
    fn get_query_string() {
        let q = GetQuery {
            id_property: Some("hs_ticket_id".into()),
            properties: vec!["subject".into()],
            associations: vec!["notes".into()],
            ..GetQuery::default()
        };
        let r = q.request("tickets", "a/b");
        assert_eq!(r.path(), "/crm/v3/objects/tickets/a%2Fb");
        assert_eq!(
            r.query_pairs(),
            &[
                ("idProperty", "hs_ticket_id".to_owned()),
                ("properties", "subject".to_owned()),
                ("associations", "notes".to_owned()),
            ]
        );
    }

    #[test]
    fn batch_outcome_merges_results_and_errors() {
        let ok: BatchResponse<String> = serde_json::from_value(json!({
            "status": "COMPLETE", "results": ["a", "b"], "numErrors": 1,
            "errors": [{"status":"error","category":"OBJECT_NOT_FOUND","message":"m","context":{"ids":["9"]},"errors":[],"links":{}}]
        }))
        .expect("parse");
        let outcome = BatchOutcome {
            chunks: vec![
                ChunkOutcome {
                    range: 0..3,
                    ids: vec!["1".into(), "2".into(), "9".into()],
                    result: Ok(ok),
                },
                ChunkOutcome {
                    range: 3..4,
                    ids: vec!["4".into()],
                    result: Err(ApiError::Timeout),
                },
            ],
        };
        assert_eq!(outcome.results().count(), 2);
        assert_eq!(
            outcome.errors().next().map(StandardError::ids),
            Some(&["9".to_owned()][..])
        );
        let failed: Vec<_> = outcome
            .failed_chunks()
            .map(|(c, _)| c.ids.clone())
            .collect();
        assert_eq!(failed, vec![vec!["4".to_owned()]]);
        assert!(!outcome.is_complete_success());
        assert_eq!(outcome.into_results(), vec!["a".to_owned(), "b".to_owned()]);
    }
}
