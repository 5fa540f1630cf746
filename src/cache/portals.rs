//! Which portal a base URL and credential lead to, remembered on this machine so that the
//! TUI finds its cache file without asking HubSpot first.
//!
//! Owns: `portals.json` in the cache folder (0600, written whole through a temporary file),
//! the credential's fingerprint (a hash: the secret itself is never stored), where a portal's
//! cache file is ([`locate`]), and moving a cache kept under "any portal" to the portal's
//! name once the portal is known ([`adopt`]; the rows are kept, no sync again). Must not: ask
//! HubSpot (the callers that read account info — `hubtix sync`, `hubtix doctor`, the TUI's
//! background checks — call [`remember`]), or open the cache.
//!
//! Why a fingerprint of the credential: one base URL (HubSpot's) serves every portal, and
//! which one a request reaches depends on the token alone. Two tokens of two portals on the
//! same base URL must never share a cache, even before either portal is known: the "any"
//! file's name carries the fingerprint too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file in the cache folder that maps (base URL, credential) to a portal.
pub const PORTALS_FILE: &str = "portals.json";

/// A credential as the cache folder may name it: a hash of the secret, never the secret.
/// FNV-1a over a fixed prefix and the secret: not reversible for a token (a UUID's 122 random
/// bits hashed to 64), stable across builds (so the same token finds the same cache).
pub fn fingerprint(secret: &str) -> String {
    format!(
        "{:016x}",
        super::fnv1a(format!("hubtix credential\n{secret}").as_bytes())
    )
}

/// One remembered portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    /// HubSpot's portal (hub) ID, from account info.
    pub portal_id: String,
    /// When it was read (ms since the epoch).
    pub seen_ms: i64,
}

/// The whole file: key (a hash of the base URL and the credential's fingerprint) → portal.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Portals {
    #[serde(default)]
    portals: BTreeMap<String, Known>,
}

fn key(base_url: &str, credential: &str) -> String {
    let base = base_url.trim().trim_end_matches('/');
    format!(
        "{:016x}",
        super::fnv1a(format!("{base}\n{credential}").as_bytes())
    )
}

fn read(cache_dir: &Path) -> Portals {
    let path = cache_dir.join(PORTALS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            // Rewritten whole at the next `remember`; meanwhile the caches are "any".
            tracing::warn!(
                "{}: {e}; the remembered portals are ignored",
                path.display()
            );
            Portals::default()
        }),
        Err(_) => Portals::default(),
    }
}

/// The portal remembered for this base URL and credential fingerprint, if any.
pub fn known(cache_dir: &Path, base_url: &str, credential: &str) -> Option<Known> {
    read(cache_dir).portals.remove(&key(base_url, credential))
}

/// Remembers that this base URL and credential reach `portal_id` (account info said so).
/// Returns whether that is news (not remembered before, or another portal).
pub fn remember(
    cache_dir: &Path,
    base_url: &str,
    credential: &str,
    portal_id: &str,
) -> std::io::Result<bool> {
    let mut all = read(cache_dir);
    let k = key(base_url, credential);
    if all
        .portals
        .get(&k)
        .is_some_and(|p| p.portal_id == portal_id)
    {
        return Ok(false);
    }
    all.portals.insert(
        k,
        Known {
            portal_id: portal_id.to_owned(),
            seen_ms: jiff::Timestamp::now().as_millisecond(),
        },
    );
    let text = serde_json::to_vec_pretty(&all).map_err(std::io::Error::other)?;
    crate::config::write_atomically(&cache_dir.join(PORTALS_FILE), &text)?;
    Ok(true)
}

/// Where the portal named for a cache came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalFrom {
    /// `portal_id` in config.toml.
    Config,
    /// HubSpot's account info, remembered then (ms since the epoch).
    AccountInfo { seen_ms: i64 },
    /// Not known yet: the file is this credential's "any portal" one.
    Unknown,
    /// The demo's sandbox (one portal, whatever its port).
    Demo,
}

