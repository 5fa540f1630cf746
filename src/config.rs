//! Where hubtix keeps its files, the config file, and where the access token comes from.
//!
//! Directories come from `directories::ProjectDirs`, each overridable by an environment
//! variable (`HUBTIX_CONFIG_DIR`, `HUBTIX_DATA_DIR`, `HUBTIX_CACHE_DIR`) so tests can point them
//! at temporary folders. The token comes from `HUBSPOT_ACCESS_TOKEN` or, only when the file is
//! private to the user, from `token` in `config.toml`.
//!
//! A file that does not parse is reported by line and column, never by quoting it: it may hold
//! the token ([`describe_toml_error`]). What hubtix writes is private from creation: folders
//! 0700, files 0600 ([`create_private_dir`], [`private_file_options`], [`write_atomically`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::hubspot::AccessToken;

/// The folders hubtix uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: PathBuf,
}

impl Paths {
    /// Resolves the folders from the environment, falling back to the platform's defaults.
    pub fn resolve() -> Result<Self, ConfigError> {
        Self::resolve_with(|k| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
    }

    /// Like [`Paths::resolve`] with an injectable environment (for tests).
    pub fn resolve_with(env: impl Fn(&str) -> Option<PathBuf>) -> Result<Self, ConfigError> {
        let dirs = directories::ProjectDirs::from("", "", "hubtix");
        let pick = |var: &str, default: Option<&Path>| -> Result<PathBuf, ConfigError> {
            env(var)
                .or_else(|| default.map(Path::to_path_buf))
                .ok_or(ConfigError::NoHome)
        };
        Ok(Self {
            config_dir: pick("HUBTIX_CONFIG_DIR", dirs.as_ref().map(|d| d.config_dir()))?,
            data_dir: pick("HUBTIX_DATA_DIR", dirs.as_ref().map(|d| d.data_dir()))?,
            cache_dir: pick("HUBTIX_CACHE_DIR", dirs.as_ref().map(|d| d.cache_dir()))?,
        })
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// Logs live in the cache folder: they are useful, but losing them loses nothing.
    pub fn log_dir(&self) -> PathBuf {
        self.cache_dir.join("logs")
    }
}

/// The config file (`config.toml`). Every field is optional; see `assets/config.example.toml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Private-app access token. Accepted only when the file is private (mode 0600).
    /// Prints as `[redacted]` (`Debug` of the whole config included).
    pub token: Option<AccessToken>,
    /// HubSpot portal (account) ID, for ticket URLs.
    pub portal_id: Option<String>,
    /// Host of HubSpot's web app, for ticket URLs (`app.hubspot.com`, `app-eu1.hubspot.com`).
    pub app_host: Option<String>,
    /// API base URL, when neither `--base-url` nor `HUBTIX_BASE_URL` is given.
    pub base_url: Option<String>,
    /// Key bindings (`[keys.<context>]`), read by the keymap from the same file.
    pub keys: Option<toml::Table>,
    /// Who "me" is in views (`@me`): the email (or owner ID) of your HubSpot user.
    pub me: Option<String>,
    /// Saved views (`[[views]]`), the tabs across the top; the defaults when absent.
    pub views: Option<Vec<crate::views::View>>,
    /// Macros (`[[macros]]`), checked against the portal at start; the defaults when absent.
    pub macros: Option<Vec<crate::macros::MacroDef>>,
    /// How often the TUI syncs the cache in the background (`"30s"`, `"2s"`, `"1m"`); checked
    /// when the file is read, see [`Config::refresh_interval`].
    pub refresh_interval: Option<String>,
    /// What the list does with tickets that newly match the view: `"count"` (the default:
    /// "3 new" in the title, joining on `r`) or `"insert"` (they join at once).
    pub live: Option<String>,
    /// `true`: the TUI sends no change to HubSpot (as `--read-only`).
    pub read_only: Option<bool>,
    /// The colours: `"dark"` (the default), `"light"` or `"high-contrast"`; checked when the
    /// file is read, see [`Config::theme`]. `NO_COLOR` turns colours off in any of them.
    pub theme: Option<String>,
    /// Clicks and the wheel in the TUI (`true`); off by default, so the terminal's own text
    /// selection keeps working. Read at start.
    pub mouse: Option<bool>,
}

/// The themes `theme` in config.toml can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    HighContrast,
}

