//! HubSpot's error body: `{status:"error", message, correlationId, category, errors?, context?, links?}`.

use serde_json::{Map, Value, json};

/// Boxed so that `Result<_, ApiError>` stays small.
#[derive(Debug, Clone)]
pub struct ApiError(Box<ApiErrorInner>);

impl std::ops::Deref for ApiError {
    type Target = ApiErrorInner;
    fn deref(&self) -> &ApiErrorInner {
        &self.0
    }
}
impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ApiErrorInner {
        &mut self.0
    }
}

#[derive(Debug, Clone)]
pub struct ApiErrorInner {
    pub status: u16,
    pub category: &'static str,
    pub message: String,
    pub errors: Vec<Value>,
    pub context: Option<Value>,
    pub links: Option<Value>,
    /// Extra top-level fields (the 429 body uses errorType/policyName/requestId).
    pub extra: Map<String, Value>,
    /// Extra response headers (an unknown path's `X-HubSpot-NotFound`).
    pub headers: Vec<(&'static str, &'static str)>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: u16, category: &'static str, message: impl Into<String>) -> ApiError {
        ApiError(Box::new(ApiErrorInner {
            status,
            category,
            message: message.into(),
            errors: Vec::new(),
            context: None,
            links: None,
            extra: Map::new(),
            headers: Vec::new(),
        }))
    }
    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "VALIDATION_ERROR", message)
    }
    pub fn not_found() -> ApiError {
        ApiError::new(404, "OBJECT_NOT_FOUND", "resource not found")
    }
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        )
    }
    pub fn with_errors(mut self, errors: Vec<Value>) -> ApiError {
        self.errors = errors;
        self
    }
    pub fn with_context(mut self, context: Value) -> ApiError {
        self.context = Some(context);
        self
    }

    /// The body HubSpot sends for a given status (used by fault injection).
    pub fn for_status(status: u16) -> ApiError {
        match status {
            400 => ApiError::validation("Invalid input (injected fault)"),
            401 => ApiError::unauthorized(),
            403 => {
                let mut e = ApiError::new(
                    403,
                    "MISSING_SCOPES",
                    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
                )
                .with_errors(vec![json!({
                    "message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": ["tickets", "crm.objects.tickets.read"]}
                })]);
                e.links = Some(json!({"scopes": "https://developers.hubspot.com/scopes"}));
                e
            }
            404 => ApiError::not_found(),
            409 => ApiError::new(409, "CONFLICT", "Conflict (injected fault)"),
            // The exact 423 body is UNCONFIRMED; HubSpot documents the status ("locked, retry after 2 s").
            423 => ApiError::new(
                423,
                "LOCKED",
                "The resource is locked due to heavy concurrent writes. Retry after 2 seconds.",
            ),
            429 => ApiError::rate_limited(
                "You have reached your ten_secondly_rolling limit.",
                "TEN_SECONDLY_ROLLING",
            ),
            477 => ApiError::new(
                477,
                "MIGRATION_IN_PROGRESS",
                "Account migration in progress. Retry later.",
            ),
            500 => ApiError::new(500, "INTERNAL_ERROR", "internal error"),
            502 => ApiError::new(502, "BAD_GATEWAY", "Bad Gateway"),
            503 => ApiError::new(503, "SERVICE_UNAVAILABLE", "Service Unavailable"),
            504 => ApiError::new(504, "GATEWAY_TIMEOUT", "Gateway Timeout"),
            s => ApiError::new(s, "ERROR", format!("Injected error {s}")),
        }
    }

    pub fn rate_limited(message: &str, policy: &str) -> ApiError {
        let mut e = ApiError::new(429, "RATE_LIMITS", message);
        e.extra.insert("errorType".into(), json!("RATE_LIMIT"));
        e.extra.insert("policyName".into(), json!(policy));
        e.extra.insert("requestId".into(), json!(uuid()));
        e
    }

    pub fn body(&self, correlation_id: &str) -> Value {
        let mut m = Map::new();
        m.insert("status".into(), json!("error"));
        m.insert("message".into(), json!(self.message));
        m.insert("correlationId".into(), json!(correlation_id));
        if self.status == 429 && self.extra.contains_key("policyName") {
            // The documented 429 body has errorType/policyName instead of category for the
            // ten-secondly policy; the search "secondly" limit sometimes carries category
            // RATE_LIMITS [O]. Keep `category` too: the spec's `Error` requires it.
        }
        m.insert("category".into(), json!(self.category));
        if !self.errors.is_empty() {
            m.insert("errors".into(), Value::Array(self.errors.clone()));
        }
        if let Some(c) = &self.context {
            m.insert("context".into(), c.clone());
        }
        if let Some(l) = &self.links {
            m.insert("links".into(), l.clone());
        }
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }
}

/// A uuid-shaped (v4 layout) random id.
pub fn uuid() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48 & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// One per-field error detail, HubSpot style.
pub fn field_error(code: &str, message: String, property: &str) -> Value {
    json!({"message": message, "code": code, "context": {"propertyName": [property]}})
}

/// 400 for invalid property values: top-level message embeds the details like HubSpot's
/// "Property values were not valid: [...]".
pub fn property_errors(errors: Vec<Value>) -> ApiError {
    let inner: Vec<Value> = errors
        .iter()
        .map(|e| {
            json!({
                "isValid": false,
                "message": e["message"],
                "error": e["code"],
                "name": e["context"]["propertyName"][0],
            })
        })
        .collect();
    ApiError::validation(format!(
        "Property values were not valid: {}",
        Value::Array(inner)
    ))
    .with_errors(errors)
}
