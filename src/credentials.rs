//! `hubtix login` / `logout`, and the credential they store: a service key or private-app
//! token kept in a file private to the user (0600) in the config folder, so the secret never
//! goes through argv or shell history.
//!
//! Where the token comes from, first found wins: `HUBSPOT_ACCESS_TOKEN`, what `hubtix login`
//! stored, `token` in config.toml ([`resolve`]).
//!
//! The OS keyring (`keyring` crate) is not used yet: on Linux it needs the Secret Service over
//! D-Bus (a C library at build time, and no service on a headless machine such as CI), so the
//! 0600 file is the store everywhere for now.
//!
//! Owns: reading the secret without echo ([`read_secret`]), validating it against HubSpot
//! before storing (token info, else a one-ticket read), the file. Must not: print or log the
//! secret, or take it from the command line.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use crate::config::{Config, Paths};
use crate::doctor::Source;
use crate::hubspot::{AccessToken, Client, ClientConfig};

/// The file `hubtix login` writes: `<config folder>/credential`.
pub fn file(paths: &Paths) -> PathBuf {
    paths.config_dir.join("credential")
}

/// What `hubtix login` stored, if anything. A file others can read is refused, like a
/// config.toml holding a token.
pub fn stored(paths: &Paths) -> Result<Option<AccessToken>, String> {
    let path = file(paths);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            check_private(&path)?;
            let token = AccessToken::new(text);
            Ok((!token.is_empty()).then_some(token))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[cfg(unix)]
fn check_private(path: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "{} holds a credential but other users can read it (mode {mode:o}); run `chmod 600 {}` or `hubtix login` again",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &std::path::Path) -> Result<(), String> {
    Ok(())
}

/// The token to use and where it came from: `HUBSPOT_ACCESS_TOKEN` (`env_token`), else what
/// `hubtix login` stored, else config.toml's `token`.
pub fn resolve(
    env_token: Option<String>,
    paths: &Paths,
    config: &Config,
) -> Result<Option<(AccessToken, Source)>, String> {
    let env = env_token.map(AccessToken::new).filter(|t| !t.is_empty());
    if let Some(token) = env {
        return Ok(Some((token, Source::Env)));
    }
    if let Some(token) = stored(paths)? {
        return Ok(Some((token, Source::Login)));
    }
    Ok(crate::config::token(None, config).map(|(t, s)| (t, Source::from(s))))
}

/// Writes the credential private to the user (0600, whatever an earlier file had).
pub fn store(paths: &Paths, token: &AccessToken) -> Result<PathBuf, String> {
    let path = file(paths);
    crate::config::write_atomically(&path, format!("{}\n", token.expose()).as_bytes())
        .and_then(|()| set_private(&path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(unix)]
fn set_private(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_private(_path: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}

/// `hubtix logout`: removes what `hubtix login` stored.
pub fn logout(paths: &Paths) -> Result<(), String> {
    let path = file(paths);
    match std::fs::remove_file(&path) {
        Ok(()) => {
            crate::output::line(&format!("removed the credential in {}", path.display()));
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::output::line("no credential stored (nothing to remove)");
            Ok(())
        }
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

/// `hubtix login`: reads the secret (hidden on a terminal, one line otherwise), checks that
/// HubSpot at `base_url` accepts it, and stores it.
pub async fn login(base_url: Option<String>, paths: &Paths) -> Result<(), String> {
    let config = Config::load(paths).unwrap_or_default();
    let base_url = base_url
        .filter(|u| !u.is_empty())
        .or(config.base_url)
        .unwrap_or_else(|| crate::hubspot::HUBSPOT_BASE_URL.to_owned());
    let token = read_secret()?;
    if token.is_empty() {
        return Err("no credential entered; nothing stored".to_owned());
    }
    let kind = validate(&base_url, &token).await?;
    let path = store(paths, &token)?;
    crate::output::line(&format!(
        "{kind} accepted by {base_url}; stored in {} (0600). HUBSPOT_ACCESS_TOKEN, when set, \
         still wins; `hubtix logout` removes it",
        path.display()
    ));
    Ok(())
}

/// What HubSpot says of the token, or why it refused it.
async fn validate(base_url: &str, token: &AccessToken) -> Result<String, String> {
    let mut config = ClientConfig::new(base_url, token.clone());
    config.timeout = std::time::Duration::from_secs(15);
    let client = Client::new(config).map_err(|e| e.summary())?;
    let probe = crate::hubspot::ListQuery {
        limit: Some(1),
        properties: vec!["subject".to_owned()],
        ..crate::hubspot::ListQuery::default()
    };
    if let Ok(info) = client.token_info().await {
        let hub = info
            .hub_id
            .map(|h| format!(" of portal {h}"))
            .unwrap_or_default();
        return Ok(format!("a private app token{hub}"));
    }
    match client.list_tickets(&probe).await {
        Ok(_) => Ok(crate::doctor::kind_by_shape(token)),
        Err(e) if e.missing_scopes().is_some() => Ok(crate::doctor::kind_by_shape(token)),
        Err(e) if e.is_auth() => Err(format!(
            "HubSpot refused the credential ({}); nothing stored",
            e.summary()
        )),
        Err(e) => Err(format!(
            "cannot check the credential at {base_url}: {}; nothing stored",
            e.summary()
        )),
    }
}

/// The secret: typed without echo on a terminal (stdin a tty), else the first line of stdin
/// (a pipe from a password manager). Never an argument.
fn read_secret() -> Result<AccessToken, String> {
    if std::io::stdin().is_terminal() {
        crate::output::note_line("Service key or access token (input hidden), then Enter:");
        return read_hidden().map(AccessToken::new);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the credential from stdin: {e}"))?;
    Ok(AccessToken::new(line))
}

/// Reads keys in raw mode (nothing echoed) until Enter; Esc or Ctrl-c cancels. The terminal
/// leaves raw mode on every way out.
fn read_hidden() -> Result<String, String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    crossterm::terminal::enable_raw_mode().map_err(|e| format!("cannot hide the input: {e}"))?;
    let mut secret = String::new();
    let outcome = loop {
        let event = match read() {
            Ok(ev) => ev,
            Err(e) => break Err(format!("cannot read the terminal: {e}")),
        };
        let Event::Key(key) = event else {
            continue;
        };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        match key.code {
            KeyCode::Enter => break Ok(()),
            KeyCode::Esc => break Err("cancelled; nothing stored".to_owned()),
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                break Err("cancelled; nothing stored".to_owned());
            }
            KeyCode::Backspace => {
                secret.pop();
            }
            KeyCode::Char(c) => secret.push(c),
            _ => {}
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    crate::output::note_line("");
    outcome.map(|()| secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &tempfile::TempDir) -> Paths {
        Paths {
            config_dir: dir.path().join("c"),
            data_dir: dir.path().join("d"),
            cache_dir: dir.path().join("k"),
        }
    }

    #[test]
    fn stored_private_and_found_after_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = paths(&dir);
        let none = resolve(None, &p, &Config::default()).expect("reads");
        assert!(none.is_none());
        store(&p, &AccessToken::new("pat-na1-stored")).expect("stored");
        let (t, s) = resolve(None, &p, &Config::default())
            .expect("reads")
            .expect("found");
        assert_eq!((t, s), (AccessToken::new("pat-na1-stored"), Source::Login));
        let (t, s) = resolve(Some("pat-na1-env".into()), &p, &Config::default())
            .expect("reads")
            .expect("found");
        assert_eq!((t, s), (AccessToken::new("pat-na1-env"), Source::Env));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file(&p))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