impl ThemeName {
    /// Every theme, as config.toml names it.
    pub const ALL: [(ThemeName, &'static str); 3] = [
        (ThemeName::Dark, "dark"),
        (ThemeName::Light, "light"),
        (ThemeName::HighContrast, "high-contrast"),
    ];

    /// The theme's name in config.toml.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("dark", |(_, n)| n)
    }

    /// A theme by its config.toml name; the error names the choices.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        Self::ALL
            .iter()
            .find(|(_, n)| *n == t)
            .map(|(theme, _)| *theme)
            .ok_or_else(|| {
                let names: Vec<String> = Self::ALL.iter().map(|(_, n)| format!("{n:?}")).collect();
                format!("{t:?} is not a theme; choose {}", names.join(", "))
            })
    }
}

/// The background sync's interval when config.toml names none.
pub const DEFAULT_REFRESH: std::time::Duration = std::time::Duration::from_secs(30);

/// What the list does with tickets that newly match the view (`live` in config.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Live {
    /// Counted as "N new" in the title; they join on refresh.
    #[default]
    Count,
    /// They join the list at once.
    Insert,
}

/// A duration as config.toml writes it: a whole number and `s`, `m` or `h` (`"2s"`, `"1m"`).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like \"30s\" or \"1m\""))?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("{text:?} is not a duration like \"30s\" or \"1m\"")),
    };
    if secs == 0 {
        return Err(format!("{text:?}: the interval must be at least 1s"));
    }
    Ok(std::time::Duration::from_secs(secs))
}

impl Config {
    /// Reads `config.toml` from the config folder; a missing file is an empty config.
    pub fn load(paths: &Paths) -> Result<Self, ConfigError> {
        let path = paths.config_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let mut config: Self = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: describe_toml_error(text, &e),
        })?;
        if config.token.is_some() {
            check_private(path)?;
        }
        if let Some(macros) = &mut config.macros {
            crate::macros::number_lines(text, macros);
        }
        let invalid = |message: String| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        };
        config
            .refresh_interval()
            .map_err(|e| invalid(format!("refresh_interval: {e}")))?;
        config.live().map_err(|e| invalid(format!("live: {e}")))?;
        config.theme().map_err(|e| invalid(format!("theme: {e}")))?;
        Ok(config)
    }

    /// `refresh_interval`, [`DEFAULT_REFRESH`] when absent.
    pub fn refresh_interval(&self) -> Result<std::time::Duration, String> {
        self.refresh_interval
            .as_deref()
            .map_or(Ok(DEFAULT_REFRESH), parse_duration)
    }

    /// `live`, [`Live::Count`] when absent.
    pub fn live(&self) -> Result<Live, String> {
        match self.live.as_deref().map(str::trim) {
            None | Some("count") => Ok(Live::Count),
            Some("insert") => Ok(Live::Insert),
            Some(other) => Err(format!("{other:?} is neither \"count\" nor \"insert\"")),
        }
    }

    /// `theme`, [`ThemeName::Dark`] when absent.
    pub fn theme(&self) -> Result<ThemeName, String> {
        self.theme
            .as_deref()
            .map_or(Ok(ThemeName::default()), ThemeName::parse)
    }

    /// The web-app URL of a ticket, when the portal is known.
    pub fn ticket_url(&self, ticket_id: &str) -> Option<String> {
        let portal = self.portal_id.as_deref()?;
        let host = self.app_host.as_deref().unwrap_or("app.hubspot.com");
        Some(format!(
            "https://{host}/contacts/{portal}/record/0-5/{ticket_id}"
        ))
    }
}

/// `config.toml`'s text with `me = "…"` set (at the top, before any table, so it stays a
/// top-level setting), every other line and comment kept.
pub fn set_me(text: &str, me: &str) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("config.toml does not parse: {e}"))?;
    doc.insert("me", toml_edit::value(me));
    Ok(doc.to_string())
}

/// Longest description of a config error (what TOML expected), in characters.
const ERROR_MESSAGE_CHARS: usize = 160;

/// A TOML error in `text` (the config file) as one short line: where (line and column) and
/// what TOML or the setting expected. Never the file's text: TOML's own rendering quotes the
/// offending line, which may be the `token` line or megabytes long. Values that serde quotes
/// in its messages are left out, the `token` line's value is redacted wherever it appears,
/// and the description is capped at [`ERROR_MESSAGE_CHARS`].
pub fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let mut message = error
        .message()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    message = without_quoted_values(&message);
    for secret in secrets_in(text) {
        message = message.replace(secret, "[redacted]");
    }
    message = redact_token_shapes(&message);
    if message.chars().count() > ERROR_MESSAGE_CHARS {
        message = message
            .chars()
            .take(ERROR_MESSAGE_CHARS)
            .collect::<String>()
            + "…";
    }
    match error.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// serde describes a wrong value by quoting it (`invalid type: string "…", expected a map`):
