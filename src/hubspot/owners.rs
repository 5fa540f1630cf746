//! Owners (`GET /crm/v3/owners`, API-NOTES §4.4).
//!
//! Owns: paging through owners. Must not: confuse owner `id` (the value of `hubspot_owner_id`)
//! with `userId`.

use super::client::{Client, Request};
use super::dto::{Page, PublicOwner};
use super::error::ApiError;

/// Page size used for owners: the spec's default. 500 is reported to work [O] but is not
/// documented, so the client stays at 100.
pub const OWNERS_PAGE_MAX: u32 = 100;

pub(crate) fn owners_request(after: Option<&str>, archived: bool) -> Request {
    Request::get("/crm/v3/owners".to_owned())
        .query("limit", OWNERS_PAGE_MAX.to_string())
        .opt("after", after)
        .archived(archived)
}

impl Client {
    /// One page of owners.
    pub async fn owners_page(
        &self,
        after: Option<&str>,
        archived: bool,
    ) -> Result<Page<PublicOwner>, ApiError> {
        self.json(owners_request(after, archived)).await
    }

    /// Every active owner, paging through all.
    pub async fn owners(&self) -> Result<Vec<PublicOwner>, ApiError> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.owners_page(after.as_deref(), false).await?;
            let next = page.next_after().map(str::to_owned);
            all.extend(page.results);
            match next {
                Some(n) if after.as_deref() != Some(n.as_str()) => after = Some(n),
                _ => return Ok(all),
            }
        }
    }

    /// Owners with this email (`email=` filter).
    pub async fn owners_by_email(&self, email: &str) -> Result<Vec<PublicOwner>, ApiError> {
        let page: Page<PublicOwner> = self
            .json(owners_request(None, false).query("email", email))
            .await?;
        Ok(page.results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_query() {
        let r = owners_request(Some("abc"), true);
        assert_eq!(r.path(), "/crm/v3/owners");
        assert_eq!(
            r.query_pairs(),
            &[
                ("limit", "100".to_owned()),
                ("after", "abc".to_owned()),
                ("archived", "true".to_owned())
            ]
        );
    }
}
