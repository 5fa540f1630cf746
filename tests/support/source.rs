//! Reading Rust sources for the architecture tests (`tests/architecture.rs`,
//! `tests/architecture_sandbox.rs`) without a parser: [`clean`] blanks comments, the contents
//! of string and char literals and `#[cfg(test)]` items (keeping offsets and line numbers),
//! so what is left is code that ships; [`long_functions`] measures its functions.

#![allow(dead_code)]

use std::fmt;

/// The longest a function outside tests may be, signature and closing brace included.
pub const MAX_FN_LINES: usize = 120;

// ---------------------------------------------------------------- cleaning

/// `src` with comments, the contents of string and char literals, and `#[cfg(test)]` items
/// replaced by spaces. Newlines are kept, so offsets and line numbers still match `src`.
pub fn clean(src: &str) -> String {
    let without_comments = strip_comments_and_literals(src);
    strip_test_items(&without_comments)
}

fn blank(c: char) -> char {
    if c == '\n' { '\n' } else { ' ' }
}

pub fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn strip_comments_and_literals(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            i = skip_block_comment(&c, i, &mut out);
        } else if c[i] == '"' {
            i = skip_string(&c, i, &mut out);
        } else if c[i] == 'r'
            && (i == 0 || !is_ident_char(c[i - 1]))
            && matches!(next, Some('"' | '#'))
            && let Some(end) = raw_string_end(&c, i)
        {
            out.push('r');
            out.extend(c[i + 1..end].iter().map(|&x| blank(x)));
            i = end;
        } else if c[i] == '\'' {
            i = skip_char_literal(&c, i, &mut out);
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn skip_block_comment(c: &[char], mut i: usize, out: &mut String) -> usize {
    let mut depth = 0;
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            depth += 1;
            out.push_str("  ");
            i += 2;
        } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
            depth -= 1;
            out.push_str("  ");
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            out.push(blank(c[i]));
            i += 1;
        }
    }
    i
}

fn skip_string(c: &[char], mut i: usize, out: &mut String) -> usize {
    out.push('"');
    i += 1;
    while i < c.len() && c[i] != '"' {
        if c[i] == '\\' && i + 1 < c.len() {
            out.push(' ');
            i += 1;
        }
        out.push(blank(c[i]));
        i += 1;
    }
    if i < c.len() {
        out.push('"');
    }
    i + 1
}

/// The end (exclusive) of the raw string starting with the `r` at `i`, if one starts there.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while c.get(j) == Some(&'#') {
        j += 1;
    }
    if c.get(j) != Some(&'"') {
        return None;
    }
    let hashes = j - i - 1;
    let mut k = j + 1;
    while k < c.len() {
        if c[k] == '"' && (1..=hashes).all(|h| c.get(k + h) == Some(&'#')) {
            return Some(k + 1 + hashes);
        }
        k += 1;
    }
    Some(c.len())
}

/// Char literals (`'"'`, `'\''`, `'\u{1F600}'`) are blanked; lifetimes (`'a`) are kept.
fn skip_char_literal(c: &[char], i: usize, out: &mut String) -> usize {
    let end = if c.get(i + 1) == Some(&'\\') {
        (i + 3..c.len()).find(|&k| c[k] == '\'')
    } else if c.get(i + 2) == Some(&'\'') {
        Some(i + 2)
    } else {
        None
    };
    match end {
        Some(end) => {
            out.push_str(&" ".repeat(end + 1 - i));
            end + 1
        }
        None => {
            out.push('\'');
            i + 1
        }
    }
}

/// The index just past the `}` matching the `{` at `open`.
pub fn matching_brace(c: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, &ch) in c.iter().enumerate().skip(open) {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    c.len()
}

fn strip_test_items(src: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut c: Vec<char> = src.chars().collect();
    let text: String = c.iter().collect();
    // Char offsets of each mark (the text is ASCII wherever a mark can match).
    let marks: Vec<usize> = text
        .match_indices(MARK)
        .map(|(b, _)| text[..b].chars().count())
        .collect();
    for start in marks.into_iter().rev() {
        let body = start + MARK.chars().count();
        let end = match (body..c.len()).find(|&k| c[k] == '{' || c[k] == ';') {
            Some(k) if c[k] == '{' => matching_brace(&c, k),
            Some(k) => k + 1,
            None => c.len(),
        };
        for ch in &mut c[start..end] {
            *ch = blank(*ch);
        }
    }
    c.into_iter().collect()
}

pub fn line_of(c: &[char], at: usize) -> usize {
    c[..at].iter().filter(|&&x| x == '\n').count() + 1
}

// ---------------------------------------------------------------- paths and functions

/// The identifier at `i` (after any whitespace), and the offset just past it.
pub fn ident_at(c: &[char], mut i: usize) -> (String, usize) {
    while i < c.len() && c[i].is_whitespace() {
        i += 1;
    }
    let start = i;
    while i < c.len() && is_ident_char(c[i]) {
        i += 1;
    }
    (c[start..i].iter().collect(), i)
}

/// Offsets just past each occurrence of `path` that starts a path (not preceded by `::` or
/// an identifier character).
pub fn path_starts(c: &[char], path: &str) -> Vec<usize> {
    let p: Vec<char> = path.chars().collect();
    (0..c.len().saturating_sub(p.len() - 1))
        .filter(|&k| c[k..].starts_with(&p))
        .filter(|&k| k == 0 || !(is_ident_char(c[k - 1]) || c[k - 1] == ':'))
        .map(|k| k + p.len())
        .collect()
}

/// A function longer than allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongFn {
    /// The file, as given to [`long_functions`].
    pub file: String,
    /// The line of its `fn`.
    pub line: usize,
    pub name: String,
    /// From the `fn` line to the closing brace's, both included.
    pub lines: usize,
}

impl LongFn {
    /// How an allowlist names it: `file::name`.
    pub fn key(&self) -> String {
        format!("{}::{}", self.file, self.name)
    }
}

impl fmt::Display for LongFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} {} ({} lines)",
            self.file, self.line, self.name, self.lines
        )
    }
}

/// The functions with a body in `code` (a [`clean`]ed source of `file`) longer than `max`
/// lines, nested ones included. Declarations without a body (`fn f(&self);`) are skipped.
pub fn long_functions(code: &[char], file: &str, max: usize) -> Vec<LongFn> {
    let c = code;
    let mut out = Vec::new();
    for at in path_starts(c, "fn ") {
        let (name, after) = ident_at(c, at);
        if name.is_empty() {
            continue;
        }
        let Some(open) = (after..c.len()).find(|&k| c[k] == '{' || c[k] == ';') else {
            continue;
        };
        if c[open] == ';' {
            continue;
        }
        let start = at - 3;
        let end = matching_brace(c, open);
        let lines = line_of(c, end.saturating_sub(1)) - line_of(c, start) + 1;
        if lines > max {
            out.push(LongFn {
                file: file.to_owned(),
                line: line_of(c, start),
                name,
                lines,
            });
        }
    }
    out
}
