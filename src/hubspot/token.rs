//! The access token: [`AccessToken`] holds it from the moment it is read (environment, config
//! file) to the `Authorization` header, and scrubs it from any text that may echo it.
//!
//! Owns: the token string, its `Debug`/`Display` (`[redacted]`), the check that it can be sent
//! at all, and [`AccessToken::redact`]. Must not: hand the string out except through
//! `expose`, which only the client's request building calls.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// What replaces the token (or a fragment of it) in any text.
pub const REDACTED: &str = "[redacted]";

/// Shortest fragment of the token, at the very start or end of a text, that is redacted as
/// well: a text cut before it reached the client (a body truncated in transit) may end in the
/// first characters of the token. Shorter fragments are too common to be told from text.
const MIN_FRAGMENT: usize = 4;

/// A HubSpot access token (private-app `pat-…` or OAuth). `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token. Surrounding whitespace (a newline left by a file or a paste) is not
    /// part of any token and is dropped; whitespace inside is kept, and refused by
    /// [`crate::hubspot::Client::new`] when it cannot be sent.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        let trimmed = token.trim();
        if trimmed.len() == token.len() {
            Self(token)
        } else {
            Self(trimmed.to_owned())
        }
    }

    /// No token at all (a blank variable or setting).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The region of a private app's token (`pat-na1-…` → `na1`), by its shape [O]; `None`
    /// for anything else (a service key's shape is not documented: UNCONFIRMED).
    pub fn private_app_region(&self) -> Option<&str> {
        let rest = self.0.strip_prefix("pat-")?;
        let (region, tail) = rest.split_once('-')?;
        let plausible = !region.is_empty()
            && region.len() <= 8
            && region.bytes().all(|b| b.is_ascii_alphanumeric())
            && !tail.is_empty();
        plausible.then_some(region)
    }

    /// The secret, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Why this token can never be sent in an `Authorization` header, if it cannot: a line
    /// break or another control character (HTTP header values may not carry them). The
    /// answer names the problem, never the token.
    pub(crate) fn unsendable(&self) -> Option<&'static str> {
        if self.0.contains(['\n', '\r']) {
            Some("the access token or service key contains a line break")
        } else if self.0.chars().any(char::is_control) {
            Some("the access token or service key contains a control character")
        } else if reqwest::header::HeaderValue::from_str(&format!("Bearer {}", self.0)).is_err() {
            Some("the access token or service key contains a character an HTTP header cannot carry")
        } else {
            None
        }
    }

    /// `text` with every occurrence of the token replaced by `[redacted]`, and a fragment of
    /// it (at least 4 characters) at the very start or end of `text` too. Redact a whole text
    /// before cutting it short: cutting first can leave a fragment in the middle of the
    /// result, where it cannot be recognised any more.
    pub fn redact(&self, text: &str) -> String {
        let secret = self.0.as_str();
        if secret.is_empty() {
            return text.to_owned();
        }
        let mut out = text.replace(secret, REDACTED);
        if let Some(n) = overlap(&out, secret, Edge::End) {
            out.truncate(out.len() - n);
            out.push_str(REDACTED);
        }
        if let Some(n) = overlap(&out, secret, Edge::Start) {
            out.replace_range(..n, REDACTED);
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Edge {
    /// `text` ends with the start of the secret.
    End,
    /// `text` starts with the end of the secret.
    Start,
}

/// Length in bytes of the longest fragment (shorter than the whole secret, at least
/// [`MIN_FRAGMENT`] characters) the secret and `text` share at `edge`.
fn overlap(text: &str, secret: &str, edge: Edge) -> Option<usize> {
    let cuts: Vec<usize> = secret.char_indices().map(|(i, _)| i).skip(1).collect();
    let fragments = cuts.iter().map(|&i| match edge {
        Edge::End => &secret[..i],
        Edge::Start => &secret[i..],
    });
    fragments
        .filter(|f| f.chars().count() >= MIN_FRAGMENT)
        .filter(|f| match edge {
            Edge::End => text.ends_with(f),
            Edge::Start => text.starts_with(f),
        })
        .map(str::len)
        .max()
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken({REDACTED})")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Read from `config.toml`'s `token` as a plain string.
impl<'de> Deserialize<'de> for AccessToken {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "pat-na1-7f3e-secret";

    #[test]
    fn debug_and_display_never_show_it() {
        let t = AccessToken::new(SECRET);
        assert_eq!(format!("{t:?}"), "AccessToken([redacted])");
        assert_eq!(format!("{t}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(t)), "Some(AccessToken([redacted]))");
    }

    #[test]
    fn surrounding_whitespace_is_dropped() {
        assert_eq!(AccessToken::new(" abc\n").expose(), "abc");
        assert!(AccessToken::new("  ").is_empty());
        assert_eq!(AccessToken::new("a b").expose(), "a b");
    }

    #[test]
    fn redacts_every_occurrence_and_fragments_at_the_edges() {
        let t = AccessToken::new(SECRET);
        assert_eq!(
            t.redact(&format!("a {SECRET} b {SECRET}")),
            "a [redacted] b [redacted]"
        );
        // A text cut inside the token, at its end or start.
        assert_eq!(t.redact("Bearer pat-na1-7f"), "Bearer [redacted]");
        assert_eq!(t.redact("3e-secret\"}"), "[redacted]\"}");
        assert_eq!(t.redact("pat-"), "[redacted]");
        // Three characters cannot be told from text; inside the text, only the whole token.
        assert_eq!(t.redact("a pat"), "a pat");
        assert_eq!(t.redact("pat-na1 in the middle"), "pat-na1 in the middle");
        assert_eq!(t.redact("nothing here"), "nothing here");
        assert_eq!(AccessToken::new("").redact("abc"), "abc");
    }

    #[test]
    fn a_token_with_a_line_break_or_control_character_cannot_be_sent() {
        assert_eq!(AccessToken::new(SECRET).unsendable(), None);
        assert_eq!(AccessToken::new("").unsendable(), None);
        for t in ["pat\nna1", "pat\r\nna1", "pat\rx"] {
            let why = AccessToken::new(t).unsendable().expect("refused");
            assert_eq!(why, "the access token or service key contains a line break");
        }
        for t in ["pat\u{0}x", "pat\tx", "pat\u{7f}x"] {
            assert_eq!(
                AccessToken::new(t).unsendable(),
                Some("the access token or service key contains a control character"),
                "{t:?}"
            );
        }
    }

    #[test]
    fn private_app_region_by_shape() {
        let region = |t: &str| AccessToken::new(t).private_app_region().map(str::to_owned);
        assert_eq!(region("pat-na1-1234-abcd").as_deref(), Some("na1"));
        assert_eq!(region("pat-eu1-x").as_deref(), Some("eu1"));
        assert_eq!(region("demo-token"), None);
        assert_eq!(region("pat--x"), None);
        assert_eq!(region("pat-na1-"), None);
    }

    #[test]
    fn deserializes_from_a_string() {
        #[derive(Deserialize)]
        struct C {
            token: AccessToken,
        }
        let c: C = toml::from_str("token = \" pat-na1-x \"").expect("parse");
        assert_eq!(c.token, AccessToken::new("pat-na1-x"));
    }
}
