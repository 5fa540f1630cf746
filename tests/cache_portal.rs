//! The cache's file is named by the portal HubSpot's account info names: `hubtix sync`
//! against two sandboxes (two ports, two tokens) makes two files, `hubtix cache info` says
//! which portal each is for, and a cache kept as "any portal" (filled before the portal was
//! known) is moved to the portal's name when it becomes known, its rows kept: the next sync
//! adds nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use std::path::Path;
use std::process::Command;

use tmux::{Sandbox, bin};

/// Runs `hubtix args` against `url` with `token`, the cache in `cache`; stdout and stderr.
fn hubtix(cache: &Path, url: &str, token: &str, args: &[&str]) -> (String, String) {
    let home = cache.parent().unwrap();
    let out = Command::new(bin())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("HUBSPOT_ACCESS_TOKEN", token)
        .env("HUBTIX_BASE_URL", url)
        .env("HUBTIX_CACHE_DIR", cache)
        .env("HUBTIX_CONFIG_DIR", home.join("config"))
        .env("HUBTIX_DATA_DIR", home.join("data"))
        .output()
        .expect("hubtix runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "hubtix {args:?}: {stdout}{stderr}");
    (stdout, stderr)
}

/// The value of `key` in `hubtix cache info`'s output.
fn info_field(info: &str, key: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("no {key} in {info}"))
}

fn cache_files(cache: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cache)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("tickets-") && n.ends_with(".sqlite3"))
        .collect();
    names.sort();
    names
}

#[test]
fn two_portals_get_two_caches_and_an_any_cache_is_renamed_with_its_rows() {
    let a = Sandbox::start_with(30, &["--token", "token-a"]);
    let b = Sandbox::start_with(20, &["--token", "token-b"]);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");

    let (_, synced) = hubtix(&cache, &a.url, "token-a", &["sync"]);
    assert!(synced.contains("30 added"), "{synced}");
    hubtix(&cache, &b.url, "token-b", &["sync"]);
    assert_eq!(cache_files(&cache).len(), 2, "{:?}", cache_files(&cache));

    let (info_a, _) = hubtix(&cache, &a.url, "token-a", &["cache", "info"]);
    let (info_b, _) = hubtix(&cache, &b.url, "token-b", &["cache", "info"]);
    assert_ne!(info_field(&info_a, "file"), info_field(&info_b, "file"));
    assert_eq!(info_field(&info_a, "tickets"), "30");
    assert_eq!(info_field(&info_b, "tickets"), "20");
    let portal = info_field(&info_a, "portal");
    assert!(
        portal.contains("(HubSpot's account info, read "),
        "{portal}"
    );
    let portal_id = portal.split_whitespace().next().unwrap().to_owned();
    let file_a = info_field(&info_a, "file");
    assert!(
        file_a.contains(&format!("-{portal_id}-")),
        "named by the portal: {file_a}"
    );

    // As before the portal was known: the rows under this credential's "any" name, nothing
    // remembered.
    std::fs::remove_file(cache.join(hubtix::cache::portals::PORTALS_FILE)).unwrap();
    let any = hubtix::cache::portals::any_file(
        &cache,
        &a.url,
        &hubtix::cache::portals::fingerprint("token-a"),
    );
    std::fs::rename(&file_a, &any).unwrap();
    let (info, _) = hubtix(&cache, &a.url, "token-a", &["cache", "info"]);
    assert_eq!(info_field(&info, "file"), any.display().to_string());
    assert!(
        info_field(&info, "portal").starts_with("not known yet"),
        "{info}"
    );

    // The sync learns the portal, moves the file to its name, and syncs incrementally.
    let (_, synced) = hubtix(&cache, &a.url, "token-a", &["sync"]);
    assert!(
        synced.contains("synced: 0 added"),
        "no sync again: {synced}"
    );
    assert!(!any.exists());
    let (info, _) = hubtix(&cache, &a.url, "token-a", &["cache", "info"]);
    assert_eq!(info_field(&info, "file"), file_a);
    assert_eq!(info_field(&info, "tickets"), "30", "the rows are kept");
    assert_eq!(cache_files(&cache).len(), 2);
}