/// A cache file found for a base URL and credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file to use.
    pub path: PathBuf,
    /// The portal it is for (`None`: not known yet).
    pub portal: Option<String>,
    pub from: PortalFrom,
    /// A cache kept before the portal was known, to move to `path` ([`adopt`]): this
    /// credential's "any" file, else one from before credentials were told apart.
    pub adopt_from: Option<PathBuf>,
}

impl Located {
    /// The file that holds this portal's rows now: `path`, or the one [`adopt`] would move
    /// there (for a look that changes nothing, as `hubtix doctor`'s).
    pub fn current(&self) -> &Path {
        self.adopt_from.as_deref().unwrap_or(&self.path)
    }
}

/// The "any portal" file of a credential: before account info has named the portal. Its
/// readable part is the legacy "any" name's; its hash covers the credential's fingerprint.
pub fn any_file(cache_dir: &Path, base_url: &str, credential: &str) -> PathBuf {
    let base = base_url.trim().trim_end_matches('/');
    super::named(cache_dir, base, "", &format!("{base}\n\n{credential}"))
}

/// The cache file for this base URL and credential: the portal's (config.toml's
/// `portal_id`, else the one remembered), else the credential's "any" file. Changes nothing.
pub fn locate(
    cache_dir: &Path,
    base_url: &str,
    credential: &str,
    configured: Option<&str>,
) -> Located {
    let (portal, from) = match configured.filter(|p| !p.trim().is_empty()) {
        Some(p) => (Some(p.trim().to_owned()), PortalFrom::Config),
        None => match known(cache_dir, base_url, credential) {
            Some(k) => (
                Some(k.portal_id),
                PortalFrom::AccountInfo { seen_ms: k.seen_ms },
            ),
            None => (None, PortalFrom::Unknown),
        },
    };
    let any = any_file(cache_dir, base_url, credential);
    let Some(portal) = portal else {
        return Located {
            path: any,
            portal: None,
            from,
            adopt_from: None,
        };
    };
    let path = super::file_for(cache_dir, base_url, Some(&portal));
    let legacy = super::file_for(cache_dir, base_url, None);
    let adopt_from = if path.exists() {
        None
    } else {
        [any, legacy].into_iter().find(|f| f.exists())
    };
    Located {
        path,
        portal: Some(portal),
        from,
        adopt_from,
    }
}

/// [`locate`], moving a cache kept under "any portal" to the portal's name first (with its
/// `-wal` and `-shm`: the rows and the sync state are kept, so no sync again). A move that
/// fails is logged and the "any" file used as it is.
pub fn adopt(mut located: Located) -> Located {
    let Some(from) = located.adopt_from.take() else {
        return located;
    };
    match move_with_companions(&from, &located.path) {
        Ok(()) => {
            tracing::info!(
                "cache {} is portal {}'s: moved to {}",
                from.display(),
                located.portal.as_deref().unwrap_or("?"),
                located.path.display()
            );
            located
        }
        Err(e) => {
            tracing::warn!(
                "cannot move {} to {}: {e}",
                from.display(),
                located.path.display()
            );
            Located {
                path: from,
                ..located
            }
        }
    }
}

