//! HTTP plumbing for the handlers: the parsed request ([`Req`]: query parameters, JSON body,
//! the next-page link), the successful answer ([`Reply`] and its constructors), path
//! segment percent-decoding, and the errors about the request itself (unknown route, wrong
//! method, missing body field). It knows nothing of records, the store or HubSpot objects.

use serde_json::{Map, Value};

use super::errors::{ApiError, ApiResult};

/// A successful answer: status and optional JSON body.
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

/// 200 with a JSON body.
pub fn ok(v: Value) -> ApiResult<Reply> {
    Ok(Reply {
        status: 200,
        body: Some(v),
    })
}
/// Any status with a JSON body (201 created, 207 multi-status).
pub fn status(status: u16, v: Value) -> ApiResult<Reply> {
    Ok(Reply {
        status,
        body: Some(v),
    })
}
/// 204 without a body.
pub fn no_content() -> ApiResult<Reply> {
    Ok(Reply {
        status: 204,
        body: None,
    })
}

/// A parsed request: what the handlers read.
pub struct Req<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub raw_query: &'a str,
    pub query: Vec<(String, String)>,
    pub body: &'a [u8],
    pub base_url: &'a str,
}

impl Req<'_> {
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Comma-separated and/or repeated list parameter.
    pub fn csv(&self, name: &str) -> Option<Vec<String>> {
        let vals: Vec<String> = self
            .query
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect();
        if self.query.iter().any(|(k, _)| k == name) {
            Some(vals)
        } else {
            None
        }
    }
    pub fn flag(&self, name: &str) -> ApiResult<bool> {
        match self.q(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::validation(format!(
                "Invalid boolean value '{v}' for query parameter {name}"
            ))),
        }
    }
    pub fn int(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.q(name) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                ApiError::validation(format!(
                    "Invalid integer value '{v}' for query parameter {name}"
                ))
            }),
        }
    }
    pub fn json(&self) -> ApiResult<Value> {
        if self.body.is_empty() {
            return Err(ApiError::validation(
                "Invalid input JSON: request body is empty",
            ));
        }
        serde_json::from_slice(self.body).map_err(|e| {
            ApiError::validation(format!(
                "Invalid input JSON on line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })
    }
    /// `link` for the next page: this URL with `after` replaced.
    pub fn next_link(&self, after: &str) -> String {
        let mut parts: Vec<&str> = self
            .raw_query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("after="))
            .collect();
        let a = format!("after={after}");
        parts.push(&a);
        format!("{}{}?{}", self.base_url, self.path, parts.join("&"))
    }
}

/// Decodes `%XX` escapes in a path segment; anything else is kept as it is.
pub fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// 405 for a known path with a method it does not serve.
pub fn method_not_allowed(r: &Req) -> ApiError {
    ApiError::new(
        405,
        "METHOD_NOT_ALLOWED",
        format!("HTTP method {} is not supported by this resource", r.method),
    )
}

/// A path no operation serves (not a record or object type that does not exist). HubSpot
/// answers an unknown endpoint with 404 and the header `X-HubSpot-NotFound: true` [O: a
/// captured answer in HGData/mk-node-hubspot#150]; its body there is UNCONFIRMED. The sandbox
/// sends HubSpot's Error body with category `RESOURCE_NOT_FOUND` (not `OBJECT_NOT_FOUND`,
/// which means "no such record") and a message naming the endpoint, so a client can tell a
/// wrong URL from a missing record or a wrong object type (that one is a 400, "Unable to
/// infer object type").
pub fn no_route(r: &Req) -> ApiError {
    let mut e = ApiError::new(
        404,
        "RESOURCE_NOT_FOUND",
        format!(
            "No API endpoint matches {} {}; check the path and method",
            r.method, r.path
        ),
    );
    e.headers.push(("x-hubspot-notfound", "true"));
    e
}

/// The object field `field` of a request body, or 400 VALIDATION_ERROR.
pub fn object_field<'a>(v: &'a Value, field: &str) -> ApiResult<&'a Map<String, Value>> {
    v.get(field).and_then(Value::as_object).ok_or_else(|| {
        ApiError::validation(format!(
            "Invalid input JSON: missing or invalid field '{field}'"
        ))
    })
}
