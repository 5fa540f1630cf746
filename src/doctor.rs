//! `hubtix doctor`: one line per thing that must be right for hubtix to work, ✓ or ✗ with the
//! fix — the credential (present, well-formed, accepted, its kind), its scopes against those
//! hubtix needs by feature, the portal (ID, UI domain, data-hosting region, time zone), the
//! rate-limit tier the headers show, the clock against HubSpot's `Date`, config.toml (views,
//! macros, keys), the cache and the terminal.
//!
//! Owns: the checks ([`Report`], built by [`diagnose`] from a [`Setup`]) and what they say.
//! The TUI runs the same checks in the background at start ([`Report::summary`] is its one
//! status line). Must not: print (the command in `commands` does), change anything but
//! the portal remembered for the cache's file name ([`remember_portal`]), or reveal the
//! token.

use std::path::PathBuf;

use crate::config::{Config, Paths, TokenSource};
use crate::hubspot::{AccessToken, AccountDetails, ApiError, Client, ClientConfig, TokenInfo};

mod local;
mod scopes;

pub use scopes::{NEEDS, Need, missing_needs};

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Fine (or only worth knowing).
    Ok,
    /// Something hubtix needs is wrong; the line says how to fix it.
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub status: Status,
    /// What was checked: `token`, `scopes`, `portal` …
    pub name: &'static str,
    /// What was found, or what is wrong and how to fix it.
    pub detail: String,
}

impl Check {
    fn ok(name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status: Status::Ok,
            name,
            detail: detail.into(),
        }
    }
    fn fail(name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status: Status::Fail,
            name,
            detail: detail.into(),
        }
    }

    /// `✓ token      a private app's access token (pat-na1-…), from HUBSPOT_ACCESS_TOKEN`
    pub fn line(&self) -> String {
        let mark = match self.status {
            Status::Ok => '✓',
            Status::Fail => '✗',
        };
        format!("{mark} {:<10} {}", self.name, self.detail)
    }
}

/// Every check, in order, and what HubSpot told about the portal (for ticket URLs).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
    /// The account's details, when HubSpot gave them.
    pub account: Option<AccountDetails>,
}

impl Report {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status == Status::Ok)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status == Status::Fail)
    }

    /// One status line naming what is wrong (`None` when nothing is), for the TUI.
    pub fn summary(&self) -> Option<String> {
        let failed: Vec<String> = self
            .failures()
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect();
        match failed.as_slice() {
            [] => None,
            [one] => Some(format!("doctor: {one}")),
            [first, rest @ ..] => Some(format!(
                "doctor: {first} (and {} more: run `hubtix doctor`)",
                rest.len()
            )),
        }
    }
}

/// What the checks look at: the resolved folders, config.toml as read (or why it could not
/// be), the credential and where it came from, and the base URL.
pub struct Setup {
    pub paths: Paths,
    pub config: Result<Config, String>,
    pub token: Option<(AccessToken, Source)>,
    pub base_url: String,
    /// `--demo`: the embedded sandbox (its base URL changes each run).
    pub demo: bool,
    /// Check config.toml's macros against the portal (three catalogue reads). The TUI's
    /// background checks leave it out: its start checks them already (against HubSpot's
    /// catalogue, or the cache's and then again against the one the app reads).
    pub macros: bool,
}

/// Where the credential was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `HUBSPOT_ACCESS_TOKEN`.
    Env,
    /// `token` in config.toml.
    ConfigFile,
    /// What `hubtix login` stored in the OS keyring.
    Keyring,
    /// What `hubtix login` stored in the 0600 file (no keyring there).
    File,
    /// The embedded sandbox's (`--demo`).
    Demo,
}

impl From<TokenSource> for Source {
    fn from(s: TokenSource) -> Self {
        match s {
            TokenSource::Env => Source::Env,
            TokenSource::ConfigFile => Source::ConfigFile,
        }
    }
}

