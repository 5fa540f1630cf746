//! Where hubtix keeps its files, the config file, and where the access token comes from.
//!
//! Directories come from `directories::ProjectDirs`, each overridable by an environment
//! variable (`HUBTIX_CONFIG_DIR`, `HUBTIX_DATA_DIR`, `HUBTIX_CACHE_DIR`) so tests can point them
//! at temporary folders. The token comes from `HUBSPOT_ACCESS_TOKEN` or, only when the file is
//! private to the user, from `token` in `config.toml`.

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
        let config: Self = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if config.token.is_some() {
            check_private(path)?;
        }
        Ok(config)
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

/// Writes `bytes` to `path` through a temporary file renamed over it, so a crash leaves the
/// old file or the new one, never half of one. The folder is created if missing; an existing
/// file's permissions are kept (a config.toml holding a token stays private).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(&tmp, meta.permissions())?;
    }
    std::fs::rename(tmp, path)
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
    }
}
