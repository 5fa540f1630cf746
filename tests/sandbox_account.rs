//! Token info, account info and scopes: the sandbox serves HubSpot's token-info and
//! account-info endpoints (API-NOTES §8a) and refuses a request its token's scopes do not
//! cover with 403 MISSING_SCOPES; the client reads them over real HTTP.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Api, TOKEN, start, start_with};
use hubtix::sandbox::{DEFAULT_SCOPES, SANDBOX_PORTAL_ID, SandboxConfig};
use serde_json::json;

fn scopes_without(gone: &str) -> Vec<String> {
    DEFAULT_SCOPES
        .iter()
        .filter(|s| **s != gone)
        .map(|s| (*s).to_owned())
        .collect()
}

#[tokio::test]
async fn token_info_takes_the_token_in_the_body_and_lists_its_scopes() {
    let sb = start(5).await;
    let api = Api::new(&sb).with_token(None);
    let r = api
        .post(
            "/oauth/v2/private-apps/get/access-token-info",
            json!({"tokenKey": TOKEN}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["hubId"], SANDBOX_PORTAL_ID);
    assert!(r.body["appId"].is_u64() && r.body["userId"].is_u64());
    let scopes: Vec<&str> = r.body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(scopes, DEFAULT_SCOPES);

    let wrong = api
        .post(
            "/oauth/v2/private-apps/get/access-token-info",
            json!({"tokenKey": "pat-na1-not-this-one"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["category"], "INVALID_AUTHENTICATION");
}

#[tokio::test]
async fn account_details_as_hubspot_gives_them() {
    let sb = start(5).await;
    for path in ["/account-info/v3/details", "/account-info/2026-03/details"] {
        let r = Api::new(&sb).get(path).await;
        assert_eq!(r.status, 200, "{path}: {:?}", r.body);
        assert_eq!(r.body["portalId"], SANDBOX_PORTAL_ID);
        assert_eq!(r.body["uiDomain"], "app.hubspot.com");
        assert_eq!(r.body["dataHostingLocation"], "na1");
        assert_eq!(r.body["timeZone"], "US/Eastern");
        assert_eq!(r.body["accountType"], "STANDARD");
    }
    let anonymous = Api::new(&sb)
        .with_token(None)
        .get("/account-info/v3/details")
        .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn a_request_without_its_scope_is_refused_naming_the_scopes() {
    let sb = start_with(SandboxConfig {
        token: TOKEN.into(),
        tickets: 5,
        scopes: Some(scopes_without("crm.objects.owners.read")),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&sb);
    let owners = api.get("/crm/v3/owners").await;
    assert_eq!(owners.status, 403, "{:?}", owners.body);
    assert_eq!(owners.body["category"], "MISSING_SCOPES");
    assert_eq!(
        owners.body["errors"][0]["context"]["requiredGranularScopes"],
        json!(["crm.objects.owners.read"])
    );
    // Tickets are still readable: the other scopes are there.
    assert_eq!(api.get("/crm/v3/objects/tickets?limit=1").await.status, 200);

    // `tickets` alone covers tickets; without it and the granular scope they are refused.
    let sb = start_with(SandboxConfig {
        token: TOKEN.into(),
        tickets: 5,
        scopes: Some(vec!["crm.objects.contacts.read".into()]),
        ..SandboxConfig::default()
    })
    .await;
    let r = Api::new(&sb).get("/crm/v3/objects/tickets?limit=1").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body["errors"][0]["context"]["requiredGranularScopes"],
        json!(["tickets", "crm.objects.tickets.read"])
    );
}

#[tokio::test]
async fn the_client_reads_token_info_account_details_and_the_server_clock() {
    let (_sb, client) = common::client::setup(5).await;
    assert_eq!(client.server_clock(), None);
    let info = client.token_info().await.unwrap();
    assert_eq!(info.hub_id, Some(SANDBOX_PORTAL_ID));
    assert_eq!(info.scopes, DEFAULT_SCOPES);
    let details = client.account_details().await.unwrap();
    assert_eq!(details.portal_id, SANDBOX_PORTAL_ID);
    assert_eq!(details.ui_domain.as_deref(), Some("app.hubspot.com"));
    assert_eq!(details.data_hosting_location.as_deref(), Some("na1"));
    let clock = client.server_clock().expect("the sandbox sends Date");
    assert!(clock.skew().as_secs().abs() <= 2, "{clock:?}");
}
