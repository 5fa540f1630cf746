//! Associations v4 (`/crm/v4/objects/...` and `/crm/v4/associations/...`, API-NOTES §2.2–§3):
//! reading, labelling, creating and removing links between records.
//!
//! Owns: the v4 paths and bodies and the HUBSPOT_DEFINED type ids. Must not: use the v3
//! per-object association URLs (gone from every current spec, API-NOTES §2.1), or decide which
//! associations the UI shows.

use reqwest::Method;
use serde::Serialize;

use super::client::{Client, Request, seg};
use super::dto::{
    AssociatedObject, AssociationLabelsInput, AssociationSpec, AssociationType, AssociationsOf,
    BatchResponse, DefaultAssociation, LabelsBetweenObjectPair, ObjectId, Page, Results,
};
use super::error::ApiError;
use super::objects::{BatchOutcome, ChunkOutcome, chunk_ranges};
use super::retry::RequestKind;

/// Page size of `GET /crm/v4/objects/{t}/{id}/associations/{toT}` ("Limit 500 per call").
pub const ASSOCIATIONS_PAGE_MAX: u32 = 500;
/// Inputs per v4 association batch read ([D-assoc]: ≤ 1,000).
pub const BATCH_READ_ASSOCIATIONS_MAX: usize = 1000;
/// Inputs per `batch/labels/archive` request. No documented limit; 100 like object batches.
const LABELS_ARCHIVE_MAX: usize = 100;

/// `HUBSPOT_DEFINED` association type ids (API-NOTES §3, from [D-assoc]'s tables). Use with
/// [`AssociationSpec::hubspot`].
pub mod association_types {
    /// ticket → contact.
    pub const TICKET_TO_CONTACT: u32 = 16;
    /// contact → ticket.
    pub const CONTACT_TO_TICKET: u32 = 15;
    /// ticket → company (unlabeled).
    pub const TICKET_TO_COMPANY: u32 = 339;
    /// company → ticket (unlabeled).
    pub const COMPANY_TO_TICKET: u32 = 340;
    /// ticket → primary company (the legacy "ticket to company" id; not the unlabeled one).
    pub const TICKET_TO_PRIMARY_COMPANY: u32 = 26;
    /// primary company → ticket.
    pub const PRIMARY_COMPANY_TO_TICKET: u32 = 25;
    /// ticket → deal.
    pub const TICKET_TO_DEAL: u32 = 28;
    /// deal → ticket.
    pub const DEAL_TO_TICKET: u32 = 27;
    /// ticket → ticket.
    pub const TICKET_TO_TICKET: u32 = 452;
    /// ticket → call.
    pub const TICKET_TO_CALL: u32 = 219;
    /// call → ticket.
    pub const CALL_TO_TICKET: u32 = 220;
    /// ticket → email.
    pub const TICKET_TO_EMAIL: u32 = 223;
    /// email → ticket.
    pub const EMAIL_TO_TICKET: u32 = 224;
    /// ticket → meeting.
    pub const TICKET_TO_MEETING: u32 = 225;
    /// meeting → ticket.
    pub const MEETING_TO_TICKET: u32 = 226;
    /// ticket → note.
    pub const TICKET_TO_NOTE: u32 = 227;
    /// note → ticket.
    pub const NOTE_TO_TICKET: u32 = 228;
    /// ticket → task.
    pub const TICKET_TO_TASK: u32 = 229;
    /// task → ticket.
    pub const TASK_TO_TICKET: u32 = 230;
    /// ticket → communication (SMS, WhatsApp, LinkedIn).
    pub const TICKET_TO_COMMUNICATION: u32 = 84;
    /// communication → ticket.
    pub const COMMUNICATION_TO_TICKET: u32 = 83;
    /// ticket → postal mail.
    pub const TICKET_TO_POSTAL_MAIL: u32 = 456;
    /// postal mail → ticket.
    pub const POSTAL_MAIL_TO_TICKET: u32 = 455;
    /// ticket → thread.
    pub const TICKET_TO_THREAD: u32 = 32;
    /// ticket → conversation.
    pub const TICKET_TO_CONVERSATION: u32 = 278;
    /// contact → company (unlabeled).
    pub const CONTACT_TO_COMPANY: u32 = 279;
    /// contact → primary company.
    pub const CONTACT_TO_PRIMARY_COMPANY: u32 = 1;
    /// company → contact (unlabeled).
    pub const COMPANY_TO_CONTACT: u32 = 280;
    /// company → primary contact.
    pub const COMPANY_TO_PRIMARY_CONTACT: u32 = 2;
    /// contact → note.
    pub const CONTACT_TO_NOTE: u32 = 201;
    /// note → contact.
    pub const NOTE_TO_CONTACT: u32 = 202;
    /// company → note.
    pub const COMPANY_TO_NOTE: u32 = 189;
    /// note → company.
    pub const NOTE_TO_COMPANY: u32 = 190;
}

