//! Who the sandbox's token belongs to: HubSpot's token-info and account-info endpoints, and
//! the scope each request needs (the front door in `sandbox.rs` refuses one the token lacks
//! with HubSpot's 403 `MISSING_SCOPES`).
//!
//! Routes:
//! - `POST /oauth/v2/private-apps/get/access-token-info` with `{"tokenKey": "<token>"}` →
//!   `{userId, hubId, appId, scopes}` (API-NOTES §8a). The token is in the body; HubSpot's
//!   page shows no `Authorization` header for it, so the front door lets it through without
//!   one and this handler checks `tokenKey` (UNCONFIRMED: whether HubSpot also wants a bearer
//!   token here, and its answer for an unknown token — the sandbox answers 401
//!   `INVALID_AUTHENTICATION` as for a bad bearer token).
//! - `GET /account-info/v3/details` and `GET /account-info/2026-03/details` → `portalId`,
//!   `accountType`, `timeZone`, `companyCurrency`, `additionalCurrencies`, `utcOffset`,
//!   `utcOffsetMilliseconds`, `uiDomain`, `dataHostingLocation` (API-NOTES §8a; the docs list
//!   its scope as `oauth`, which the sandbox does not enforce: UNCONFIRMED whether a private
//!   app or service key without it is refused).
//!
//! Must not: know about records or the store; the account is configuration in `state`.

use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, ok};
use super::state::{Account, AppState};

/// `POST /oauth/v2/private-apps/get/access-token-info`.
pub fn token_info(app: &AppState, r: &Req) -> ApiResult<Reply> {
    let body: Value = serde_json::from_slice(r.body)
        .map_err(|_| ApiError::validation("Invalid input JSON: expected {\"tokenKey\": \"…\"}"))?;
    let Some(key) = body.get("tokenKey").and_then(Value::as_str) else {
        return Err(ApiError::validation("tokenKey is required"));
    };
    if key.trim() != app.token || app.faults.token_revoked() {
        return Err(ApiError::unauthorized());
    }
    let a = &app.account;
    ok(json!({
        "userId": a.user_id,
        "hubId": a.portal_id,
        "appId": a.app_id,
        "scopes": a.scopes,
    }))
}

/// `GET /account-info/{v3|2026-03}/details`.
pub fn details(app: &AppState) -> ApiResult<Reply> {
    let a: &Account = &app.account;
    ok(json!({
        "portalId": a.portal_id,
        "accountType": "STANDARD",
        "timeZone": a.time_zone,
        "companyCurrency": "USD",
        "additionalCurrencies": [],
        "utcOffset": "-05:00",
        "utcOffsetMilliseconds": -18_000_000,
        "uiDomain": a.ui_domain,
        "dataHostingLocation": a.data_hosting_location,
    }))
}

/// Whether `path` is the token-info endpoint (authenticated by its body, not a header).
pub fn is_token_info(method: &str, path: &str) -> bool {
    method == "POST" && path.trim_end_matches('/') == "/oauth/v2/private-apps/get/access-token-info"
}

/// The scopes of which a request needs one, from the operations' `security` in the specs
/// (API-NOTES §8): tickets by `tickets` or the granular ticket scopes, their properties and
/// pipelines by `tickets` or `crm.schemas.tickets.read`, activities by the contacts scopes,
/// emails by those or `sales-email-read`, owners by `crm.objects.owners.read`. An association
/// route needs a scope of either object. `None`: no scope is checked (account info, token
/// info, an unknown route).
pub fn required_scopes(method: &str, path: &str) -> Option<Vec<String>> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let write = !(method == "GET" || path.ends_with("/search") || path.ends_with("/batch/read"));
    match segs.as_slice() {
        ["crm", "v3" | "v4", "objects", t, rest @ ..] => {
            let mut scopes = object_scopes(t, write);
            if let [_, "associations", to, ..] = rest {
                scopes.extend(object_scopes(to, write));
            }
            Some(scopes)
        }
        ["crm", "v3" | "v4", "associations", from, to, ..]
        | ["crm", "associations", "v4", from, to, ..] => {
            let mut scopes = object_scopes(from, write);
            scopes.extend(object_scopes(to, write));
            Some(scopes)
        }
        ["crm", "v3", "properties" | "pipelines", t, ..] if is_tickets(t) => {
            Some(strings(&["tickets", "crm.schemas.tickets.read"]))
        }
        ["crm", "v3", "properties" | "pipelines", t, ..] => Some(object_scopes(t, false)),
        ["crm", "v3", "owners", ..] => Some(strings(&["crm.objects.owners.read"])),
        _ => None,
    }
}

fn is_tickets(t: &str) -> bool {
    matches!(t, "tickets" | "ticket" | "0-5")
}

/// The scopes that let one read (or write) objects of type `t`.
fn object_scopes(t: &str, write: bool) -> Vec<String> {
    let access = if write { "write" } else { "read" };
    let contacts = format!("crm.objects.contacts.{access}");
    match t {
        t if is_tickets(t) => vec!["tickets".into(), format!("crm.objects.tickets.{access}")],
        "companies" | "company" | "0-2" => vec![format!("crm.objects.companies.{access}")],
        "deals" | "deal" | "0-3" => vec![format!("crm.objects.deals.{access}")],
        "emails" | "email" | "0-49" if !write => vec![contacts, "sales-email-read".into()],
        _ => vec![contacts],
    }
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| (*s).to_owned()).collect()
}

/// HubSpot's 403 for a token without any of `needed` (API-NOTES §6.1).
pub fn missing_scopes(needed: &[String]) -> ApiError {
    let mut e = ApiError::new(
        403,
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    )
    .with_errors(vec![json!({
        "message": "One or more of the following scopes are required.",
        "context": {"requiredGranularScopes": needed}
    })]);
    e.links = Some(json!({"scopes": "https://developers.hubspot.com/scopes"}));
    e
}

/// Whether `account` holds one of `needed`.
pub fn has_any(account: &Account, needed: &[String]) -> bool {
    needed.iter().any(|n| account.scopes.iter().any(|s| s == n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_by_route() {
        let r = |m, p| required_scopes(m, p).unwrap_or_default();
        assert_eq!(
            r("GET", "/crm/v3/objects/tickets/1"),
            ["tickets", "crm.objects.tickets.read"]
        );
        assert_eq!(
            r("POST", "/crm/v3/objects/tickets/search"),
            ["tickets", "crm.objects.tickets.read"]
        );
        assert_eq!(
            r("PATCH", "/crm/v3/objects/tickets/1"),
            ["tickets", "crm.objects.tickets.write"]
        );
        assert_eq!(r("GET", "/crm/v3/owners"), ["crm.objects.owners.read"]);
        assert_eq!(
            r("GET", "/crm/v3/objects/emails/9"),
            ["crm.objects.contacts.read", "sales-email-read"]
        );
        assert_eq!(
            r("GET", "/crm/v4/objects/tickets/1/associations/contacts"),
            [
                "tickets",
                "crm.objects.tickets.read",
                "crm.objects.contacts.read"
            ]
        );
        assert_eq!(required_scopes("GET", "/account-info/v3/details"), None);
    }
}
