//! `hubtix login` / `logout`, run as a user runs them against a sandbox on 127.0.0.1: the
//! secret comes on stdin (a pipe here; a terminal reads it without echo), is checked with
//! HubSpot, stored 0600, used by the other commands; `HUBSPOT_ACCESS_TOKEN` still wins;
//! logout removes it.

#![allow(clippy::unwrap_used)]

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

        // The other commands find it.
        let out = hubtix(&sb, d, None, &["tickets", "list", "--limit", "1"], "");
        assert!(out.status.success(), "{}", text(&out));
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
