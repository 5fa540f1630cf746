//! `hubtix login` / `logout`, run as a user runs them against a sandbox on 127.0.0.1: the
//! secret comes on stdin (a pipe here; a terminal reads it without echo), is checked with
//! HubSpot, stored in the OS keyring or, with none (CI: no session bus), 0600 in a file, used
//! by the other commands; `HUBSPOT_ACCESS_TOKEN` still wins; logout removes it.
//!
//! The real keyring (a Secret Service: gnome-keyring in a private D-Bus session) is tried when
//! `dbus-run-session` and `gnome-keyring-daemon` are installed, and said to be skipped when
//! not; with `HUBTIX_REQUIRE_KEYRING=1` (set by `.ci/run`) their absence is a failure.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use hubtix::sandbox::{SandboxConfig, SandboxHandle};

const KEY: &str = "pat-na1-login-test-0000";

fn hubtix(
    sb: &SandboxHandle,
    dir: &Path,
    env_token: Option<&str>,
    args: &[&str],
    stdin: &str,
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubtix"));
    cmd.args(args)
        .env_clear()
        .env("HUBTIX_BASE_URL", sb.base_url())
        .env("HUBTIX_CONFIG_DIR", dir.join("c"))
        .env("HUBTIX_DATA_DIR", dir.join("d"))
        .env("HUBTIX_CACHE_DIR", dir.join("k"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(t) = env_token {
        cmd.env("HUBSPOT_ACCESS_TOKEN", t);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn login_stores_privately_other_commands_use_it_env_wins_logout_removes() {
    let sb = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 5,
        token: KEY.into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("c").join("credential");
    tokio::task::block_in_place(|| {
        // A key HubSpot refuses is not stored.
        let out = hubtix(&sb, d, None, &["login"], "pat-na1-refused-0000\n");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("refused"), "{}", text(&out));
        assert!(!file.exists());

        let out = hubtix(&sb, d, None, &["login"], &format!("{KEY}\n"));
        assert!(out.status.success(), "{}", text(&out));
        assert!(!text(&out).contains(KEY), "never printed: {}", text(&out));
        // No session bus here: no keyring, said in one line, and the file instead.
        let all = text(&out);
        let fallback: Vec<&str> = all
            .lines()
            .filter(|l| l.contains("no OS keyring available"))
            .collect();
        assert_eq!(fallback.len(), 1, "{all}");
        assert!(
            fallback[0].ends_with("using the file instead"),
            "{}",
            text(&out)
        );
        assert!(
            text(&out).contains("private app token of portal"),
            "{}",
            text(&out)
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), KEY);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // The other commands find it, and doctor says where it is.
        let out = hubtix(&sb, d, None, &["tickets", "list", "--limit", "1"], "");
        assert!(out.status.success(), "{}", text(&out));
        let out = hubtix(&sb, d, None, &["doctor"], "");
        assert!(
            text(&out).contains("stored by hubtix login in the 0600 credential file"),
            "{}",
            text(&out)
        );
        let out = hubtix(&sb, d, Some(KEY), &["doctor"], "");
        assert!(
            text(&out).contains("from HUBSPOT_ACCESS_TOKEN"),
            "{}",
            text(&out)
        );
        // HUBSPOT_ACCESS_TOKEN wins over it.
        let out = hubtix(
            &sb,
            d,
            Some("pat-na1-env-wins"),
            &["tickets", "list", "--limit", "1"],
            "",
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("401"), "{}", text(&out));

        let out = hubtix(&sb, d, None, &["logout"], "");
        assert!(out.status.success(), "{}", text(&out));
        assert!(!file.exists());
        let out = hubtix(&sb, d, None, &["tickets", "list", "--limit", "1"], "");
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out).contains("hubtix login"), "{}", text(&out));
    });
}

/// A session bus that takes the connection and never answers (a hung D-Bus): `login` must not
/// hang on it but fall back to the file, saying the keyring did not answer.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_keyring_that_never_answers_falls_back_to_the_file() {
    use std::os::unix::net::UnixListener;
    let sb = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 1,
        token: KEY.into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let socket = d.join("bus");
    let listener = UnixListener::bind(&socket).unwrap();
    // Accepts every connection and keeps it open, silent, until the test ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let bus = format!("unix:path={}", socket.display());
    tokio::task::block_in_place(|| {
        let out = hubtix_with(
            &sb,
            d,
            &[("DBUS_SESSION_BUS_ADDRESS", &bus)],
            &["login"],
            KEY,
        );
        assert!(out.status.success(), "{}", text(&out));
        assert!(
            text(&out).contains("no OS keyring available (it did not answer within"),
            "{}",
            text(&out)
        );
        assert_eq!(
            std::fs::read_to_string(d.join("c").join("credential"))
                .unwrap()
                .trim(),
            KEY
        );
        assert!(!text(&out).contains(KEY), "never printed: {}", text(&out));
    });
}