fn pair_path(from_type: &str, from_id: &str, to_type: &str, to_id: &str) -> String {
    format!(
        "/crm/v4/objects/{}/{}/associations/{}/{}",
        seg(from_type),
        seg(from_id),
        seg(to_type),
        seg(to_id)
    )
}

fn batch_path(from_type: &str, to_type: &str, rest: &str) -> String {
    format!(
        "/crm/v4/associations/{}/{}/batch/{rest}",
        seg(from_type),
        seg(to_type)
    )
}

pub(crate) fn page_request(
    from_type: &str,
    from_id: &str,
    to_type: &str,
    after: Option<&str>,
) -> Request {
    Request::get(format!(
        "/crm/v4/objects/{}/{}/associations/{}",
        seg(from_type),
        seg(from_id),
        seg(to_type)
    ))
    .query("limit", ASSOCIATIONS_PAGE_MAX.to_string())
    .opt("after", after)
}

/// The labels path. The current associations-schema spec writes it
/// `/crm/associations/v4/{from}/{to}/labels` (changed 2025-10-30), but every HubSpot doc and
/// the older spec revision use `/crm/v4/associations/{from}/{to}/labels`; the client uses the
/// documented form, which the sandbox serves too (API-NOTES §2.3).
pub(crate) fn labels_request(from_type: &str, to_type: &str) -> Request {
    Request::get(format!(
        "/crm/v4/associations/{}/{}/labels",
        seg(from_type),
        seg(to_type)
    ))
}

#[derive(Serialize)]
struct Inputs<T> {
    inputs: T,
}

#[derive(Serialize)]
struct FetchInput<'a> {
    id: &'a str,
}

impl Client {
    /// One page of a record's associations to a type (v4, 500 per page).
    pub async fn associations_page(
        &self,
        from_type: &str,
        from_id: &str,
        to_type: &str,
        after: Option<&str>,
    ) -> Result<Page<AssociatedObject>, ApiError> {
        self.json(page_request(from_type, from_id, to_type, after))
            .await
    }

