//! Typed errors of the HubSpot client: [`ApiError`], built from HubSpot's error bodies
//! (API-NOTES §6.1), plus the batch [`StandardError`] of 207 responses.
//!
//! Owns: parsing error bodies, classifying errors (auth, not found, retryable) and the one-line
//! summary the CLI prints. Must not: do I/O, know about the UI, or ever hold the access token
//! (the client redacts bodies before they are parsed or cut, and passes every error it returns
//! through [`ApiError::map_text`] with the token's redaction).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Longest excerpt of a non-JSON error body kept in an error.
const EXCERPT_CHARS: usize = 200;

/// One entry of `errors[]` in an error body (`ErrorDetail` in the specs).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// Human-readable message, e.g. `Property "x" does not exist`.
    #[serde(default)]
    pub message: String,
    /// Machine code, e.g. `PROPERTY_DOESNT_EXIST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Where the error is (`in` in the body), e.g. a field name.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_: Option<String>,
    /// Finer category, when HubSpot sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_category: Option<String>,
    /// Context such as `propertyName` or `requiredGranularScopes`.
    #[serde(default, deserialize_with = "context_map")]
    pub context: BTreeMap<String, Vec<String>>,
}

/// An error entry of a batch response (`StandardError` in the specs), e.g. `OBJECT_NOT_FOUND`
/// with `context.ids` listing the records it concerns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StandardError {
    /// The HTTP status of this error, as a string (`"error"` has also been seen).
    #[serde(default)]
    pub status: String,
    /// Main category, e.g. `OBJECT_NOT_FOUND`, `VALIDATION_ERROR`.
    #[serde(default)]
    pub category: String,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// Context, e.g. `ids`, `objectWriteTraceId`, `propertyName`.
    #[serde(default, deserialize_with = "context_map")]
    pub context: BTreeMap<String, Vec<String>>,
    /// Detailed errors.
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
    /// Documentation links.
    #[serde(default)]
    pub links: BTreeMap<String, String>,
    /// Unique id of this error instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Typed as an object in the spec; kept as raw JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_category: Option<Value>,
}

impl StandardError {
    /// Record ids this error concerns (`context.ids`), e.g. the ids that were not found.
    pub fn ids(&self) -> &[String] {
        self.context.get("ids").map(Vec::as_slice).unwrap_or(&[])
    }

    /// The `objectWriteTraceId`s of the batch inputs this error concerns (multi-status batch
    /// create and update, API-NOTES §1).
    pub fn trace_ids(&self) -> &[String] {
        self.context
            .get("objectWriteTraceId")
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// An error answer from HubSpot, parsed from its body (`Error` in the specs; 429 bodies add
/// `errorType` and `policyName`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpError {
    /// HTTP status code.
    pub status: u16,
    /// `category` (or a 429's `errorType`), e.g. `VALIDATION_ERROR`, `OBJECT_NOT_FOUND`.
    pub category: Option<String>,
    /// `subCategory`, when present.
    pub sub_category: Option<String>,
    /// `message`, or an excerpt of a body that was not JSON.
    pub message: String,
    /// `correlationId` (or the `X-HubSpot-Correlation-Id` header): quote it to support.
    pub correlation_id: Option<String>,
    /// `errors[]`.
    pub errors: Vec<ErrorDetail>,
    /// `context`.
    pub context: BTreeMap<String, Vec<String>>,
    /// `links`.
    pub links: BTreeMap<String, String>,
    /// `policyName` of a 429 body (`TEN_SECONDLY_ROLLING`, `DAILY`, ...).
    pub policy_name: Option<String>,
}

/// Everything that can go wrong talking to HubSpot.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// HubSpot answered with a non-success status (boxed: keeps `Result<_, ApiError>` small).
    #[error("{}", self.summary())]
    Http(Box<HttpError>),
    /// A rate limit was hit and retrying did not (or could not) get through.
    #[error("{}", self.summary())]
    RateLimited {
        /// `policyName` of the last 429 (`DAILY`, `TEN_SECONDLY_ROLLING`, `SECONDLY`), if known.
        policy: Option<String>,
        /// How long HubSpot or the headers suggested waiting, when known.
        retry_after: Option<Duration>,
        /// The message of the last 429 body.
        message: String,
        /// Correlation id of the last 429.
        correlation_id: Option<String>,
    },
    /// The request could not be sent or the connection broke (no response).
    #[error("{}", self.summary())]
    Network(String),
    /// No response within the configured timeout.
    #[error("{}", self.summary())]
    Timeout,
    /// A success response whose body was not the expected JSON (an HTML page from a proxy,
    /// JSON cut short), still so after the retries a safe request gets. A write answered so
    /// is [`ApiError::WriteOutcomeUnknown`] instead.
    #[error("{}", self.summary())]
    Decode(String),
    /// A write was sent but no trustworthy answer came back (timeout, 5xx, connection reset).
    /// It was **not** re-sent: HubSpot may or may not have applied it. Re-read the record.
    #[error("{}", self.summary())]
    WriteOutcomeUnknown {
        /// HTTP method of the write.
        method: String,
        /// Path of the write (no host, no query).
        path: String,
        /// What happened, e.g. `timed out` or `HTTP 502 ...`.
        cause: String,
    },
    /// The client was configured wrongly (a base URL that is not http(s), a token that cannot
    /// be sent): no request can ever succeed, so none is retried.
    #[error("{}", self.summary())]
    Config(String),
    /// A write the client's write gate refused (read-only, offline): nothing was sent.
    #[error("{}", self.summary())]
    Refused(String),
}

