//! The sandbox's module rules, checked on its source (`src/sandbox.rs` and `src/sandbox/*.rs`):
//!
//! - no cycle between sandbox modules: `a` uses `b` and `b` uses `a` (directly or through
//!   others) fails, naming the cycle and where each arrow comes from;
//! - imports point down the layers written in the doc comment of `src/sandbox.rs` (or
//!   sideways within a layer), never up; a module missing from [`LAYERS`] fails until it is
//!   placed there and in that doc comment;
//! - no function is longer than [`MAX_FN_LINES`] lines.
//!
//! A module's references are its `super::X`, `crate::sandbox::X` and (in `src/sandbox.rs`)
//! `X::` paths, grouped `use` trees included. `super::Item` where `Item` is not a module names
//! something defined in or re-exported by `src/sandbox.rs`, so it counts as a reference to
//! the root. Comments, string literals and `#[cfg(test)]` items are left out: test code may
//! reach anywhere.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

#[path = "support/source.rs"]
mod source;

use source::{MAX_FN_LINES, clean, ident_at, line_of, matching_brace, path_starts};

/// The name the root module (`src/sandbox.rs`) goes by in reports.
const ROOT: &str = "sandbox";

/// The sandbox's layers, top first, as the doc comment of `src/sandbox.rs` gives them. A
/// module may use modules of its own layer or of layers below it, never above.
const LAYERS: &[&[&str]] = &[
    &[ROOT],
    &["routes"],
    &[
        "objects",
        "batch",
        "assoc",
        "search",
        "metadata",
        "property_writes",
        "pipeline_writes",
    ],
    &["records", "render", "meta_json", "merge"],
    &[
        "http",
        "errors",
        "state",
        "store",
        "schema",
        "model",
        "validate",
        "seed",
        "faults",
        "rate_limit",
    ],
];

// ---------------------------------------------------------------- references

/// One module's source, cleaned.
struct Module {
    name: String,
    file: String,
    code: Vec<char>,
}

/// `from` uses `to`, first at `file:line`.
type Edges = BTreeMap<(String, String), String>;

/// The first segment of each item of the `use` group whose `{` is at `open`.
fn group_heads(c: &[char], open: usize) -> Vec<String> {
    let end = matching_brace(c, open);
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_item = true;
    for k in open + 1..end.saturating_sub(1) {
        match c[k] {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item = true,
            ch if at_item && !ch.is_whitespace() => {
                at_item = false;
                let (id, _) = ident_at(c, k);
                heads.push(if id.is_empty() { ch.to_string() } else { id });
            }
            _ => {}
        }
    }
    heads
}

/// The module(s) named by the path continuing at `i` (just past `super::` or
/// `crate::sandbox::`). A name that is not a module is an item of the root.
fn targets_at(c: &[char], i: usize, modules: &BTreeSet<String>) -> Vec<String> {
    let mut j = i;
    while j < c.len() && c[j].is_whitespace() {
        j += 1;
    }
    let heads = if c.get(j) == Some(&'{') {
        group_heads(c, j)
    } else {
        vec![ident_at(c, j).0]
    };
    heads
        .into_iter()
        .map(|h| {
            if modules.contains(&h) {
                h
            } else {
                ROOT.to_owned()
            }
        })
        .collect()
}

fn references(m: &Module, modules: &BTreeSet<String>, edges: &mut Edges) {
    let mut add = |to: String, at: usize| {
        if to != m.name {
            let line = line_of(&m.code, at);
            edges
                .entry((m.name.clone(), to))
                .or_insert_with(|| format!("{}:{line}", m.file));
        }
    };
    let mut prefixes = vec!["crate::sandbox::".to_owned()];
    if m.name == ROOT {
        prefixes.push("self::".to_owned());
        prefixes.extend(modules.iter().map(|x| format!("{x}::")));
    } else {
        prefixes.push("super::".to_owned());
    }
    for prefix in &prefixes {
        for at in path_starts(&m.code, prefix) {
            if m.name == ROOT && prefix != "crate::sandbox::" && prefix != "self::" {
                add(prefix.trim_end_matches(':').to_owned(), at);
                continue;
            }
            for to in targets_at(&m.code, at, modules) {
                add(to, at);
            }
        }
    }
}

// ---------------------------------------------------------------- graph

