//! `hubtix login` / `logout`, and the credential they store: a service key or private-app
//! token kept in the OS keyring (macOS Keychain, Windows Credential Manager, the Secret
//! Service over D-Bus on Linux) or, where there is none, in a file private to the user (0600)
//! in the config folder. The secret never goes through argv or shell history.
//!
//! Where the token comes from, first found wins: `HUBSPOT_ACCESS_TOKEN`, what `hubtix login`
//! stored (the file, else the keyring), `token` in config.toml ([`resolve`]).
//!
//! The keyring entry is service `hubtix`, user the config folder's path, so each config
//! folder (`HUBTIX_CONFIG_DIR`) has its own credential. A keyring that is not there (a
//! headless machine with no session bus, or no Secret Service on it) or does not answer within
//! [`KEYRING_TIMEOUT`] (a locked collection waiting on a prompt nobody sees) counts as none:
//! `login` falls back to the file and says so in one line.
//!
//! Owns: reading the secret without echo ([`read_secret`]), validating it against HubSpot
//! before storing (token info, else a one-ticket read), the keyring entry and the file. Must
//! not: print or log the secret, or take it from the command line.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Config, Paths};
use crate::doctor::Source;
use crate::hubspot::{AccessToken, Client, ClientConfig};

/// The file `hubtix login` writes: `<config folder>/credential`.
pub fn file(paths: &Paths) -> PathBuf {
    paths.config_dir.join("credential")
}

/// The keyring's service name for hubtix's entries.
const SERVICE: &str = "hubtix";

/// How long the keyring may take to answer before hubtix takes it for absent. Local D-Bus
/// answers in milliseconds; a hung one (a prompt on a screen nobody sees) would never.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);

/// What the keyring said.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Keyring<T> {
    Done(T),
    /// It is there, and has no credential for this config folder.
    NoEntry,
    /// There is none, it failed, or it did not answer in time: why, in a few words.
    Unavailable(String),
}

/// Runs `op` on this config folder's keyring entry in a thread of its own, waiting at most
/// [`KEYRING_TIMEOUT`] (a thread still blocked after that is left behind; the command ends
/// without it).
fn in_keyring<T: Send + 'static>(
    paths: &Paths,
    op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> Keyring<T> {
    let user = paths.config_dir.display().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keyring".to_owned())
        .spawn(move || {
            let result = keyring::Entry::new(SERVICE, &user).and_then(|e| op(&e));
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Keyring::Unavailable(format!("cannot start a thread for it: {e}"));
    }
    match rx.recv_timeout(KEYRING_TIMEOUT) {
        Ok(Ok(v)) => Keyring::Done(v),
        Ok(Err(keyring::Error::NoEntry)) => Keyring::NoEntry,
        Ok(Err(e)) => Keyring::Unavailable(keyring_error(&e)),
        Err(_) => Keyring::Unavailable(format!(
            "it did not answer within {} s",
            KEYRING_TIMEOUT.as_secs()
        )),
    }
}

/// A keyring error in one line (the platform's messages can run over several).
fn keyring_error(e: &keyring::Error) -> String {
    let text = match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            inner.to_string()
        }
        other => other.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What `hubtix login` stored, if anything, and where: the file, else the keyring (an
/// unreachable keyring counts as holding nothing). A file others can read is refused, like a
/// config.toml holding a token.
pub fn stored(paths: &Paths) -> Result<Option<(AccessToken, Source)>, String> {
    if let Some(token) = stored_in_file(paths)? {
        return Ok(Some((token, Source::File)));
    }
    match in_keyring(paths, keyring::Entry::get_password) {
        Keyring::Done(secret) => {
            let token = AccessToken::new(secret);
            Ok((!token.is_empty()).then_some((token, Source::Keyring)))
        }
        Keyring::NoEntry => Ok(None),
        Keyring::Unavailable(why) => {
            tracing::debug!("no OS keyring to read the credential from: {why}");
            Ok(None)
        }
    }
}

/// What `hubtix login` stored in the file, if anything.
fn stored_in_file(paths: &Paths) -> Result<Option<AccessToken>, String> {
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
    if let Some(found) = stored(paths)? {
        return Ok(Some(found));
    }
    Ok(crate::config::token(None, config).map(|(t, s)| (t, Source::from(s))))
}

/// Where `hubtix login` put the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Keyring,
    /// The file, and why not the keyring.
    File {
        path: PathBuf,
        no_keyring: String,
    },
}

/// Stores the credential in the keyring (then removes a file an earlier login left, which
/// would win over it), else in the file.
pub fn store(paths: &Paths, token: &AccessToken) -> Result<Stored, String> {
    let secret = token.expose().to_owned();
    match in_keyring(paths, move |e| e.set_password(&secret)) {
        Keyring::Done(()) => {
            remove_file(paths)?;
            Ok(Stored::Keyring)
        }
        Keyring::NoEntry => store_in_file(paths, token).map(|path| Stored::File {
            path,
            no_keyring: "it has no place for it".to_owned(),
        }),
        Keyring::Unavailable(why) => store_in_file(paths, token).map(|path| Stored::File {
            path,
            no_keyring: why,
        }),
    }
}

/// Writes the credential private to the user (0600, whatever an earlier file had).
pub fn store_in_file(paths: &Paths, token: &AccessToken) -> Result<PathBuf, String> {
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

/// Removes the file; whether there was one.
fn remove_file(paths: &Paths) -> Result<bool, String> {
    let path = file(paths);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

/// `hubtix logout`: removes what `hubtix login` stored, from the keyring and the file.
pub fn logout(paths: &Paths) -> Result<(), String> {
    let from_file = remove_file(paths)?;
    if from_file {
        crate::output::line(&format!(
            "removed the credential in {}",
            file(paths).display()
        ));
    }
    let from_keyring = match in_keyring(paths, keyring::Entry::delete_credential) {
        Keyring::Done(()) => {
            crate::output::line("removed the credential from the OS keyring");
            true
        }
        Keyring::NoEntry => false,
        Keyring::Unavailable(why) => {
            crate::output::note_line(&format!(
                "no OS keyring to remove a credential from ({why})"
            ));
            false
        }
    };
    if !from_file && !from_keyring {
        crate::output::line("no credential stored (nothing to remove)");
    }
    Ok(())
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
    let place = match store(paths, &token)? {
        Stored::Keyring => "in the OS keyring".to_owned(),
        Stored::File { path, no_keyring } => {
            crate::output::note_line(&format!(
                "no OS keyring available ({no_keyring}): using the file instead"
            ));
            format!("in {} (0600)", path.display())
        }
    };
    crate::output::line(&format!(
        "{kind} accepted by {base_url}; stored {place}. HUBSPOT_ACCESS_TOKEN, when set, still \
         wins; `hubtix logout` removes it"
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
        store_in_file(&p, &AccessToken::new("pat-na1-stored")).expect("stored");
        let (t, s) = resolve(None, &p, &Config::default())
            .expect("reads")
            .expect("found");
        assert_eq!((t, s), (AccessToken::new("pat-na1-stored"), Source::File));
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