impl Source {
    fn describe(self) -> &'static str {
        match self {
            Source::Env => "from HUBSPOT_ACCESS_TOKEN",
            Source::ConfigFile => "from token in config.toml",
            Source::Keyring => "stored by hubtix login in the OS keyring",
            Source::File => "stored by hubtix login in the 0600 credential file",
            Source::Demo => "the demo sandbox's",
        }
    }
}

/// `hubtix doctor`: every check, one line each on stdout; `Err` (exit code 1) when one
/// failed.
pub async fn command(demo: bool, base_url: Option<String>, paths: &Paths) -> Result<(), String> {
    let (setup, sandbox) = setup(demo, base_url, paths).await?;
    let report = diagnose(&setup, DOCTOR_TIMEOUT).await;
    remember_portal(&setup, &report);
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    for check in &report.checks {
        crate::output::line(&check.line());
    }
    match report.failures().count() {
        0 => Ok(()),
        1 => Err("1 problem found".to_owned()),
        n => Err(format!("{n} problems found")),
    }
}

/// How long one doctor request may take: long enough for a slow link, short enough that a
/// wrong base URL is named soon.
const DOCTOR_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The setup as the other commands resolve it: `--demo`'s sandbox, or the credential
/// (`HUBSPOT_ACCESS_TOKEN`, else config.toml's `token`) and the base URL (`--base-url` or
/// `HUBTIX_BASE_URL`, else config.toml's `base_url`, else HubSpot's).
pub async fn setup(
    demo: bool,
    base_url: Option<String>,
    paths: &Paths,
) -> Result<(Setup, Option<crate::sandbox::SandboxHandle>), String> {
    let config = Config::load(paths).map_err(|e| e.to_string());
    if demo {
        let sandbox = crate::sandbox::spawn(crate::sandbox::SandboxConfig::default())
            .await
            .map_err(|e| format!("cannot start the demo sandbox: {e}"))?;
        let token = AccessToken::new(crate::sandbox::SandboxConfig::default().token);
        let setup = Setup {
            paths: paths.clone(),
            config,
            token: Some((token, Source::Demo)),
            base_url: sandbox.base_url(),
            demo,
            macros: true,
        };
        return Ok((setup, Some(sandbox)));
    }
    let env_token = std::env::var("HUBSPOT_ACCESS_TOKEN").ok();
    let empty = Config::default();
    let token = crate::credentials::resolve(env_token, paths, config.as_ref().unwrap_or(&empty))?;
    let base_url = base_url
        .filter(|u| !u.is_empty())
        .or_else(|| config.as_ref().ok().and_then(|c| c.base_url.clone()))
        .unwrap_or_else(|| crate::hubspot::HUBSPOT_BASE_URL.to_owned());
    let setup = Setup {
        paths: paths.clone(),
        config,
        token,
        base_url,
        demo,
        macros: true,
    };
    Ok((setup, None))
}

/// Runs every check. Requests: one ticket (reach, acceptance, rate-limit headers, `Date`),
/// token info, account info, and for the macros the properties, pipelines and owners.
pub async fn diagnose(setup: &Setup, timeout: std::time::Duration) -> Report {
    let mut report = Report::default();
    let client = match credential_checks(setup, timeout, &mut report.checks) {
        Some(client) => client,
        None => {
            report.checks.extend(local::checks(setup, None));
            return report;
        }
    };
    if remote_checks(&client, setup, &mut report).await && setup.macros {
        report
            .checks
            .extend(local::macro_check(&client, setup).await);
    }
    report
        .checks
        .extend(local::checks(setup, report.account.as_ref()));
    report
}