fn load() -> Vec<Module> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![(ROOT.to_owned(), root.join("src/sandbox.rs"))];
    let dir = root.join("src/sandbox");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        assert!(
            !path.is_dir(),
            "{} is a nested module directory: extend tests/architecture_sandbox.rs to check it",
            path.display()
        );
        if path.extension().is_some_and(|e| e == "rs") {
            let stem = path.file_stem().expect("a file name").to_string_lossy();
            files.push((stem.into_owned(), path));
        }
    }
    files
        .into_iter()
        .map(|(name, path)| {
            let src = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let file = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            Module {
                name,
                file,
                code: clean(&src).chars().collect(),
            }
        })
        .collect()
}

fn graph(modules: &[Module]) -> Edges {
    let names: BTreeSet<String> = modules
        .iter()
        .map(|m| m.name.clone())
        .filter(|n| n != ROOT)
        .collect();
    let mut edges = Edges::new();
    for m in modules {
        references(m, &names, &mut edges);
    }
    edges
}

/// The shortest path `from` .. `to` along `edges`, both ends included.
fn shortest_path(edges: &Edges, from: &str, to: &str) -> Option<Vec<String>> {
    let mut prev: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([from.to_owned()]);
    let mut seen = BTreeSet::from([from.to_owned()]);
    while let Some(at) = queue.pop_front() {
        if at == to {
            let mut path = vec![at.clone()];
            let mut cur = at;
            while let Some(p) = prev.get(&cur) {
                path.push(p.clone());
                cur = p.clone();
            }
            path.reverse();
            return Some(path);
        }
        for (_, next) in edges.keys().filter(|(a, _)| *a == at) {
            if seen.insert(next.clone()) {
                prev.insert(next.clone(), at.clone());
                queue.push_back(next.clone());
            }
        }
    }
    None
}

/// Every cycle closed by some arrow (shortest per arrow), each once, as `a -> b -> a` with
/// where each arrow comes from.
fn cycles(edges: &Edges) -> Vec<String> {
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for (a, b) in edges.keys() {
        let Some(back) = shortest_path(edges, b, a) else {
            continue;
        };
        let mut cycle = vec![a.clone()];
        cycle.extend(back.into_iter().take_while(|n| n != a));
        // Rotate so the smallest name comes first: each cycle is reported once.
        let min = (0..cycle.len()).min_by_key(|&k| &cycle[k]).unwrap_or(0);
        cycle.rotate_left(min);
        found.insert(cycle);
    }
    found
        .into_iter()
        .map(|cycle| {
            let arrows: Vec<String> = (0..cycle.len())
                .map(|k| {
                    let (a, b) = (&cycle[k], &cycle[(k + 1) % cycle.len()]);
                    let at = edges
                        .get(&(a.clone(), b.clone()))
                        .map_or("?", String::as_str);
                    format!("{a} -> {b} ({at})")
                })
                .collect();
            arrows.join(", ")
        })
        .collect()
}

fn layer_of(name: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&name))
}

/// Arrows that point up the layers, and modules no layer lists.
fn layer_violations(modules: &[Module], edges: &Edges) -> Vec<String> {
    let mut out: Vec<String> = modules
        .iter()
        .filter(|m| layer_of(&m.name).is_none())
        .map(|m| {
            format!(
                "{} ({}) is in no layer: add it to LAYERS here and to the layers in the doc comment of src/sandbox.rs",
                m.name, m.file
            )
        })
        .collect();
    for ((a, b), at) in edges {
        if let (Some(la), Some(lb)) = (layer_of(a), layer_of(b))
            && lb < la
        {
            out.push(format!("{a} -> {b} ({at}) points up the layers"));
        }
    }
    out
}

/// Functions longer than `max` lines: `file:line name (n lines)`.
fn long_functions(m: &Module, max: usize) -> Vec<String> {
    source::long_functions(&m.code, &m.file, max)
        .iter()
        .map(ToString::to_string)
        .collect()
}

// ---------------------------------------------------------------- the rules