    /// All of a record's associations to a type, paging through. Each entry lists every
    /// association type between the pair (a primary company shows types 26 and 339).
    pub async fn associations(
        &self,
        from_type: &str,
        from_id: &str,
        to_type: &str,
    ) -> Result<Vec<AssociatedObject>, ApiError> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .associations_page(from_type, from_id, to_type, after.as_deref())
                .await?;
            let next = page.next_after().map(str::to_owned);
            all.extend(page.results);
            match next {
                Some(n) if after.as_deref() != Some(n.as_str()) => after = Some(n),
                _ => return Ok(all),
            }
        }
    }

    /// Association types (and labels) defined between two object types.
    pub async fn association_labels(
        &self,
        from_type: &str,
        to_type: &str,
    ) -> Result<Vec<AssociationType>, ApiError> {
        let r: Results<AssociationType> = self.json(labels_request(from_type, to_type)).await?;
        Ok(r.results)
    }

    /// Associates two records with these types (PUT, 201). HubSpot *replaces* the pair's labels
    /// with the ones sent, so resend labels to keep (API-NOTES §2.2).
    pub async fn associate(
        &self,
        from_type: &str,
        from_id: &str,
        to_type: &str,
        to_id: &str,
        types: &[AssociationSpec],
    ) -> Result<LabelsBetweenObjectPair, ApiError> {
        let req = Request::new(
            Method::PUT,
            pair_path(from_type, from_id, to_type, to_id),
            RequestKind::Write,
        )
        .json(types)?;
        self.json(req).await
    }

    /// Creates the default (unlabeled) association (PUT `.../associations/default/...`, 200).
    pub async fn associate_default(
        &self,
        from_type: &str,
        from_id: &str,
        to_type: &str,
        to_id: &str,
    ) -> Result<BatchResponse<DefaultAssociation>, ApiError> {
        let req = Request::new(
            Method::PUT,
            format!(
                "/crm/v4/objects/{}/{}/associations/default/{}/{}",
                seg(from_type),
                seg(from_id),
                seg(to_type),
                seg(to_id)
            ),
            RequestKind::Write,
        );
        self.json(req).await
    }

    /// Removes **every** association type between two records (DELETE, 204).
    pub async fn remove_association(
        &self,
        from_type: &str,
        from_id: &str,
        to_type: &str,
        to_id: &str,
    ) -> Result<(), ApiError> {
        let req = Request::new(
            Method::DELETE,
            pair_path(from_type, from_id, to_type, to_id),
            RequestKind::Write,
        );
        self.no_content(req).await
    }

    /// Removes specific types/labels between pairs (POST `batch/labels/archive`, 204).
    /// Removing the unlabeled type removes all labels of the pair too.
    pub async fn remove_association_labels(
        &self,
        from_type: &str,
        to_type: &str,
        inputs: &[AssociationLabelsInput],
    ) -> Result<BatchOutcome<()>, ApiError> {
        let mut chunks = Vec::new();
        for range in chunk_ranges(inputs.len(), LABELS_ARCHIVE_MAX) {
            let slice = &inputs[range.clone()];
            let req = Request::new(
                Method::POST,
                batch_path(from_type, to_type, "labels/archive"),
                RequestKind::Write,
            )
            .json(&Inputs { inputs: slice })?;
            chunks.push(ChunkOutcome {
                range,
                ids: slice.iter().map(|i| i.from.id.clone()).collect(),
                result: self.no_content(req).await,
            });
        }
        Ok(BatchOutcome { chunks })
    }

    /// Associations of many records at once (POST `batch/read`, chunks of 1,000). A result
    /// with `paging` has more associations: fetch them with [`Client::associations`].
    pub async fn batch_read_associations(
        &self,
        from_type: &str,
        to_type: &str,
        ids: &[String],
    ) -> Result<BatchOutcome<BatchResponse<AssociationsOf>>, ApiError> {
        let mut chunks = Vec::new();
        for range in chunk_ranges(ids.len(), BATCH_READ_ASSOCIATIONS_MAX) {
            let slice = &ids[range.clone()];
            let req = Request::new(
                Method::POST,
                batch_path(from_type, to_type, "read"),
                RequestKind::Read,
            )
            .json(&Inputs {
                inputs: slice.iter().map(|id| FetchInput { id }).collect::<Vec<_>>(),
            })?;
            chunks.push(ChunkOutcome {
                range,
                ids: slice.to_vec(),
                result: self.json(req).await,
            });
        }
        Ok(BatchOutcome { chunks })
    }
}

/// `{from:{id}, to:{id}, types}` for [`Client::remove_association_labels`].
pub fn labels_input(
    from_id: &str,
    to_id: &str,
    types: Vec<AssociationSpec>,
) -> AssociationLabelsInput {
    AssociationLabelsInput {
        from: ObjectId::new(from_id),
        to: ObjectId::new(to_id),
        types,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_queries() {
        let r = page_request("tickets", "7", "contacts", Some("MTA="));
        assert_eq!(r.path(), "/crm/v4/objects/tickets/7/associations/contacts");
        assert_eq!(
            r.query_pairs(),
            &[("limit", "500".to_owned()), ("after", "MTA=".to_owned())]
        );
        assert_eq!(
            labels_request("tickets", "companies").path(),
            "/crm/v4/associations/tickets/companies/labels"
        );
        assert_eq!(
            pair_path("tickets", "1", "contacts", "2"),
            "/crm/v4/objects/tickets/1/associations/contacts/2"
        );
        assert_eq!(
            batch_path("tickets", "notes", "labels/archive"),
            "/crm/v4/associations/tickets/notes/batch/labels/archive"
        );
    }

    #[test]
    fn associate_body_is_a_spec_array() {
        let req = Request::new(
            Method::PUT,
            pair_path("tickets", "1", "companies", "2"),
            RequestKind::Write,
        )
        .json(
            &[AssociationSpec::hubspot(
                association_types::TICKET_TO_PRIMARY_COMPANY,
            )][..],
        )
        .expect("body");
        assert_eq!(
            req.body_json().expect("json"),
            serde_json::json!([{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":26}])
        );
        let input = labels_input("1", "2", vec![AssociationSpec::hubspot(16)]);
        assert_eq!(
            serde_json::to_value(Inputs { inputs: [input] }).expect("ser"),
            serde_json::json!({"inputs":[{"from":{"id":"1"},"to":{"id":"2"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":16}]}]})
        );
    }
}