impl ApiError {
    /// HTTP status, when the error came with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Http(h) => Some(h.status),
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The HubSpot category, when the error came with a body.
    pub fn category(&self) -> Option<&str> {
        match self {
            Self::Http(h) => h.category.as_deref(),
            _ => None,
        }
    }

    /// 404 (`OBJECT_NOT_FOUND`, "resource not found").
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// 401 (bad or expired token) or 403 (missing scopes or permissions).
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// Whether trying again later could succeed (rate limits, locks, 5xx, network, timeout).
    /// [`ApiError::WriteOutcomeUnknown`] is not: re-read first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Http(h) => is_retryable_status(h.status),
            Self::RateLimited { policy, .. } => policy.as_deref() != Some("DAILY"),
            // A garbled answer (an HTML page from a proxy, JSON cut short) is as transient
            // as a broken connection; the client retries safe requests on it itself.
            Self::Network(_) | Self::Timeout | Self::Decode(_) => true,
            Self::WriteOutcomeUnknown { .. } | Self::Config(_) | Self::Refused(_) => false,
        }
    }

    /// Scopes HubSpot says are required (`errors[].context.requiredGranularScopes` of a 403
    /// `MISSING_SCOPES`), or `None` when this is not a missing-scopes error.
    pub fn missing_scopes(&self) -> Option<Vec<String>> {
        let Self::Http(h) = self else {
            return None;
        };
        let HttpError {
            category,
            errors,
            context,
            ..
        } = &**h;
        let mut scopes: Vec<String> = errors
            .iter()
            .flat_map(|e| {
                e.context
                    .get("requiredGranularScopes")
                    .into_iter()
                    .flatten()
            })
            .chain(context.get("requiredGranularScopes").into_iter().flatten())
            .cloned()
            .collect();
        scopes.dedup();
        if scopes.is_empty() && category.as_deref() != Some("MISSING_SCOPES") {
            None
        } else {
            Some(scopes)
        }
    }

    /// Per-property problems as `(property name, message)`, from `errors[].context.propertyName`
    /// (e.g. `PROPERTY_DOESNT_EXIST`, invalid option values).
    pub fn field_errors(&self) -> Vec<(String, String)> {
        let Self::Http(h) = self else {
            return Vec::new();
        };
        h.errors
            .iter()
            .flat_map(|e| {
                e.context
                    .get("propertyName")
                    .into_iter()
                    .flatten()
                    .map(move |name| (name.clone(), e.message.clone()))
            })
            .collect()
    }

    /// One line for humans, e.g.
    /// `HTTP 400 VALIDATION_ERROR: Property values were not valid (correlation id 1234)`.
    /// HubSpot's correlation ID of the answer, when there was one.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Self::Http(h) => h.correlation_id.as_deref(),
            Self::RateLimited { correlation_id, .. } => correlation_id.as_deref(),
            _ => None,
        }
    }

    /// The message alone, on one line: HubSpot's, or what went wrong on the way.
    pub fn message(&self) -> String {
        match self {
            Self::Http(h) => one_line(&h.message),
            Self::RateLimited { message, .. } => one_line(message),
            Self::Network(m) | Self::Decode(m) | Self::Config(m) | Self::Refused(m) => one_line(m),
            Self::Timeout => "request timed out".to_owned(),
            Self::WriteOutcomeUnknown { cause, .. } => one_line(cause),
        }
    }

    pub fn summary(&self) -> String {
        match self {
            Self::Http(h) => {
                let HttpError {
                    status,
                    category,
                    message,
                    correlation_id,
                    ..
                } = &**h;
                let mut s = format!("HTTP {status}");
                if let Some(c) = category {
                    s.push(' ');
                    s.push_str(c);
                }
                if !message.is_empty() {
                    s.push_str(": ");
                    s.push_str(&one_line(message));
                }
                push_correlation(&mut s, correlation_id.as_deref());
                s
            }
            Self::RateLimited {
                policy,
                retry_after,
                message,
                correlation_id,
            } => {
                let mut s = String::from("HTTP 429 rate limited");
                if let Some(p) = policy {
                    s.push_str(&format!(" ({p})"));
                }
                if !message.is_empty() {
                    s.push_str(": ");
                    s.push_str(&one_line(message));
                }
                if let Some(d) = retry_after {
                    if *d >= Duration::from_secs(1) {
                        s.push_str(&format!("; retry in {:.0} s", d.as_secs_f64().ceil()));
                    } else {
                        s.push_str(&format!("; retry in {} ms", d.as_millis()));
                    }
                }
                push_correlation(&mut s, correlation_id.as_deref());
                s
            }
            Self::Network(m) => format!("network error: {}", one_line(m)),
            Self::Timeout => "request timed out".to_owned(),
            Self::Decode(m) => format!("unexpected response from HubSpot: {}", one_line(m)),
            Self::WriteOutcomeUnknown {
                method,
                path,
                cause,
            } => format!(
                "{method} {path}: outcome unknown ({}); not re-sent, re-read to check",
                one_line(cause)
            ),
            Self::Config(m) => format!("client configuration: {}", one_line(m)),
            Self::Refused(m) => one_line(m),
        }
    }

    /// The same error with `f` applied to every text it carries (messages, causes, contexts,
    /// links, ids): the client scrubs the token from every error it returns with this, so an
    /// echo the raw body hid (escaped in JSON, say) cannot come out of parsing.
    pub(crate) fn map_text(self, f: &dyn Fn(&str) -> String) -> Self {
        let opt = |o: Option<String>| o.map(|s| f(&s));
        match self {
            Self::Http(h) => {
                let h = *h;
                Self::Http(Box::new(HttpError {
                    status: h.status,
                    category: opt(h.category),
                    sub_category: opt(h.sub_category),
                    message: f(&h.message),
                    correlation_id: opt(h.correlation_id),
                    errors: h
                        .errors
                        .into_iter()
                        .map(|e| ErrorDetail {
                            message: f(&e.message),
                            code: opt(e.code),
                            in_: opt(e.in_),
                            sub_category: opt(e.sub_category),
                            context: map_context(e.context, f),
                        })
                        .collect(),
                    context: map_context(h.context, f),
                    links: h.links.iter().map(|(k, v)| (f(k), f(v))).collect(),
                    policy_name: opt(h.policy_name),
                }))
            }
            Self::RateLimited {
                policy,
                retry_after,
                message,
                correlation_id,
            } => Self::RateLimited {
                policy: opt(policy),
                retry_after,
                message: f(&message),
                correlation_id: opt(correlation_id),
            },
            Self::Network(m) => Self::Network(f(&m)),
            Self::Timeout => Self::Timeout,
            Self::Decode(m) => Self::Decode(f(&m)),
            Self::WriteOutcomeUnknown {
                method,
                path,
                cause,
            } => Self::WriteOutcomeUnknown {
                method: f(&method),
                path: f(&path),
                cause: f(&cause),
            },
            Self::Config(m) => Self::Config(f(&m)),
            Self::Refused(m) => Self::Refused(f(&m)),
        }
    }

    /// Builds [`ApiError::Http`] from a status and a raw body. A body that is not a JSON object
    /// still yields `Http` with a short excerpt as message. `header_correlation_id` (from
    /// `X-HubSpot-Correlation-Id`) fills in when the body has none.
    pub fn from_response(status: u16, body: &[u8], header_correlation_id: Option<&str>) -> Self {
        let parsed: Option<ErrorBody> = serde_json::from_slice::<Value>(body)
            .ok()
            .filter(Value::is_object)
            .and_then(|v| serde_json::from_value(v).ok());
        match parsed {
            Some(b) => Self::Http(Box::new(HttpError {
                status,
                category: b.category.or(b.error_type),
                sub_category: b.sub_category.and_then(|v| match v {
                    Value::String(s) => Some(s),
                    Value::Null => None,
                    other => Some(other.to_string()),
                }),
                message: b.message.unwrap_or_default(),
                correlation_id: b
                    .correlation_id
                    .or_else(|| header_correlation_id.map(str::to_owned)),
                errors: b.errors,
                context: b.context,
                links: b.links,
                policy_name: b.policy_name,
            })),
            None => Self::Http(Box::new(HttpError {
                status,
                message: excerpt(body),
                correlation_id: header_correlation_id.map(str::to_owned),
                ..HttpError::default()
            })),
        }
    }
}