#[test]
fn no_cycle_between_sandbox_modules() {
    let modules = load();
    let found = cycles(&graph(&modules));
    assert!(
        found.is_empty(),
        "cycles between sandbox modules (move what both sides need into a lower module; \
         the layers are in the doc comment of src/sandbox.rs):\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn sandbox_imports_point_down_the_layers() {
    let modules = load();
    let bad = layer_violations(&modules, &graph(&modules));
    assert!(
        bad.is_empty(),
        "sandbox imports across a forbidden arrow (layers, top first: {LAYERS:?}):\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn no_sandbox_function_is_longer_than_the_limit() {
    let long: Vec<String> = load()
        .iter()
        .flat_map(|m| long_functions(m, MAX_FN_LINES))
        .collect();
    assert!(
        long.is_empty(),
        "sandbox functions longer than {MAX_FN_LINES} lines (split them by concern):\n  {}",
        long.join("\n  ")
    );
}

// ---------------------------------------------------------------- the checker itself

fn module(name: &str, src: &str) -> Module {
    Module {
        name: name.to_owned(),
        file: format!("{name}.rs"),
        code: clean(src).chars().collect(),
    }
}

fn edge_names(modules: &[Module]) -> Vec<(String, String)> {
    graph(modules).into_keys().collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

#[test]
fn references_are_read_from_paths_and_use_trees() {
    let modules = [
        module(
            ROOT,
            "mod a;\nmod b;\npub use b::Thing;\nfn f() { self::c::g(); }",
        ),
        module(
            "a",
            "use super::{AppState, b::{X, Y},\n  c};\nfn f() { super::d::g(); crate::sandbox::e::h(); }",
        ),
        module("b", "use super::c::Z;"),
        module("c", ""),
        module("d", ""),
        module("e", ""),
    ];
    assert_eq!(
        edge_names(&modules),
        vec![
            pair("a", "b"),
            pair("a", "c"),
            pair("a", "d"),
            pair("a", "e"),
            pair("a", ROOT),
            pair("b", "c"),
            pair(ROOT, "b"),
            pair(ROOT, "c"),
        ]
    );
}

#[test]
fn comments_strings_and_test_items_are_not_references() {
    let modules = [
        module(ROOT, ""),
        module(
            "a",
            concat!(
                "//! uses super::b\n",
                "/* super::b /* nested */ super::b */\n",
                "const S: &str = \"super::b \\\" super::b\";\n",
                "const R: &str = r#\"super::b \"# ;\n",
                "const Q: char = '\"'; fn f<'x>(s: &'x str) {}\n",
                "#[cfg(test)]\nmod tests { use super::super::b; fn t() { super::b::x(); } }\n",
                "#[cfg(test)]\nuse super::b;\n",
                "fn g() { super::c::y(); }\n",
            ),
        ),
        module("b", ""),
        module("c", ""),
    ];
    assert_eq!(edge_names(&modules), vec![pair("a", "c")]);
}

#[test]
fn a_cycle_is_reported_with_where_each_arrow_comes_from() {
    let modules = [
        module(ROOT, "mod a;\nmod b;\nmod c;\n"),
        module("a", "use super::b::X;"),
        module("b", "\nuse super::c::Y;"),
        module("c", "\n\nfn f() { super::a::g(); }"),
        module("d", "use super::a::Z;"),
    ];
    assert_eq!(
        cycles(&graph(&modules)),
        vec!["a -> b (a.rs:1), b -> c (b.rs:2), c -> a (c.rs:3)".to_owned()]
    );
}

#[test]
fn an_upward_arrow_and_an_unlisted_module_are_reported() {
    let modules = [
        module(ROOT, "mod routes;\nmod store;\nmod extra;\n"),
        module("routes", "use super::store::Store;"),
        module("store", "use super::routes::Req;"),
        module("extra", ""),
    ];
    let bad = layer_violations(&modules, &graph(&modules));
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert!(
        bad[0].starts_with("extra (extra.rs) is in no layer"),
        "{bad:#?}"
    );
    assert_eq!(bad[1], "store -> routes (store.rs:1) points up the layers");
}

#[test]
fn function_length_counts_signature_to_closing_brace() {
    let body = "    let x = 1;\n".repeat(3);
    let src = format!(
        "fn short() {{\n{body}}}\n\nfn long(\n    a: u8,\n) -> u8 {{\n{body}{body}    a\n}}\ntrait T {{ fn decl(&self); }}\n"
    );
    let m = module("m", &src);
    assert_eq!(
        long_functions(&m, 5),
        vec!["m.rs:7 long (11 lines)".to_owned()]
    );
    assert!(long_functions(&m, 11).is_empty());
}
