//! `hubtix completions SHELL` and `hubtix man`, run as a user runs them: the real binary's
//! stdout holds every subcommand of the clap tree (walked, so a new subcommand is checked
//! without touching this test).

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use clap::CommandFactory;

fn hubtix(args: &[&str]) -> Output {
    let dirs = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args(args)
        .env_clear()
        .env("HUBTIX_CONFIG_DIR", dirs.path().join("c"))
        .env("HUBTIX_DATA_DIR", dirs.path().join("d"))
        .env("HUBTIX_CACHE_DIR", dirs.path().join("k"))
        .output()
        .unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let out = hubtix(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every subcommand at any depth, as the words that run it.
fn every_subcommand() -> Vec<Vec<String>> {
    let mut root = hubtix::cli::Cli::command();
    root.build();
    let paths: Vec<Vec<String>> = hubtix::shell_cmd::subcommand_paths(&root)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(
        paths.iter().any(|p| p.len() > 1),
        "the walk reaches nested subcommands: {paths:?}"
    );
    paths
}

#[test]
fn completions_name_every_subcommand_in_every_shell() {
    let subcommands = every_subcommand();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        for path in &subcommands {
            let name = path.last().unwrap();
            assert!(
                script.contains(name.as_str()),
                "{shell} completions lack `{}`",
                path.join(" ")
            );
        }
    }
    // Each shell's own idiom, so a script for the wrong shell cannot pass.
    assert!(stdout_of(&["completions", "bash"]).contains("complete -F"));
    assert!(stdout_of(&["completions", "zsh"]).starts_with("#compdef hubtix"));
    assert!(stdout_of(&["completions", "fish"]).contains("complete -c hubtix"));
    assert!(stdout_of(&["completions", "powershell"]).contains("Register-ArgumentCompleter"));
}

#[test]
fn completions_refuse_an_unknown_shell_in_one_line() {
    let out = hubtix(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("expected bash"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn man_page_names_every_subcommand_in_full() {
    let page = stdout_of(&["man"]);
    assert!(page.starts_with(".ie"), "roff from clap_mangen: {page:.80}");
    assert!(page.contains(".TH hubtix 1"), "{page:.200}");
    for path in every_subcommand() {
        // roff escapes '-' as '\-' in bold runs: compare the words.
        let words = format!("hubtix {}", path.join(" ")).replace('-', "\\-");
        assert!(
            page.contains(&format!(
                "\\fBhubtix {}",
                path.join(" ").replace('-', "\\-")
            )) || page.contains(&words),
            "the man page lacks `hubtix {}`",
            path.join(" ")
        );
    }
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH COMMANDS",
        ".SH ENVIRONMENT",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    assert!(page.contains("NO_COLOR"));
}