/// the quoted value is dropped (`a string`), since it may be a secret written in the wrong place.
fn without_quoted_values(message: &str) -> String {
    const QUOTED: &str = "string \"";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(QUOTED) {
        out.push_str(&rest[..start]);
        out.push_str("a string");
        let after = &rest[start + QUOTED.len()..];
        // The value is written with escapes (`\"`): its end is the first unescaped quote.
        let mut escaped = false;
        let end = after.char_indices().find_map(|(i, c)| {
            let is_end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            is_end.then_some(i + 1)
        });
        rest = end.map_or("", |e| &after[e..]);
    }
    out.push_str(rest);
    out
}

/// The value of every `token = …` line, and its words, whether or not the line parses.
fn secrets_in(text: &str) -> Vec<&str> {
    let mut secrets: Vec<&str> = text
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start();
            let rest = ["token", "\"token\"", "'token'"]
                .iter()
                .find_map(|k| rest.strip_prefix(k))?;
            rest.trim_start().strip_prefix('=').map(str::trim)
        })
        .flat_map(|value| {
            std::iter::once(value)
                .chain(value.split(|c: char| c.is_whitespace() || c == '"' || c == '\''))
        })
        // Shorter is no credential, and replacing it would garble the message.
        .filter(|s| s.len() >= 6)
        .collect();
    // Longest first, so that a value is replaced whole before its words are.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