/// Token present and well-formed; the client when a request can be sent with it.
fn credential_checks(
    setup: &Setup,
    timeout: std::time::Duration,
    checks: &mut Vec<Check>,
) -> Option<Client> {
    let Some((token, source)) = &setup.token else {
        checks.push(Check::fail(
            "token",
            "no credential: run `hubtix login`, or set HUBSPOT_ACCESS_TOKEN to a service key \
             (HubSpot: Development → Keys → Service keys) or a private app's access token",
        ));
        return None;
    };
    let kind = kind_by_shape(token);
    checks.push(Check::ok("token", format!("{kind}, {}", source.describe())));
    let mut config = ClientConfig::new(setup.base_url.clone(), token.clone());
    config.timeout = timeout;
    config.retry = crate::hubspot::RetryPolicy::fast();
    match Client::new(config) {
        Ok(client) => {
            checks.push(Check::ok("format", "can be sent as a bearer token"));
            Some(client)
        }
        Err(e) => {
            checks.push(Check::fail(
                "format",
                format!(
                    "{}: copy the key again, without spaces or line breaks",
                    e.summary()
                ),
            ));
            None
        }
    }
}

/// What the token looks like. A private app's token is `pat-<region>-<uuid>` [O]; HubSpot does
/// not document a service key's shape (UNCONFIRMED), so anything else is "a service key or an
/// OAuth token" until token info says more.
pub fn kind_by_shape(token: &AccessToken) -> String {
    match token.private_app_region() {
        Some(region) => format!("a private app's access token (pat-{region}-…)"),
        None => "a service key or OAuth access token (not pat-…)".to_owned(),
    }
}

/// Reach and acceptance, token info and scopes, the portal, rate limit and clock. `true`
/// when HubSpot accepted the token (so the macro check can ask it more).
async fn remote_checks(client: &Client, setup: &Setup, report: &mut Report) -> bool {
    let probe = client
        .list_tickets(&crate::hubspot::ListQuery {
            limit: Some(1),
            properties: vec!["subject".to_owned()],
            ..crate::hubspot::ListQuery::default()
        })
        .await;
    let checks = &mut report.checks;
    let accepted = match probe {
        Ok(_) => {
            checks.push(Check::ok(
                "accepted",
                format!("HubSpot at {} accepted it", setup.base_url),
            ));
            true
        }
        Err(e) => {
            checks.push(refused(&e, &setup.base_url));
            // Without tickets' scope the token is still HubSpot's: token info names the rest.
            if e.missing_scopes().is_none() {
                return false;
            }
            false
        }
    };
    let info = client.token_info().await;
    checks.push(kind_check(&info));
    checks.push(scopes::check(&info));
    let account = client.account_details().await;
    checks.push(portal_check(&account));
    report.account = account.ok();
    report.checks.push(rate_limit_check(client));
    report.checks.push(clock_check(client));
    accepted
}

/// Why the probe failed, named: a refused token, a missing scope, or a base URL that does
/// not answer as HubSpot.
fn refused(e: &ApiError, base_url: &str) -> Check {
    if e.is_auth() {
        return Check::fail(
            "accepted",
            format!(
                "HubSpot refused the credential ({}): copy a current service key or private \
                 app token of this portal, then `hubtix login`",
                e.summary()
            ),
        );
    }
    if let Some(scopes) = e.missing_scopes() {
        return Check::fail(
            "accepted",
            format!(
                "reading tickets needs one of the scopes {}: add it to the key in HubSpot",
                scopes.join(", ")
            ),
        );
    }
    let why = match e {
        ApiError::Network(_) => "nothing answers there",
        _ => "it does not answer as HubSpot does",
    };
    Check::fail(
        "accepted",
        format!(
            "cannot reach HubSpot at {base_url}: {why} ({}); fix --base-url, HUBTIX_BASE_URL or \
             base_url in config.toml (HubSpot's is https://api.hubapi.com)",
            e.summary()
        ),
    )
}

/// Which kind of credential HubSpot says it is: token info answers for private apps only.
fn kind_check(info: &Result<TokenInfo, ApiError>) -> Check {
    match info {
        Ok(i) => Check::ok(
            "kind",
            format!(
                "HubSpot knows it as a private app token (app {}, hub {})",
                i.app_id.map_or_else(|| "?".to_owned(), |a| a.to_string()),
                i.hub_id.map_or_else(|| "?".to_owned(), |h| h.to_string()),
            ),
        ),
        // UNCONFIRMED: whether token info answers for a service key (API-NOTES §8a).
        Err(_) => Check::ok(
            "kind",
            "not a private app token by HubSpot's token info: a service key or OAuth token",
        ),
    }
}

