//! The layers of ARCHITECTURE.md, checked: each top-level module of `src/` may use only the
//! modules its arrows allow. Reads the sources (test code left out) and fails naming the file
//! and line of every import that crosses a forbidden arrow.
//!
//! It also holds every function that ships (tests left out) to [`source::MAX_FN_LINES`]
//! lines, but for the few in [`STILL_TOO_LONG`].
//!
//! The sandbox's own inner layers are checked by `tests/architecture_sandbox.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[path = "support/source.rs"]
mod source;

use source::{LongFn, MAX_FN_LINES};

/// Functions outside tests allowed to be longer than [`MAX_FN_LINES`] lines, as `file::name`.
/// Empty since issue 11 split the last ones, and it stays empty: split a long function by
/// concern instead of adding it here.
const STILL_TOO_LONG: &[&str] = &[];

/// What a module must not use (`crate::<name>`), and why.
const RULES: &[(&str, Rule)] = &[
    (
        "protocol",
        Rule::Only(
            &["domain"],
            "the shared vocabulary depends only on the domain",
        ),
    ),
    (
        "domain",
        Rule::Only(&[], "the domain depends on nothing of ours"),
    ),
    (
        "hubspot",
        Rule::Only(
            &[],
            "the client knows no domain, UI or app (it could be its own crate)",
        ),
    ),
    (
        "mapping",
        Rule::Only(
            &["domain", "hubspot", "protocol", "text"],
            "mapping turns wire types into domain types, nothing more",
        ),
    ),
    (
        "cache",
        Rule::Only(
            &["domain", "config"],
            "the cache stores domain tickets in SQLite: no HTTP, no wire types, no UI",
        ),
    ),
    (
        "sync",
        Rule::Only(
            &["cache", "domain", "hubspot", "mapping"],
            "sync moves HubSpot's tickets into the cache and knows no UI or app",
        ),
    ),
    (
        "journal",
        Rule::Only(
            &["protocol", "config"],
            "the journal stores the protocol's entries in a file: no HTTP, no app, no UI",
        ),
    ),
    (
        "live",
        Rule::Only(
            &["cache", "sync", "hubspot", "protocol", "domain"],
            "the live task syncs the cache and speaks the protocol: no app, no UI",
        ),
    ),
    (
        "app",
        Rule::Never(
            &[
                "cache",
                "sync",
                "cache_cmd",
                "hubspot",
                "worker",
                "ui",
                "runtime",
                "sandbox",
                "mapping",
                "tickets_cmd",
                "commands",
                "terminal",
                "input",
                "journal",
            ],
            "update is pure: no I/O, no wire types, no drawing",
        ),
    ),
    (
        "ui",
        Rule::Never(
            &[
                "cache",
                "sync",
                "cache_cmd",
                "hubspot",
                "worker",
                "runtime",
                "sandbox",
                "mapping",
                "tickets_cmd",
                "commands",
                "terminal",
                "input",
                "journal",
            ],
            "drawing only reads the app",
        ),
    ),
    (
        "worker",
        Rule::Never(
            &[
                "app",
                "ui",
                "runtime",
                "views",
                "keymap",
                "terminal",
                "input",
                "sandbox",
                "tickets_cmd",
            ],
            "the worker answers in the protocol's terms and knows no UI state",
        ),
    ),
    (
        "macros",
        Rule::Only(
            &["domain", "keymap"],
            "macros are checked and expanded from the catalogue and the keymap, nothing more",
        ),
    ),
    (
        "views",
        Rule::Never(
            &["hubspot", "worker", "app", "ui", "runtime", "mapping"],
            "views compile to the domain's search terms",
        ),
    ),
    (
        "sandbox",
        Rule::Never(
            &[
                "hubspot", "domain", "protocol", "mapping", "app", "ui", "worker", "views",
                "cache", "sync",
            ],
            "the sandbox builds its JSON from its own store, never the client's types",
        ),
    ),
];

#[derive(Clone, Copy)]
enum Rule {
    /// May use only these (and itself).
    Only(&'static [&'static str], &'static str),
    /// May use anything but these.
    Never(&'static [&'static str], &'static str),
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `src/<m>.rs` and everything under `src/<m>/`, without test-only files.
fn module_files(module: &str) -> Vec<PathBuf> {
    let mut files = vec![src().join(format!("{module}.rs"))];
    let dir = src().join(module);
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let test_only: BTreeSet<PathBuf> = files.iter().flat_map(|f| test_modules(f)).collect();
    files.retain(|f| f.exists() && !test_only.contains(f));
    files.sort();
    files
}

/// Files declared as `#[cfg(test)] mod name;` in `file`.
fn test_modules(file: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    let dir = match file.file_stem().and_then(|s| s.to_str()) {
        Some("lib" | "main" | "mod") => file.parent().map(Path::to_path_buf),
        Some(stem) => file.parent().map(|p| p.join(stem)),
        None => None,
    };
    let Some(dir) = dir else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].trim() == "#[cfg(test)]")
        .filter_map(|w| {
            let l = w[1]
                .trim()
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ");
            let name = l.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(dir.join(format!("{name}.rs")))
        })
        .collect()
}