/// Private-app tokens (`pat-<region>-<uuid>`) wherever they were written.
fn redact_token_shapes(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find("pat-") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if end > "pat-na1-".len() {
            out.push_str("[redacted]");
        } else {
            out.push_str(&after[..end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Creates `dir` and its missing parents private to the user (0700 on Unix), with that mode
/// from the start rather than changed after. An existing folder is left as it is.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Options that create a file private to the user (0600 on Unix) from the start. hubtix's
/// files (drafts, the log, config.toml) hold customer text or the token.
pub fn private_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Writes `bytes` to `path` through a temporary file renamed over it, so a crash leaves the
/// old file or the new one, never half of one. A missing folder is created private
/// ([`create_private_dir`]); a new file is private ([`private_file_options`]); an existing
/// file's permissions are kept (a config.toml holding a token stays private).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    // A name of its own, so that the file is new (and created private) even if an earlier
    // crash left a temporary file behind.
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let tmp = PathBuf::from(tmp);
    let written = private_file_options()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| match std::fs::metadata(path) {
            Ok(meta) => std::fs::set_permissions(&tmp, meta.permissions()),
            Err(_) => Ok(()),
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Where the token was found (never the token itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Env,
    ConfigFile,
}

/// The token from `HUBSPOT_ACCESS_TOKEN`, else from the config file (a blank one is none).
pub fn token(env_token: Option<String>, config: &Config) -> Option<(AccessToken, TokenSource)> {
    env_token
        .map(AccessToken::new)
        .filter(|t| !t.is_empty())
        .map(|t| (t, TokenSource::Env))
        .or_else(|| {
            config
                .token
                .clone()
                .filter(|t| !t.is_empty())
                .map(|t| (t, TokenSource::ConfigFile))
        })
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ConfigError::TokenFileNotPrivate {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "cannot find a home folder; set HUBTIX_CONFIG_DIR, HUBTIX_DATA_DIR and HUBTIX_CACHE_DIR"
    )]
    NoHome,
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error(
        "{path} holds a token but other users can read it (mode {mode:o}); run `chmod 600 {path}` or use HUBSPOT_ACCESS_TOKEN"
    )]
    TokenFileNotPrivate { path: PathBuf, mode: u32 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_me_keeps_the_rest_of_the_file() {
        let text = "# mine\nportal_id = \"1\" # the portal\n\n[[views]]\nname = \"Mine\"\nowners = [\"@me\"]\n";
        let out = set_me(text, "ann@example.com").expect("set");
        assert!(
            out.starts_with("# mine\nportal_id = \"1\" # the portal\n"),
            "{out}"
        );
        let c = Config::parse(&out, Path::new("config.toml")).expect("parses");
        assert_eq!(c.me.as_deref(), Some("ann@example.com"));
        assert_eq!(c.views.map(|v| v.len()), Some(1));
        let again = set_me(&out, "bo@example.com").expect("set");
        assert_eq!(
            again.lines().filter(|l| l.starts_with("me = ")).count(),
            1,
            "{again}"
        );
    }

    #[test]
    fn refresh_interval_and_live_parse_or_say_why_not() {
        let path = Path::new("config.toml");
        let c =
            Config::parse("refresh_interval = \"2s\"\nlive = \"insert\"\n", path).expect("parses");
        assert_eq!(c.refresh_interval(), Ok(std::time::Duration::from_secs(2)));
        assert_eq!(c.live(), Ok(Live::Insert));
        let c = Config::parse("refresh_interval = \"1m\"\n", path).expect("parses");
        assert_eq!(c.refresh_interval(), Ok(std::time::Duration::from_secs(60)));
        let c = Config::parse("", path).expect("parses");
        assert_eq!(c.refresh_interval(), Ok(DEFAULT_REFRESH));
        assert_eq!(c.read_only, None);
        let c = Config::parse("read_only = true\n", path).expect("parses");
        assert_eq!(c.read_only, Some(true));
        assert_eq!(c.live(), Ok(Live::Count));
        for bad in [
            "refresh_interval = \"0s\"",
            "refresh_interval = \"soon\"",
            "live = \"x\"",
        ] {
            let e = Config::parse(bad, path).expect_err("refused").to_string();
            assert!(e.contains("config.toml is not valid"), "{bad}: {e}");
        }
    }

    #[test]
    fn theme_parses_or_names_the_choices() {
        let path = Path::new("config.toml");
        let theme = |text: &str| Config::parse(text, path).map(|c| c.theme());
        assert_eq!(theme("").expect("parses"), Ok(ThemeName::Dark));
        assert_eq!(
            theme("theme = \"light\"").expect("parses"),
            Ok(ThemeName::Light)
        );
        assert_eq!(
            theme("theme = \"high-contrast\"").expect("parses"),
            Ok(ThemeName::HighContrast)
        );
        let e = theme("theme = \"solarized\"")
            .expect_err("refused at start")
            .to_string();
        assert!(
            e.contains(
                "theme: \"solarized\" is not a theme; choose \"dark\", \"light\", \"high-contrast\""
            ),
            "{e}"
        );
        for (t, name) in ThemeName::ALL {
            assert_eq!(ThemeName::parse(name), Ok(t));
            assert_eq!(t.name(), name);
        }
    }

    #[test]
    fn env_overrides_each_folder() {
        let p = Paths::resolve_with(|k| match k {
            "HUBTIX_CONFIG_DIR" => Some("/c".into()),
            "HUBTIX_DATA_DIR" => Some("/d".into()),
            "HUBTIX_CACHE_DIR" => Some("/k".into()),
            _ => None,
        })
        .expect("paths");
        assert_eq!(p.config_file(), PathBuf::from("/c/config.toml"));
        assert_eq!(p.data_dir, PathBuf::from("/d"));
        assert_eq!(p.log_dir(), PathBuf::from("/k/logs"));
    }

    #[test]
    fn env_token_wins_and_blank_is_ignored() {
        let cfg = Config {
            token: Some(AccessToken::new("from-file")),
            ..Config::default()
        };
        assert_eq!(
            token(Some(" pat-na1-x\n".into()), &cfg),
            Some((AccessToken::new("pat-na1-x"), TokenSource::Env))
        );
        assert_eq!(
            token(Some("  ".into()), &cfg),
            Some((AccessToken::new("from-file"), TokenSource::ConfigFile))
        );
        assert_eq!(token(None, &Config::default()), None);
        let blank = Config {
            token: Some(AccessToken::new(" ")),
            ..Config::default()
        };
        assert_eq!(token(None, &blank), None);
    }

    #[test]
    fn debug_of_a_config_never_shows_its_token() {
        let cfg: Config =
            toml::from_str("token = \"pat-na1-5ecret-in-config\"\nportal_id = \"123\"\n")
                .expect("parse");
        let shown = format!("{cfg:?} {cfg:#?}");
        assert!(!shown.contains("5ecret"), "{shown}");
        assert!(
            shown.contains("[redacted]") && shown.contains("123"),
            "{shown}"
        );
        let (t, _) = token(None, &cfg).expect("token");
        assert!(!format!("{t:?} {t}").contains("5ecret"));
    }

    #[test]
    fn ticket_url_needs_portal() {
        let mut cfg = Config::default();
        assert_eq!(cfg.ticket_url("1"), None);
        cfg.portal_id = Some("123".into());
        assert_eq!(
            cfg.ticket_url("9").as_deref(),
            Some("https://app.hubspot.com/contacts/123/record/0-5/9")
        );
    }

    #[cfg(unix)]
    #[test]
    fn token_in_world_readable_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "token = \"pat-na1-secret\"\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let paths = Paths {
            config_dir: dir.path().into(),
            data_dir: dir.path().into(),
            cache_dir: dir.path().into(),
        };
        let err = Config::load(&paths).expect_err("must refuse");
        let msg = err.to_string();
        assert!(msg.contains("chmod 600"), "{msg}");
        assert!(!msg.contains("secret"), "token leaked: {msg}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(
            Config::load(&paths).expect("private file").token,
            Some(AccessToken::new("pat-na1-secret"))
        );
    }

    #[test]
    fn toml_errors_name_the_place_never_the_text() {
        let text = "portal_id = \"1\"\ntoken = 'pat-eu1-0a1b2c3d' oops\n";
        let err = toml::from_str::<Config>(text).expect_err("syntax error");
        let line = describe_toml_error(text, &err);
        assert!(line.starts_with("line 2, column "), "{line}");
        assert!(
            !line.contains("0a1b2c3d") && !line.contains("oops"),
            "{line}"
        );
    }

    #[test]
    fn a_short_token_value_does_not_garble_the_message() {
        let text = "token = x\n";
        let err = toml::from_str::<Config>(text).expect_err("unquoted");
        let line = describe_toml_error(text, &err);
        assert!(line.contains("expected"), "{line}");
    }

    #[test]
    fn quoted_values_and_token_shapes_are_left_out_of_messages() {
        assert_eq!(
            without_quoted_values(r#"invalid type: string "a \"b\" c", expected a map"#),
            "invalid type: a string, expected a map"
        );
        assert_eq!(
            without_quoted_values(r#"invalid value: string "unterminated"#),
            "invalid value: a string"
        );
        assert_eq!(
            redact_token_shapes("x pat-na1-1234abcd-ef, pat- and pat-na1"),
            "x [redacted], pat- and pat-na1"
        );
        assert_eq!(
            secrets_in("me = \"a\"\n  token = \"s3cr3t-value\" trailing\n"),
            ["\"s3cr3t-value\" trailing", "s3cr3t-value", "trailing"]
        );
    }

    /// A new file (config.toml saved with views, say) is created 0600 in a folder created
    /// 0700; an existing file keeps the mode its owner gave it.
    #[cfg(unix)]
    #[test]
    fn written_files_are_private_and_existing_modes_kept() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("conf").join("config.toml");
        write_atomically(&path, b"me = \"a\"\n").expect("write");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().expect("parent")), 0o700);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomically(&path, b"me = \"b\"\n").expect("rewrite");
        assert_eq!(mode(&path), 0o640);
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "me = \"b\"\n"
        );
    }

    #[test]
    fn unknown_keys_are_reported() {
        let err = Config::parse("colour = 1\n", Path::new("x.toml")).expect_err("unknown");
        assert!(err.to_string().contains("colour"), "{err}");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn shipped_example_config_parses() {
        let text = include_str!("../assets/config.example.toml");
        let cfg = Config::parse(text, Path::new("config.example.toml")).expect("example parses");
        assert_eq!(
            cfg,
            Config::default(),
            "everything in the example is commented out"
        );
        let uncommented: String = text
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| !r.starts_with(' ') && (r.contains(" = ") || r.starts_with("[[")))
                    .unwrap_or(l)
            })
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{}\n", l.split("  #").next().unwrap_or(l)))
            .collect();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, &uncommented).expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        let cfg = Config::parse(&uncommented, &path).expect("every example setting is valid");
        assert_eq!(cfg.portal_id.as_deref(), Some("12345678"));
        assert_eq!(cfg.app_host.as_deref(), Some("app.hubspot.com"));
        assert_eq!(cfg.me.as_deref(), Some("you@company.com"));
        let views = crate::views::from_config(cfg.views).expect("the example views are valid");
        assert_eq!(views.len(), 2);
        assert_eq!(views[1].conditions.len(), 1);
        assert_eq!(views[1].modified.from, "this week");
        let macros = cfg.macros.expect("the example macros");
        assert_eq!(macros.len(), 2);
        assert_eq!(macros[0].key.as_deref(), Some("E"));
        assert!(macros[1].pin);
    }
}