/// Renames `from` to `to`, the WAL and shared-memory files too (the WAL first: renaming the
/// main file first would leave, for a moment, a database whose WAL is missing).
fn move_with_companions(from: &Path, to: &Path) -> std::io::Result<()> {
    for suffix in ["-wal", "-shm"] {
        let side = |p: &Path| {
            let mut s = p.as_os_str().to_owned();
            s.push(suffix);
            PathBuf::from(s)
        };
        match std::fs::rename(side(from), side(to)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    std::fs::rename(from, to)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BASE: &str = "https://api.hubapi.com";

    #[test]
    fn two_credentials_on_one_base_url_get_two_caches_before_and_after_the_portal_is_known() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (fingerprint("pat-na1-aaaa"), fingerprint("pat-na1-bbbb"));
        assert_ne!(a, b);
        let (any_a, any_b) = (
            locate(dir.path(), BASE, &a, None),
            locate(dir.path(), BASE, &b, None),
        );
        assert_eq!(any_a.from, PortalFrom::Unknown);
        assert_ne!(any_a.path, any_b.path, "not one \"any\" file for both");
        remember(dir.path(), BASE, &a, "111").unwrap();
        remember(dir.path(), BASE, &b, "222").unwrap();
        let (pa, pb) = (
            locate(dir.path(), BASE, &a, None),
            locate(dir.path(), BASE, &b, None),
        );
        assert_eq!(pa.portal.as_deref(), Some("111"));
        assert_eq!(pb.portal.as_deref(), Some("222"));
        assert!(matches!(pa.from, PortalFrom::AccountInfo { .. }));
        assert_ne!(pa.path, pb.path);
        let name = pa.path.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(name.starts_with("tickets-api_hubapi_com-111-"), "{name}");
        // The file holds no secret, only fingerprints.
        let text = std::fs::read_to_string(dir.path().join(PORTALS_FILE)).unwrap();
        assert!(!text.contains("pat-na1"), "{text}");
        // config.toml's portal_id wins.
        let configured = locate(dir.path(), BASE, &a, Some("999"));
        assert_eq!(configured.portal.as_deref(), Some("999"));
        assert_eq!(configured.from, PortalFrom::Config);
    }

    #[test]
    fn an_any_cache_moves_to_the_portal_name_with_its_wal_once_the_portal_is_known() {
        let dir = tempfile::tempdir().unwrap();
        let cred = fingerprint("token");
        let any = locate(dir.path(), BASE, &cred, None).path;
        std::fs::write(&any, "rows").unwrap();
        let mut wal = any.as_os_str().to_owned();
        wal.push("-wal");
        std::fs::write(&wal, "log").unwrap();
        remember(dir.path(), BASE, &cred, "42").unwrap();
        let found = locate(dir.path(), BASE, &cred, None);
        assert_eq!(found.adopt_from.as_deref(), Some(any.as_path()));
        assert_eq!(found.current(), any.as_path(), "a look moves nothing");
        assert!(any.exists());
        let adopted = adopt(found);
        assert!(!any.exists());
        assert_eq!(std::fs::read_to_string(&adopted.path).unwrap(), "rows");
        let mut moved_wal = adopted.path.as_os_str().to_owned();
        moved_wal.push("-wal");
        assert_eq!(std::fs::read_to_string(moved_wal).unwrap(), "log");
        // Found there from now on, nothing left to move.
        let again = locate(dir.path(), BASE, &cred, None);
        assert_eq!((again.path, again.adopt_from), (adopted.path, None));
    }

    #[test]
    fn a_legacy_any_cache_without_the_credential_is_adopted_too() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = super::super::file_for(dir.path(), BASE, None);
        std::fs::write(&legacy, "old rows").unwrap();
        let cred = fingerprint("token");
        remember(dir.path(), BASE, &cred, "42").unwrap();
        let adopted = adopt(locate(dir.path(), BASE, &cred, None));
        assert_eq!(std::fs::read_to_string(&adopted.path).unwrap(), "old rows");
        assert!(!legacy.exists());
    }

    #[test]
    fn remembering_the_same_portal_again_is_no_news_and_a_bad_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        assert!(remember(dir.path(), BASE, "c", "1").unwrap());
        assert!(!remember(dir.path(), BASE, "c", "1").unwrap());
        assert!(remember(dir.path(), BASE, "c", "2").unwrap());
        std::fs::write(dir.path().join(PORTALS_FILE), "{not json").unwrap();
        assert_eq!(known(dir.path(), BASE, "c"), None);
        assert!(remember(dir.path(), BASE, "c", "3").unwrap());
        assert_eq!(known(dir.path(), BASE, "c").unwrap().portal_id, "3");
    }
}