/// Statuses worth retrying for a request that is safe to repeat (API-NOTES §6.1: pause and
/// retry on 502/503/504/521, wait ≥ 2 s on 423; 500 included because HubSpot's own SDK retries
/// it and search's "secondly limit" sometimes arrives as 500 [O]).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 423 | 429 | 500 | 502 | 503 | 504 | 521)
}

/// The error body as HubSpot sends it; every field optional so odd bodies still parse.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    message: Option<String>,
    correlation_id: Option<String>,
    category: Option<String>,
    /// 429 bodies carry `errorType: "RATE_LIMIT"` instead of `category` (API-NOTES §6.2).
    error_type: Option<String>,
    sub_category: Option<Value>,
    #[serde(default)]
    errors: Vec<ErrorDetail>,
    #[serde(default, deserialize_with = "context_map")]
    context: BTreeMap<String, Vec<String>>,
    #[serde(default, deserialize_with = "links_map")]
    links: BTreeMap<String, String>,
    policy_name: Option<String>,
}

/// `context` is documented as string → string[]; some bodies (expired token:
/// `context["expire time"]`) may carry plain strings. Accept strings, arrays and scalars.
fn context_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    let raw: Option<Map<String, Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let values = match v {
                Value::Array(items) => items.into_iter().map(value_to_string).collect(),
                Value::Null => Vec::new(),
                other => vec![value_to_string(other)],
            };
            (k, values)
        })
        .collect())
}