fn portal_check(account: &Result<AccountDetails, ApiError>) -> Check {
    match account {
        Ok(a) => Check::ok(
            "portal",
            format!(
                "{} · {} · data in {} · time zone {}",
                a.portal_id,
                a.ui_domain.as_deref().unwrap_or("app.hubspot.com"),
                a.data_hosting_location.as_deref().unwrap_or("?"),
                a.time_zone.as_deref().unwrap_or("?"),
            ),
        ),
        Err(e) => Check::fail(
            "portal",
            format!(
                "account info refused ({}): ticket URLs need portal_id in config.toml",
                e.summary()
            ),
        ),
    }
}

/// The burst limit the headers show, and the tier it means (API-NOTES §6.2).
fn rate_limit_check(client: &Client) -> Check {
    let Some(h) = client.headroom() else {
        return Check::ok("rate limit", "no X-HubSpot-RateLimit headers seen");
    };
    let window = h.interval.map_or(10, |i| i.as_secs().max(1));
    let tier = match h.max {
        Some(100) => " (Free or Starter)",
        Some(110) => " (a public app)",
        Some(190) => " (Professional or Enterprise)",
        Some(250) => " (with the API limit increase)",
        _ => "",
    };
    let daily = h.daily.map(|d| format!(", {d} a day")).unwrap_or_default();
    Check::ok(
        "rate limit",
        format!(
            "{} per {window} s{daily}{tier}",
            h.max.map_or_else(|| "?".to_owned(), |m| m.to_string())
        ),
    )
}

/// Beyond this our clock and HubSpot's disagree enough to matter ("in 3 h", sync windows).
const MAX_SKEW_SECS: i64 = 30;

fn clock_check(client: &Client) -> Check {
    let Some(clock) = client.server_clock() else {
        return Check::ok("clock", "HubSpot sent no Date header to compare with");
    };
    let secs = clock.skew().as_secs();
    if secs.abs() <= MAX_SKEW_SECS {
        Check::ok(
            "clock",
            format!("within {}s of HubSpot's", secs.abs().max(1)),
        )
    } else {
        let way = if secs > 0 { "ahead of" } else { "behind" };
        Check::fail(
            "clock",
            format!(
                "this machine's clock is {}s {way} HubSpot's: turn on time sync (e.g. \
                 `timedatectl set-ntp true`)",
                secs.abs()
            ),
        )
    }
}

/// Where the cache file of this setup is (as the TUI and `hubtix sync` find it; a cache
/// still kept as "any portal" is named as it is, not moved: the doctor changes nothing).
fn cache_file(setup: &Setup) -> PathBuf {
    if setup.demo {
        return crate::cache::file_for(&setup.paths.cache_dir, "demo", None);
    }
    let portal = setup
        .config
        .as_ref()
        .ok()
        .and_then(|c| c.portal_id.as_deref());
    let credential = setup.token.as_ref().map_or_else(String::new, |(t, _)| {
        crate::cache::portals::fingerprint(t.expose())
    });
    crate::cache::portals::locate(&setup.paths.cache_dir, &setup.base_url, &credential, portal)
        .current()
        .to_path_buf()
}

/// Remembers the portal the account info named, for the cache's file name (see
/// `cache_cmd::cache_path`): what `hubtix doctor` and the TUI's background checks learnt.
pub fn remember_portal(setup: &Setup, report: &Report) {
    if setup.demo {
        return;
    }
    if let (Some(account), Some((token, _))) = (&report.account, &setup.token) {
        crate::cache_cmd::remember_portal(
            &setup.paths.cache_dir,
            &setup.base_url,
            token,
            &account.portal_id.to_string(),
        );
    }
}