/// `(line, module)` for every `crate::<module>` outside test code and comments.
fn uses(file: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        // An inline test module runs to the end of the file in this code base.
        if t == "#[cfg(test)]"
            && lines
                .get(i + 1)
                .is_some_and(|n| n.trim().starts_with("mod ") && n.trim().ends_with('{'))
        {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        let code = t.split("//").next().unwrap_or(t);
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((i + 1, name));
            }
            rest = after;
        }
        // `use crate::{a, b}` groups.
        if let Some(group) = code.strip_prefix("use crate::{") {
            for name in group
                .split(',')
                .map(|s| s.trim().split("::").next().unwrap_or(""))
            {
                if !name.is_empty() && name != "}" {
                    out.push((i + 1, name.trim_end_matches("};").to_owned()));
                }
            }
        }
    }
    out
}

fn violations() -> Vec<String> {
    let mut found = Vec::new();
    for (module, rule) in RULES {
        for file in module_files(module) {
            for (line, used) in uses(&file) {
                if used == *module {
                    continue;
                }
                let (bad, why) = match rule {
                    Rule::Only(allowed, why) => (!allowed.contains(&used.as_str()), why),
                    Rule::Never(denied, why) => (denied.contains(&used.as_str()), why),
                };
                if bad {
                    found.push(format!(
                        "{}:{line}: {module} -> {used} ({why})",
                        file.strip_prefix(src().parent().unwrap_or(&src()))
                            .unwrap_or(&file)
                            .display()
                    ));
                }
            }
        }
    }
    found
}

/// Every `.rs` file under `src/` but the test-only ones (`tests.rs`, `*_tests.rs`), sorted.
fn shipped_sources(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if p.is_dir() {
                stack.push(p);
            } else if name.ends_with(".rs") && name != "tests.rs" && !name.ends_with("_tests.rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Functions longer than `max` lines in the files under `root` that ship (`#[cfg(test)]`
/// items left out), named by their path from `root`'s parent.
fn long_functions_under(root: &Path, max: usize) -> Vec<LongFn> {
    let base = root.parent().unwrap_or(root);
    shipped_sources(root)
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let code: Vec<char> = source::clean(&text).chars().collect();
            let name = f.strip_prefix(base).unwrap_or(f).display().to_string();
            source::long_functions(&code, &name, max)
        })
        .collect()
}

#[test]
fn no_function_outside_tests_is_longer_than_the_limit() {
    let long = long_functions_under(&src(), MAX_FN_LINES);
    let new: Vec<String> = long
        .iter()
        .filter(|f| !STILL_TOO_LONG.contains(&f.key().as_str()))
        .map(ToString::to_string)
        .collect();
    assert!(
        new.is_empty(),
        "functions longer than {MAX_FN_LINES} lines (split them by concern; STILL_TOO_LONG \
         only shrinks):\n  {}",
        new.join("\n  ")
    );
    let short_now: Vec<&str> = STILL_TOO_LONG
        .iter()
        .filter(|k| !long.iter().any(|f| f.key() == **k))
        .copied()
        .collect();
    assert!(
        short_now.is_empty(),
        "no longer over {MAX_FN_LINES} lines (or gone): take them off STILL_TOO_LONG:\n  {}",
        short_now.join("\n  ")
    );
}

#[test]
fn every_module_keeps_to_its_arrows() {
    let v = violations();
    assert!(
        v.is_empty(),
        "imports across a forbidden arrow:\n{}",
        v.join("\n")
    );
}

#[test]
fn the_checker_sees_imports_and_skips_test_code() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.rs");
    std::fs::write(
        &f,
        "use crate::{hubspot::Client, domain};\n// crate::ui in a comment\nfn f() { crate::worker::spawn(); }\n#[cfg(test)]\nmod tests {\n    use crate::sandbox;\n}\n",
    )
    .unwrap();
    let names: Vec<String> = uses(&f).into_iter().map(|(_, n)| n).collect();
    assert!(names.contains(&"hubspot".to_owned()), "{names:?}");
    assert!(names.contains(&"domain".to_owned()), "{names:?}");
    assert!(names.contains(&"worker".to_owned()), "{names:?}");
    assert!(!names.contains(&"ui".to_owned()), "{names:?}");
    assert!(!names.contains(&"sandbox".to_owned()), "{names:?}");
    // The real tree has files in every module checked.
    for (module, _) in RULES {
        assert!(!module_files(module).is_empty(), "{module}");
    }
}

#[test]
fn the_length_check_reads_shipped_code_only() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("m")).unwrap();
    let body = "    let x = 1;\n".repeat(4);
    let long = format!("fn long() {{\n{body}}}\n");
    std::fs::write(
        src.join("m.rs"),
        format!(
            "fn short() {{}}\n{long}#[cfg(test)]\nmod tests {{\n    fn in_tests() {{\n{body}    }}\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(src.join("m").join("inner.rs"), format!("\n{long}")).unwrap();
    std::fs::write(src.join("m").join("tests.rs"), &long).unwrap();
    std::fs::write(src.join("m").join("x_tests.rs"), &long).unwrap();
    let found: Vec<String> = long_functions_under(&src, 5)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        vec![
            "src/m/inner.rs:2 long (6 lines)".to_owned(),
            "src/m.rs:2 long (6 lines)".to_owned(),
        ]
    );
    assert_eq!(long_functions_under(&src, 5)[1].key(), "src/m.rs::long");
    assert!(long_functions_under(&src, 6).is_empty());
}