/// `hubtix` with `envs` added, the secret on stdin.
fn hubtix_with(
    sb: &SandboxHandle,
    dir: &Path,
    envs: &[(&str, &str)],
    args: &[&str],
    secret: &str,
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubtix"));
    cmd.args(args)
        .env_clear()
        .env("HUBTIX_BASE_URL", sb.base_url())
        .env("HUBTIX_CONFIG_DIR", dir.join("c"))
        .env("HUBTIX_DATA_DIR", dir.join("d"))
        .env("HUBTIX_CACHE_DIR", dir.join("k"))
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{secret}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Whether `program` runs (`--version`).
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The real thing on Linux: a Secret Service (gnome-keyring, unlocked, in a private D-Bus
/// session) takes the credential; no file is written; the other commands and doctor read it
/// from there; logout removes it. Skipped, saying so, without the daemon.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn login_with_a_secret_service_keeps_the_credential_in_the_keyring() {
    if !(installed("dbus-run-session") && installed("gnome-keyring-daemon")) {
        assert!(
            std::env::var_os("HUBTIX_REQUIRE_KEYRING").is_none(),
            "a Secret Service is required here (HUBTIX_REQUIRE_KEYRING is set) but \
             dbus-run-session or gnome-keyring-daemon was not found"
        );
        eprintln!(
            "SKIPPED: no Secret Service to try the OS keyring with (apt-get install dbus \
             gnome-keyring)"
        );
        return;
    }
    let sb = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 1,
        token: KEY.into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let home = d.join("home");
    let runtime = d.join("run");
    for p in [&home, &runtime] {
        std::fs::create_dir_all(p).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    // One private session for every step: the daemon started and unlocked (a new login
    // keyring, password "pw"), then hubtix; each step's output after a marker line.
    let script = format!(
        "echo pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 9\n\
         exe={exe}\n\
         echo '--- login'; \"$exe\" login 2>&1\n\
         echo '--- file'; test -e \"$HUBTIX_CONFIG_DIR/credential\" && echo present || echo absent\n\
         echo '--- list'; \"$exe\" tickets list --limit 1 2>&1; echo \"exit $?\"\n\
         echo '--- doctor'; \"$exe\" doctor 2>&1\n\
         echo '--- logout'; \"$exe\" logout 2>&1\n\
         echo '--- after'; \"$exe\" tickets list --limit 1 2>&1; echo \"exit $?\"\n",
        exe = env!("CARGO_BIN_EXE_hubtix"),
    );
    let path = std::env::var("PATH").unwrap_or_default();
    let (home_s, run_s) = (home.display().to_string(), runtime.display().to_string());
    let out = tokio::task::block_in_place(|| {
        let mut cmd = Command::new("dbus-run-session");
        cmd.args(["--", "sh", "-c", &script])
            .env_clear()
            .env("PATH", &path)
            .env("HOME", &home_s)
            .env("XDG_RUNTIME_DIR", &run_s)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("HUBTIX_BASE_URL", sb.base_url())
            .env("HUBTIX_CONFIG_DIR", d.join("c"))
            .env("HUBTIX_DATA_DIR", d.join("d"))
            .env("HUBTIX_CACHE_DIR", d.join("k"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{KEY}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    });
    let all = text(&out);
    assert_ne!(
        out.status.code(),
        Some(9),
        "the keyring daemon did not start: {all}"
    );
    let step = |name: &str| -> String {
        let start = all
            .find(&format!("--- {name}\n"))
            .unwrap_or_else(|| panic!("no step {name}: {all}"));
        let rest = &all[start + name.len() + 5..];
        rest[..rest.find("--- ").unwrap_or(rest.len())].to_owned()
    };
    assert!(step("login").contains("stored in the OS keyring"), "{all}");
    assert!(!step("login").contains("no OS keyring"), "{all}");
    assert_eq!(
        step("file").trim(),
        "absent",
        "no file when the keyring took it"
    );
    assert!(step("list").contains("exit 0"), "{all}");
    assert!(
        step("doctor").contains("stored by hubtix login in the OS keyring"),
        "{all}"
    );
    assert!(
        step("logout").contains("removed the credential from the OS keyring"),
        "{all}"
    );
    assert!(step("after").contains("hubtix login"), "{all}");
    assert!(!all.contains(KEY), "never printed: {all}");
}
