//! Who the credential is: private-app token info (its scopes, hub, app, user) and the
//! account's details (portal ID, UI domain, data-hosting region, time zone), API-NOTES §8a.
//!
//! Owns: those two requests and their wire types. Must not: judge the answers (which scopes
//! hubtix needs is `doctor`'s business) or reveal the token beyond the one body it must go in.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::client::{Client, Request};
use super::error::ApiError;
use super::retry::RequestKind;

/// `POST /oauth/v2/private-apps/get/access-token-info`'s path.
pub const TOKEN_INFO_PATH: &str = "/oauth/v2/private-apps/get/access-token-info";
/// `GET /account-info/v3/details`'s path (the dated `/account-info/2026-03/details` answers
/// the same; v3 is what older portals and the sandbox both serve).
pub const ACCOUNT_DETAILS_PATH: &str = "/account-info/v3/details";

/// What HubSpot says about a private app's access token. The fields are those HubSpot's
/// private-apps page shows (`userId`, `hubId`, `appId`, `scopes`); every one but `scopes` is
/// optional here, since the page is cited second-hand (API-NOTES §8a: UNCONFIRMED in detail,
/// and so is whether a service key gets an answer at all).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    #[serde(default)]
    pub user_id: Option<u64>,
    #[serde(default)]
    pub hub_id: Option<u64>,
    #[serde(default)]
    pub app_id: Option<u64>,
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// `GET /account-info/v3/details`: the account's settings. Only `portalId` is read as
/// required; the rest may be missing from older accounts' answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetails {
    pub portal_id: u64,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub company_currency: Option<String>,
    #[serde(default)]
    pub ui_domain: Option<String>,
    #[serde(default)]
    pub data_hosting_location: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenKey<'a> {
    token_key: &'a str,
}

impl Client {
    /// The scopes, hub and app of this client's token, from HubSpot's private-app token-info
    /// endpoint (the token goes in the body, as that endpoint takes it; it is sent in the
    /// `Authorization` header too, like every request). A read: safe to retry.
    pub async fn token_info(&self) -> Result<TokenInfo, ApiError> {
        let body = TokenKey {
            token_key: self.token().expose(),
        };
        let req = Request::new(Method::POST, TOKEN_INFO_PATH.to_owned(), RequestKind::Read)
            .json(&body)?;
        self.json(req).await
    }

    /// The account's portal ID, UI domain, data-hosting region and time zone.
    pub async fn account_details(&self) -> Result<AccountDetails, ApiError> {
        self.json(Request::get(ACCOUNT_DETAILS_PATH.to_owned()))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_info_reads_what_hubspot_sends() {
        let info: TokenInfo = serde_json::from_str(
            r#"{"userId":1,"hubId":24681357,"appId":3,"scopes":["tickets","oauth"]}"#,
        )
        .expect("decodes");
        assert_eq!(info.hub_id, Some(24_681_357));
        assert_eq!(info.scopes, ["tickets", "oauth"]);
    }

    #[test]
    fn account_details_need_only_the_portal_id() {
        let d: AccountDetails = serde_json::from_str(r#"{"portalId":5}"#).expect("decodes");
        assert_eq!(d.portal_id, 5);
        assert_eq!(d.ui_domain, None);
    }
}