fn links_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<Map<String, Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, value_to_string(v)))
        .collect())
}

fn value_to_string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

fn push_correlation(s: &mut String, id: Option<&str>) {
    if let Some(id) = id {
        s.push_str(&format!(" (correlation id {id})"));
    }
}

/// Collapses whitespace so a summary stays on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn map_context(
    context: BTreeMap<String, Vec<String>>,
    f: &dyn Fn(&str) -> String,
) -> BTreeMap<String, Vec<String>> {
    context
        .iter()
        .map(|(k, vs)| (f(k), vs.iter().map(|v| f(v)).collect()))
        .collect()
}

/// A short, printable excerpt of a body that was not JSON (an HTML 502 page, say). Cuts the
/// text: redact the token from `body` before calling this, never after.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = one_line(&cleaned);
    if cleaned.chars().count() > EXCERPT_CHARS {
        let cut: String = cleaned.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Bodies from API-NOTES §6.1/§6.2.
    const BODY_400: &str = r#"{"status":"error","message":"Property values were not valid: [{\"isValid\":false}]","correlationId":"aeb5f871-7f07-4993-9211-075dc63e7cbf","errors":[{"message":"Property \"testproperty\" does not exist","code":"PROPERTY_DOESNT_EXIST","context":{"propertyName":["testproperty"]}}],"category":"VALIDATION_ERROR"}"#;
    const BODY_403: &str = r#"{"status":"error","message":"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.","correlationId":"c1","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["tickets","crm.objects.tickets.read"]}}],"links":{"scopes":"https://developers.hubspot.com/scopes"},"category":"MISSING_SCOPES"}"#;
    const BODY_404: &str = r#"{"status":"error","message":"resource not found","correlationId":"c404","category":"OBJECT_NOT_FOUND"}"#;
    const BODY_429_DAILY: &str = r#"{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"c429","policyName":"DAILY","requestId":"r1"}"#;
    const BODY_429_TEN: &str = r#"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c42","policyName":"TEN_SECONDLY_ROLLING","requestId":"r2"}"#;

    #[test]
    fn parses_validation_error() {
        let e = ApiError::from_response(400, BODY_400.as_bytes(), None);
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.category(), Some("VALIDATION_ERROR"));
        assert_eq!(
            e.field_errors(),
            vec![(
                "testproperty".to_owned(),
                "Property \"testproperty\" does not exist".to_owned()
            )]
        );
        let ApiError::Http(h) = &e else {
            panic!("not Http: {e:?}")
        };
        assert_eq!(h.errors[0].code.as_deref(), Some("PROPERTY_DOESNT_EXIST"));
        assert_eq!(
            e.summary(),
            "HTTP 400 VALIDATION_ERROR: Property values were not valid: [{\"isValid\":false}] \
             (correlation id aeb5f871-7f07-4993-9211-075dc63e7cbf)"
        );
        assert!(!e.is_retryable());
        assert!(!e.is_auth());
        assert_eq!(e.missing_scopes(), None);
    }

    #[test]
    fn parses_missing_scopes() {
        let e = ApiError::from_response(403, BODY_403.as_bytes(), None);
        assert!(e.is_auth());
        assert_eq!(
            e.missing_scopes(),
            Some(vec![
                "tickets".to_owned(),
                "crm.objects.tickets.read".to_owned()
            ])
        );
        let ApiError::Http(h) = &e else { panic!() };
        assert_eq!(h.links["scopes"], "https://developers.hubspot.com/scopes");
    }

    #[test]
    fn parses_not_found() {
        let e = ApiError::from_response(404, BODY_404.as_bytes(), None);
        assert!(e.is_not_found());
        assert_eq!(e.category(), Some("OBJECT_NOT_FOUND"));
        assert_eq!(
            e.to_string(),
            "HTTP 404 OBJECT_NOT_FOUND: resource not found (correlation id c404)"
        );
    }

    #[test]
    fn parses_rate_limit_bodies() {
        let e = ApiError::from_response(429, BODY_429_DAILY.as_bytes(), None);
        let ApiError::Http(h) = &e else { panic!() };
        assert_eq!(h.policy_name.as_deref(), Some("DAILY"));
        assert_eq!(h.category.as_deref(), Some("RATE_LIMIT"));
        let e = ApiError::from_response(429, BODY_429_TEN.as_bytes(), None);
        let ApiError::Http(h) = &e else { panic!() };
        assert_eq!(h.policy_name.as_deref(), Some("TEN_SECONDLY_ROLLING"));
        assert!(e.is_retryable());
    }

    #[test]
    fn non_json_body_keeps_status_and_excerpt() {
        let html = format!(
            "<html>\n<head><title>502 Bad Gateway</title></head>{}</html>",
            "x".repeat(500)
        );
        let e = ApiError::from_response(502, html.as_bytes(), Some("hdr-corr"));
        let ApiError::Http(h) = &e else { panic!() };
        let HttpError {
            status,
            message,
            correlation_id,
            category,
            ..
        } = &**h;
        assert_eq!(*status, 502);
        assert!(category.is_none());
        assert!(message.starts_with("<html> <head><title>502 Bad Gateway"));
        assert!(message.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(correlation_id.as_deref(), Some("hdr-corr"));
        assert!(e.is_retryable());
        // JSON that is not an object is treated as text too.
        let e = ApiError::from_response(500, b"\"oops\"", None);
        assert_eq!(e.status(), Some(500));
    }

    #[test]
    fn tolerates_string_context_values() {
        let body = r#"{"status":"error","message":"The OAuth token used to make this call expired 1 hour ago.","correlationId":"c","category":"EXPIRED_AUTHENTICATION","context":{"expire time":"2026-01-01"}}"#;
        let e = ApiError::from_response(401, body.as_bytes(), None);
        let ApiError::Http(h) = &e else { panic!() };
        assert_eq!(h.context["expire time"], vec!["2026-01-01".to_owned()]);
        assert!(e.is_auth());
    }

    #[test]
    fn standard_error_ids() {
        let body = r#"{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some TICKET objects, they may be deleted or not exist. Check that ids are valid.","context":{"ids":["9","10"]},"errors":[],"links":{}}"#;
        let e: StandardError = serde_json::from_str(body).expect("parse");
        assert_eq!(e.ids(), ["9", "10"]);
    }

    #[test]
    fn other_variants_summaries() {
        assert!(ApiError::Timeout.is_retryable());
        let w = ApiError::WriteOutcomeUnknown {
            method: "PATCH".into(),
            path: "/crm/v3/objects/tickets/1".into(),
            cause: "timed out".into(),
        };
        assert!(!w.is_retryable());
        assert!(w.summary().contains("re-read"));
        let r = ApiError::RateLimited {
            policy: Some("DAILY".into()),
            retry_after: None,
            message: "You have reached your daily limit.".into(),
            correlation_id: None,
        };
        assert!(!r.is_retryable());
        assert_eq!(r.status(), Some(429));
    }

    #[test]
    fn map_text_reaches_every_text_of_every_variant() {
        let mark = |s: &str| s.replace("SECRET", "[redacted]");
        let body = r#"{"status":"error","message":"m SECRET","correlationId":"c SECRET","category":"C SECRET","subCategory":"s SECRET","errors":[{"message":"e SECRET","code":"SECRET","in":"SECRET","subCategory":"SECRET","context":{"SECRET":["SECRET"]}}],"context":{"k SECRET":["v SECRET"]},"links":{"SECRET":"SECRET"},"policyName":"SECRET"}"#;
        let errors = [
            ApiError::from_response(400, body.as_bytes(), None),
            ApiError::RateLimited {
                policy: Some("SECRET".into()),
                retry_after: None,
                message: "SECRET".into(),
                correlation_id: Some("SECRET".into()),
            },
            ApiError::Network("SECRET".into()),
            ApiError::Decode("SECRET".into()),
            ApiError::WriteOutcomeUnknown {
                method: "SECRET".into(),
                path: "SECRET".into(),
                cause: "SECRET".into(),
            },
            ApiError::Config("SECRET".into()),
        ];
        for e in errors {
            assert!(format!("{e:?}").contains("SECRET"));
            let e = e.map_text(&mark);
            assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
            assert!(format!("{e:?}").contains("[redacted]"), "{e:?}");
        }
        assert_eq!(ApiError::Timeout.map_text(&mark), ApiError::Timeout);
    }
}
