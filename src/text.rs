//! Terminal-safe text from untrusted remote strings, and display-width arithmetic.
//!
//! Owns: stripping control characters and whole escape sequences (a ticket body must never
//! move the cursor, clear the screen or retitle the terminal), removing bidi overrides, turning
//! ticket HTML into plain text, and measuring / truncating / padding by terminal cells, one
//! grapheme cluster at a time so CJK and emoji never get split.
//!
//! Must not: style, wrap paragraphs or know about panes; that is the UI's job. Everything a
//! remote string passes through here before it reaches a `Span`.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The ellipsis appended by [`truncate_to_width`].
pub const ELLIPSIS: char = '…';

/// What to do with a character while sanitizing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Keep,
    Drop,
    Space,
    LineBreak,
    /// ESC or a C1 introducer: a sequence starts here.
    Escape,
}

fn classify(c: char) -> Class {
    match c {
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Class::LineBreak,
        '\t' => Class::Space,
        '\u{1b}' | '\u{90}' | '\u{98}' | '\u{9b}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => Class::Escape,
        // C0 and DEL and the remaining C1 controls.
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Class::Drop,
        // Bidi embeddings, overrides, isolates and marks: they reorder what follows them,
        // which lets a subject visually disguise itself (Trojan Source).
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' => {
            Class::Drop
        }
        // Byte-order mark / zero-width no-break space and interlinear annotation controls.
        '\u{feff}' | '\u{fff9}'..='\u{fffb}' => Class::Drop,
        _ => Class::Keep,
    }
}

/// Single-line safe text: control characters and escape sequences removed (whole CSI, OSC,
/// DCS, ... sequences, not just the ESC byte), bidi controls removed, tabs and line breaks
/// turned into a space (`\r\n` is one break). Printable text, CJK, emoji, ZWJ sequences and
/// combining marks are kept. Borrows when nothing needed changing.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    sanitize_impl(s, false)
}

/// Like [`sanitize`] but keeps line breaks, normalized to `\n` (`\r\n` and lone `\r` too).
pub fn sanitize_multiline(s: &str) -> Cow<'_, str> {
    sanitize_impl(s, true)
}

fn sanitize_impl(s: &str, multiline: bool) -> Cow<'_, str> {
    let clean = s.chars().all(|c| match classify(c) {
        Class::Keep => true,
        Class::LineBreak => multiline && c == '\n',
        _ => false,
    });
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match classify(c) {
            Class::Keep => out.push(c),
            Class::Drop => {}
            Class::Space => out.push(' '),
            Class::LineBreak => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(if multiline { '\n' } else { ' ' });
            }
            Class::Escape => skip_sequence(c, &mut chars),
        }
    }
    Cow::Owned(out)
}

/// Consumes the rest of an escape sequence whose introducer `first` was just read.
fn skip_sequence(first: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Normalize the 7-bit form `ESC x` to the 8-bit C1 control it stands for.
    let kind = if first == '\u{1b}' {
        match chars.peek().copied() {
            Some(c @ '@'..='_') => {
                chars.next();
                // ESC @..ESC _ map to C1 0x80..0x9f.
                char::from_u32(u32::from(c) - 0x40 + 0x80).unwrap_or('\u{80}')
            }
            Some(' '..='/') => {
                // nF sequence: intermediates then one final byte (e.g. ESC ( B).
                while chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
                chars.next_if(|c| ('0'..='~').contains(c));
                return;
            }
            Some('0'..='~') => {
                // Fp/Fs two-character sequences such as ESC 7, ESC c (full reset!).
                chars.next();
                return;
            }
            // A lone ESC (at the end, or before text/controls): drop just the ESC.
            _ => return,
        }
    } else {
        first
    };
    match kind {
        // CSI: parameter bytes 0x30-0x3f, intermediates 0x20-0x2f, one final byte 0x40-0x7e.
        // Anything else ends the sequence early (malformed), and is then handled normally.
        '\u{9b}' => {
            while chars.next_if(|c| ('0'..='?').contains(c)).is_some() {}
            while chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
            chars.next_if(|c| ('@'..='~').contains(c));
        }
        // OSC, DCS, SOS, PM, APC: a string ended by BEL (OSC), ST (`ESC \` or 0x9c). An
        // unterminated string swallows the rest: better to lose text than emit half a command.
        '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
            while let Some(c) = chars.next() {
                match c {
                    '\u{7}' if kind == '\u{9d}' => break,
                    '\u{9c}' => break,
                    '\u{1b}' => {
                        chars.next_if_eq(&'\\');
                        break;
                    }
                    _ => {}
                }
            }
        }
        // Other C1 controls (from `ESC x`): nothing more to skip.
        _ => {}
    }
}

/// Display width in terminal cells, summed per grapheme cluster as ratatui lays text out.
/// Expects sanitized text.
pub fn width(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// `s` cut to at most `cells` cells, ending in `…` when something was cut. Never splits a
/// grapheme cluster or a wide character; the result can be one cell short of `cells` when a
/// wide character did not fit.
pub fn truncate_to_width(s: &str, cells: usize) -> String {
    if width(s) <= cells {
        return s.to_owned();
    }
    if cells == 0 {
        return String::new();
    }
    let budget = cells - 1; // one cell for the ellipsis
    let mut used = 0;
    let mut out = String::new();
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > budget {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push(ELLIPSIS);
    out
}

/// A message line cut to `cells`, but never its HubSpot correlation ID: when the line ends in
/// ` (correlation id …)` the message before it is what gets cut (`HTTP 409 CONFLICT: A tic…
/// (correlation id 4f…)`), since that ID is what HubSpot's support asks for. Other lines are
/// cut as [`truncate_to_width`] does.
pub fn fit_keeping_correlation(s: &str, cells: usize) -> String {
    if width(s) <= cells {
        return s.to_owned();
    }
    match split_correlation(s) {
        // Keep at least a few cells of the message, else it says nothing.
        Some((head, tail)) if width(tail) + 8 <= cells => {
            let mut out = truncate_to_width(head, cells - width(tail));
            out.push_str(tail);
            out
        }
        _ => truncate_to_width(s, cells),
    }
}

/// A message line as lines of at most `cells` each, for a place with room for two: on one line
/// if it fits, else the message on the first and its correlation ID on the second (each cut
/// if it must), else cut as [`fit_keeping_correlation`] does.
pub fn fit_in_two(s: &str, cells: usize) -> Vec<String> {
    if width(s) <= cells {
        return vec![s.to_owned()];
    }
    match split_correlation(s) {
        Some((head, tail)) => vec![
            truncate_to_width(head, cells),
            truncate_to_width(tail.trim_start(), cells),
        ],
        None => vec![truncate_to_width(s, cells)],
    }
}

/// A message line and its closing ` (correlation id …)`, when it ends in one.
fn split_correlation(s: &str) -> Option<(&str, &str)> {
    s.rfind(" (correlation id ")
        .filter(|&at| s.ends_with(')') && !s[at + 1..].contains(" ("))
        .map(|at| s.split_at(at))
}

/// `s` truncated (with `…`) or padded with spaces to exactly `cells` cells, left-aligned.
pub fn pad_to_width(s: &str, cells: usize) -> String {
    let mut out = truncate_to_width(s, cells);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

/// Like [`pad_to_width`] but right-aligned (spaces first), for numbers.
pub fn pad_left_to_width(s: &str, cells: usize) -> String {
    let text = truncate_to_width(s, cells);
    let w = width(&text);
    let mut out: String = std::iter::repeat_n(' ', cells.saturating_sub(w)).collect();
    out.push_str(&text);
    out
}

/// Whether `s` looks like HTML (has a tag such as `<p>`, `<br/>`, `</div>` or an entity like
/// `&amp;`) rather than plain text, to decide whether [`html_to_text`] should see it.
pub fn looks_like_html(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        || ["&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;", "&#"]
            .iter()
            .any(|e| s.contains(e))
}

/// The text an agent typed as HubSpot will hold it and hubtix will read it back: line breaks
/// as `\n` (CRLF, CR and the Unicode separators too), a tab as one space and no control
/// characters or bidi overrides (as hubtix shows any text, see [`sanitize_multiline`]), no
/// whitespace at the end of a line, no blank lines before the first line and nothing after
/// the last. Everything else stays: runs of spaces, indentation, blank lines between
/// paragraphs, however many. [`text_to_html`] sends exactly this.
pub fn normalize_typed(text: &str) -> String {
    let clean = sanitize_multiline(text);
    let mut lines: Vec<&str> = clean.split('\n').map(str::trim_end).collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    if first >= last {
        return String::new();
    }
    lines.truncate(last);
    lines.drain(..first);
    lines.join("\n")
}

/// Minimal HTML for text an agent typed (a note, a call's or a task's body), as HubSpot's
/// editor would store it: a `<p>` per paragraph, `<br>` for a line break inside one,
/// `http(s)://` URLs as links, and `& < > "` escaped so nothing typed becomes markup. What a
/// browser would collapse is kept by saying so: a paragraph with a run of spaces or an
/// indented line is `white-space: pre-wrap`, and a run of more than one blank line is kept
/// as that many `<br>` at the start of the next paragraph. [`html_to_text`] reads it back as
/// [`normalize_typed`] gives the text, exactly. Whether HubSpot keeps the `style` attribute
/// of a note body is UNCONFIRMED; where it is dropped, those runs read back collapsed.
pub fn text_to_html(text: &str) -> String {
    let text = normalize_typed(text);
    let mut out = String::new();
    // Each paragraph: the blank lines before it beyond the one a paragraph break shows, and
    // its lines.
    let mut paragraphs: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut blank_run = 0usize;
    let mut open = false;
    for line in text.split('\n') {
        if line.is_empty() {
            blank_run += 1;
            open = false;
            continue;
        }
        match paragraphs.last_mut() {
            Some((_, lines)) if open => lines.push(line),
            _ => paragraphs.push((blank_run.saturating_sub(1), vec![line])),
        }
        open = true;
        blank_run = 0;
    }
    for (extra_blank, lines) in paragraphs {
        let keep_spaces =
            extra_blank > 0 || lines.iter().any(|l| l.starts_with(' ') || l.contains("  "));
        out.push_str(if keep_spaces {
            "<p style=\"white-space: pre-wrap\">"
        } else {
            "<p>"
        });
        out.push_str(&"<br>".repeat(extra_blank));
        let lines: Vec<String> = lines.iter().map(|l| linkify(l)).collect();
        out.push_str(&lines.join("<br>"));
        out.push_str("</p>");
    }
    out
}

/// One line escaped, its `http://` and `https://` URLs as links.
fn linkify(line: &str) -> String {
    let mut out = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let is_url = (word.starts_with("https://") || word.starts_with("http://"))
            && word.len() > "https://".len();
        if is_url {
            // A sentence's closing punctuation is not part of the link.
            let url = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            let rest = &word[url.len()..];
            let e = escape_html(url);
            out.push_str(&format!("<a href=\"{e}\">{e}</a>{}", escape_html(rest)));
        } else {
            out.push_str(&escape_html(word));
        }
    }
    out
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Plain, sanitized multi-line text from ticket HTML: block elements (`p`, `div`, `h1`..,
/// `tr`, ...) and `<br>` become line breaks, `<li>` becomes `• `, tags are dropped along with
/// the contents of `script`, `style`, `head` and comments, whitespace collapses as a browser
/// would (except in `pre` and in elements styled `white-space: pre`, `pre-wrap` or
/// `break-spaces`, where spaces, line breaks and blank lines stay as written), and entities
/// are decoded. Never fails: malformed markup degrades to text.
pub fn html_to_text(html: &str) -> String {
    let mut out = Builder::default();
    let mut rest = html;
    // Open elements that keep their whitespace, innermost last.
    let mut keep: Vec<String> = Vec::new();
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            out.text(rest, !keep.is_empty());
            break;
        };
        out.text(&rest[..lt], !keep.is_empty());
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            // A `<` that opens no tag ("a < b") is text.
            out.text("<", !keep.is_empty());
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.len..];
        if !tag.closing && tag.name == "pre" {
            // A line break right after `<pre>` is not content (HTML's parsing rule).
            rest = rest
                .strip_prefix("\r\n")
                .or_else(|| rest.strip_prefix('\n'))
                .unwrap_or(rest);
        }
        if !tag.closing && matches!(tag.name.as_str(), "script" | "style" | "head" | "title") {
            rest = skip_raw_text(rest, &tag.name);
            continue;
        }
        match tag.name.as_str() {
            "br" => out.line_break(!keep.is_empty()),
            "li" if !tag.closing => {
                out.block();
                out.raw("• ");
            }
            "td" | "th" if !tag.closing => out.cell(),
            "hr" => {
                out.block();
                out.raw("────────");
                out.block();
            }
            "p" | "pre" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" => out.paragraph(),
            "div" | "ul" | "ol" | "li" | "tr" | "table" | "thead" | "tbody" | "tfoot"
            | "section" | "article" | "header" | "footer" | "nav" | "aside" | "dl" | "dt"
            | "dd" | "figure" | "figcaption" | "address" | "main" | "form" | "fieldset" => {
                out.block()
            }
            _ => {}
        }
        track_whitespace(&mut keep, &tag);
    }
    let text = out.finish();
    sanitize_multiline(&text).into_owned()
}

/// Elements that have no content, so no closing tag to wait for.
const VOID: &[&str] = &[
    "br", "hr", "img", "wbr", "input", "meta", "link", "area", "base", "col", "embed", "source",
    "track",
];

/// Keeps `keep` (the open elements whose whitespace is kept) in step with one tag.
fn track_whitespace(keep: &mut Vec<String>, tag: &Tag) {
    if tag.closing {
        if let Some(i) = keep.iter().rposition(|n| *n == tag.name) {
            keep.truncate(i);
        }
        return;
    }
    // A `<p>` ends the paragraph still open (HTML's implied end tag).
    if tag.name == "p" && keep.last().is_some_and(|n| n == "p") {
        keep.pop();
    }
    if (tag.name == "pre" || tag.keeps_whitespace) && !VOID.contains(&tag.name.as_str()) {
        keep.push(tag.name.clone());
    }
}

/// Whether a tag's `style` says its whitespace is kept (`white-space: pre`, `pre-wrap`,
/// `break-spaces`; not `pre-line`, which collapses spaces).
fn styled_to_keep_whitespace(tag: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    let Some(at) = lower.find("white-space") else {
        return false;
    };
    let value = lower[at + "white-space".len()..]
        .trim_start()
        .strip_prefix(':')
        .map(str::trim_start)
        .unwrap_or("");
    (value.starts_with("pre") && !value.starts_with("pre-line"))
        || value.starts_with("break-spaces")
}

struct Tag {
    name: String,
    closing: bool,
    /// Its `style` keeps whitespace (see [`styled_to_keep_whitespace`]).
    keeps_whitespace: bool,
    /// Bytes from `<` to `>` inclusive.
    len: usize,
}

/// Parses a tag at the start of `s` (which starts with `<`). Quotes in attributes may hold
/// `>`. `None` when this is not a tag.
fn parse_tag(s: &str) -> Option<Tag> {
    let body = &s[1..];
    let (closing, body) = match body.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let first = body.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '!' || first == '?') {
        return None;
    }
    let name: String = body
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '?' || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase();
    let mut quote: Option<char> = None;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            // A `<` before the `>` means the first one was not a tag after all (checked even
            // inside quotes, which keeps malformed input linear).
            (_, '<') => return None,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => {
                let prefix = if closing { 2 } else { 1 };
                let len = prefix + i + 1;
                return Some(Tag {
                    name,
                    closing,
                    keeps_whitespace: !closing && styled_to_keep_whitespace(&s[..len]),
                    len,
                });
            }
            _ => {}
        }
    }
    None
}

/// Skips the raw text of `<script>`/`<style>` up to and including its closing tag.
fn skip_raw_text<'a>(s: &'a str, name: &str) -> &'a str {
    let needle = format!("</{name}");
    let lower = s.to_ascii_lowercase(); // ASCII lowering keeps byte offsets
    match lower.find(&needle) {
        Some(start) => {
            let after = &s[start..];
            after.find('>').map_or("", |end| &after[end + 1..])
        }
        None => "",
    }
}

/// Stands for a line break that must stay (whitespace-keeping content) until
/// [`Builder::finish`] has collapsed the others. NUL never reaches the builder: [`Builder::text`]
/// drops it, as sanitizing would.
const HARD_BREAK: char = '\0';

/// Accumulates lines, collapsing whitespace and blank lines (but those of content that keeps
/// its whitespace).
#[derive(Default)]
struct Builder {
    out: String,
    /// A collapsed space is owed before the next text.
    pending_space: bool,
    /// Blank line count requested at the end of `out`.
    pending_breaks: usize,
}

impl Builder {
    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with(['\n', HARD_BREAK])
    }

    fn flush_breaks(&mut self) {
        if self.pending_breaks > 0 {
            if !self.out.is_empty() {
                let n = self.pending_breaks.min(2);
                for _ in 0..n {
                    self.out.push('\n');
                }
            }
            self.pending_breaks = 0;
            self.pending_space = false;
        }
    }

    fn raw(&mut self, s: &str) {
        self.flush_breaks();
        if self.pending_space && !self.at_line_start() {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.out.push_str(s);
    }

    /// Text between tags; `keep` when it keeps its whitespace (`pre` and the like).
    fn text(&mut self, s: &str, keep: bool) {
        if s.is_empty() {
            return;
        }
        let decoded = decode_entities(s);
        let decoded = if decoded.contains(HARD_BREAK) {
            Cow::Owned(decoded.replace(HARD_BREAK, ""))
        } else {
            decoded
        };
        if keep {
            self.raw("");
            let kept = decoded.replace("\r\n", "\n").replace(['\r', '\n'], "\0");
            self.out.push_str(&kept);
            return;
        }
        for (i, word) in decoded.split(|c: char| c.is_ascii_whitespace()).enumerate() {
            if i > 0 {
                self.pending_space = true;
            }
            if word.is_empty() {
                continue;
            }
            // &nbsp; decodes to U+00A0, which stays: it is meant to keep words together.
            self.raw(word);
        }
    }

    /// A `<br>`; `keep` inside content that keeps its whitespace, where it always shows.
    fn line_break(&mut self, keep: bool) {
        if keep {
            self.flush_breaks();
            self.out.push(HARD_BREAK);
        } else if self.pending_breaks > 0 {
            self.pending_breaks += 1;
        } else {
            self.trim_trailing_space();
            self.out.push('\n');
        }
        self.pending_space = false;
    }

    /// Ends the current block: the next text starts on a new line.
    fn block(&mut self) {
        self.trim_trailing_space();
        if !self.at_line_start() && self.pending_breaks == 0 {
            self.pending_breaks = 1;
        }
        self.pending_space = false;
    }

    /// Ends the current paragraph: a blank line before the next text.
    fn paragraph(&mut self) {
        self.trim_trailing_space();
        if !self.out.is_empty() {
            self.pending_breaks = self
                .pending_breaks
                .max(if self.at_line_start() { 1 } else { 2 });
        }
        self.pending_space = false;
    }

    fn cell(&mut self) {
        if !self.at_line_start() && self.pending_breaks == 0 {
            self.pending_space = false;
            self.raw("  ");
        }
    }

    fn trim_trailing_space(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
    }

    /// The text: runs of blank lines collapsed to one and each line's end trimmed, but for
    /// the breaks of whitespace-keeping content; no blank lines before the first line or
    /// after the last.
    fn finish(mut self) -> String {
        self.trim_trailing_space();
        let mut result = String::with_capacity(self.out.len());
        let mut blank_run = 0;
        for line in self.out.split('\n') {
            let line = line.trim_end();
            if line.is_empty() {
                blank_run += 1;
                if blank_run > 1 || result.is_empty() {
                    continue;
                }
            } else {
                blank_run = 0;
            }
            if !result.is_empty() || !line.is_empty() {
                result.push_str(line);
                result.push('\n');
            }
        }
        if !result.contains(HARD_BREAK) {
            while result.ends_with('\n') {
                result.pop();
            }
            return result;
        }
        // The kept breaks are lines now; what no line may have still goes.
        let lines: Vec<&str> = result
            .split(['\n', HARD_BREAK])
            .map(str::trim_end)
            .collect();
        let first = lines
            .iter()
            .position(|l| !l.is_empty())
            .unwrap_or(lines.len());
        let last = lines
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(0, |i| i + 1);
        lines.get(first..last).unwrap_or_default().join("\n")
    }
}

/// Decodes the entities ticket bodies use; unknown or malformed ones stay as written.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Entities are short; look for the `;` within a bounded window.
        let end = rest
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|end| decode_entity(&rest[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        // NUL, surrogates and out-of-range code points become the replacement character,
        // as browsers do; control characters are removed later by sanitizing.
        return Some(match code {
            0 => '\u{fffd}',
            c => char::from_u32(c).unwrap_or('\u{fffd}'),
        });
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "yen" => '¥',
        "pound" => '£',
        "cent" => '¢',
        "deg" => '°',
        "times" => '×',
        "divide" => '÷',
        "shy" => '\u{ad}',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        _ => return None,
    })
}

#[cfg(test)]
mod fit_tests {
    use super::*;

    #[test]
    fn a_cut_message_keeps_its_correlation_id() {
        let line = "HTTP 409 CONFLICT: A ticket with external_ticket_ref \"EXT-000002\" already exists (correlation id 8c1f2a9e-0b7d-4c1e-9a51-3f1b8e0c2d44)";
        let fit = fit_keeping_correlation(line, 80);
        assert_eq!(width(&fit), 80, "{fit}");
        assert!(
            fit.ends_with("(correlation id 8c1f2a9e-0b7d-4c1e-9a51-3f1b8e0c2d44)"),
            "{fit}"
        );
        assert!(fit.starts_with("HTTP 409 CONFLICT: A tick"), "{fit}");
        assert!(fit.contains('…'), "{fit}");
        // Short enough: unchanged. Too narrow for both: cut as any line.
        assert_eq!(
            fit_keeping_correlation("HTTP 404 (correlation id x)", 80),
            "HTTP 404 (correlation id x)"
        );
        assert_eq!(width(&fit_keeping_correlation(line, 20)), 20);
        // No correlation ID: an ordinary cut.
        assert_eq!(fit_keeping_correlation("abcdefghij", 5), "abcd…");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        for s in [
            "Login fails on SSO",
            "プリンターが燃えている",
            "👩‍💻 dev team",
            "café",
            "e\u{301}",
            "",
        ] {
            assert!(matches!(sanitize(s), Cow::Borrowed(_)), "{s}");
            assert_eq!(sanitize(s), s);
        }
        assert!(matches!(sanitize_multiline("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn strips_whole_escape_sequences() {
        assert_eq!(sanitize("a\u{1b}[2Jb"), "ab");
        assert_eq!(sanitize("\u{1b}[1;31mred\u{1b}[0m"), "red");
        assert_eq!(sanitize("\u{1b}[?1049h\u{1b}[Hx"), "x");
        assert_eq!(sanitize("\u{1b}]0;title\u{7}after"), "after");
        assert_eq!(sanitize("\u{1b}]0;title\u{1b}\\after"), "after");
        assert_eq!(
            sanitize("\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "link"
        );
        assert_eq!(sanitize("\u{1b}]52;c;aGFjaw==\u{7}x"), "x"); // clipboard write
        assert_eq!(sanitize("\u{1b}Pq#0;2;0;0;0\u{1b}\\x"), "x"); // DCS (sixel)
        assert_eq!(sanitize("\u{1b}_Gf=100;AAAA\u{1b}\\x"), "x"); // APC (kitty graphics)
        assert_eq!(sanitize("a\u{1b}cb"), "ab"); // RIS
        assert_eq!(sanitize("a\u{1b}7b\u{1b}8"), "ab");
        assert_eq!(sanitize("a\u{1b}(Bb"), "ab");
        assert_eq!(sanitize("\u{9b}31mx"), "x"); // 8-bit CSI
        assert_eq!(sanitize("\u{9d}0;t\u{9c}x"), "x"); // 8-bit OSC + ST
        assert_eq!(sanitize("end\u{1b}"), "end");
        assert_eq!(sanitize("\u{1b}]0;never ends"), "");
        assert_eq!(sanitize("a\u{1b}\u{1b}[Kb"), "ab");
    }

    #[test]
    fn strips_controls_and_bidi() {
        assert_eq!(sanitize("a\u{7}b\u{8}c\u{0}d\u{7f}e"), "abcde");
        assert_eq!(sanitize("a\u{85}b"), "a b");
        assert_eq!(sanitize("a\u{80}b\u{9a}c"), "abc");
        assert_eq!(sanitize("a\tb"), "a b");
        assert_eq!(sanitize("abc\u{202e}fdp.exe"), "abcfdp.exe");
        assert_eq!(sanitize("\u{2067}x\u{2069}\u{200f}y\u{feff}"), "xy");
        assert_eq!(
            sanitize("line1\r\nline2\nline3\rline4"),
            "line1 line2 line3 line4"
        );
        assert_eq!(
            sanitize_multiline("line1\r\nline2\nline3\rline4\u{1b}[2J"),
            "line1\nline2\nline3\nline4"
        );
        assert_eq!(sanitize_multiline("a\u{2028}b"), "a\nb");
    }

    #[test]
    fn keeps_cjk_emoji_zwj_and_combining_marks() {
        let s = "プリンターが燃えている 👨‍👩‍👧‍👦 🏳️‍🌈 ñ e\u{301} 한국어 \u{200d}";
        assert_eq!(sanitize(s), s);
        assert_eq!(sanitize("\u{1b}[31mプリンター\u{1b}[0m"), "プリンター");
    }

    #[test]
    fn widths() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("プリンター"), 10);
        assert_eq!(width("a燃b"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("👍"), 2);
        assert_eq!(width("👨‍👩‍👧‍👦"), 2);
        assert_eq!(width(""), 0);
    }

    #[test]
    fn truncation_never_splits_wide_chars_or_graphemes() {
        assert_eq!(truncate_to_width("hello world", 20), "hello world");
        assert_eq!(truncate_to_width("hello world", 11), "hello world");
        assert_eq!(truncate_to_width("hello world", 6), "hello…");
        assert_eq!(truncate_to_width("hello", 1), "…");
        assert_eq!(truncate_to_width("hello", 0), "");
        // 5 wide chars = 10 cells.
        assert_eq!(truncate_to_width("プリンター", 10), "プリンター");
        assert_eq!(truncate_to_width("プリンター", 9), "プリンタ…");
        assert_eq!(truncate_to_width("プリンター", 8), "プリン…"); // 6 + 1: one short
        assert_eq!(width(&truncate_to_width("プリンター", 8)), 7);
        assert_eq!(truncate_to_width("プリンター", 2), "…");
        let family = "👨‍👩‍👧‍👦👨‍👩‍👧‍👦";
        assert_eq!(truncate_to_width(family, 3), "👨‍👩‍👧‍👦…");
        assert_eq!(
            truncate_to_width("e\u{301}e\u{301}e\u{301}", 2),
            "e\u{301}…"
        );
        for cells in 0..30 {
            let t = truncate_to_width("混ぜた mixed テキスト 👍 text", cells);
            assert!(width(&t) <= cells, "{t} over {cells}");
        }
    }

    #[test]
    fn very_long_strings() {
        let long = "燃え".repeat(50_000) + &"\u{1b}[2J".repeat(10_000);
        let clean = sanitize(&long);
        assert_eq!(clean.chars().count(), 100_000);
        let t = truncate_to_width(&clean, 80);
        assert_eq!(width(&t), 79);
        assert!(t.ends_with(ELLIPSIS));
        let html = "<p>x</p>".repeat(20_000);
        assert_eq!(html_to_text(&html).lines().count(), 39_999); // x, blank, x, ...
        let unclosed = "<".repeat(10_000);
        assert_eq!(html_to_text(&unclosed), unclosed);
    }

    #[test]
    fn padding() {
        assert_eq!(pad_to_width("ab", 4), "ab  ");
        assert_eq!(pad_to_width("プリ", 5), "プリ ");
        assert_eq!(pad_to_width("プリンター", 5), "プリ…");
        assert_eq!(pad_to_width("プリンター", 4), "プ… ");
        assert_eq!(width(&pad_to_width("プリンター", 5)), 5);
        assert_eq!(pad_to_width("abcdef", 4), "abc…");
        assert_eq!(pad_left_to_width("42", 5), "   42");
        assert_eq!(pad_to_width("", 3), "   ");
    }

    #[test]
    fn html_blocks_and_lists() {
        assert_eq!(html_to_text("<p>Hello</p><p>World</p>"), "Hello\n\nWorld");
        assert_eq!(
            html_to_text("one<br>two<br/>three<BR />four"),
            "one\ntwo\nthree\nfour"
        );
        assert_eq!(
            html_to_text("<div>Steps:</div><ul><li>Turn off</li><li>Turn <b>on</b></li></ul>"),
            "Steps:\n• Turn off\n• Turn on"
        );
        assert_eq!(
            html_to_text("<p>  lots   of\n\n   space  </p>"),
            "lots of space"
        );
        assert_eq!(html_to_text("a<br><br><br><br>b"), "a\n\nb");
        assert_eq!(
            html_to_text(
                "<table><tr><td>ID</td><td>1042</td></tr><tr><td>Pri</td><td>HIGH</td></tr></table>"
            ),
            "ID  1042\nPri  HIGH"
        );
        assert_eq!(
            html_to_text("<pre>  keep\n    this</pre>after"),
            "  keep\n    this\n\nafter"
        );
        assert_eq!(html_to_text("<h1>Title</h1>text"), "Title\n\ntext");
        assert_eq!(html_to_text("<div>a</div><div>b</div>"), "a\nb");
    }

    #[test]
    fn html_drops_scripts_styles_comments_and_attributes() {
        assert_eq!(
            html_to_text(
                "<style>p { color: red }</style><script>alert('<p>x</p>')</script>Hi<!-- secret <b> -->!"
            ),
            "Hi!"
        );
        assert_eq!(html_to_text("<SCRIPT type=x>bad()</SCRIPT >ok"), "ok");
        assert_eq!(
            html_to_text(r#"<a href="x>y" title='a>b'>link</a> text"#),
            "link text"
        );
        assert_eq!(html_to_text("<script>never closed"), "");
        assert_eq!(html_to_text("a<!-- unclosed comment"), "a");
    }

    #[test]
    fn html_entities() {
        assert_eq!(
            html_to_text(
                "&amp; &lt;b&gt; &quot;q&quot; &#39;s&#39; a&nbsp;b &#26085;&#x672C; &#X41;"
            ),
            "& <b> \"q\" 's' a\u{a0}b 日本 A"
        );
        assert_eq!(
            html_to_text("AT&T &unknown; & &amp"),
            "AT&T &unknown; & &amp"
        );
        assert_eq!(
            html_to_text("&#0;&#xD800;&#x110000;"),
            "\u{fffd}\u{fffd}\u{fffd}"
        );
        // An escape smuggled in as an entity is still stripped.
        assert_eq!(html_to_text("a&#27;[2Jb&#x1b;]0;t&#7;c"), "abc");
        assert_eq!(decode_entities("no entities"), "no entities");
    }

    #[test]
    fn html_malformed_input_degrades_to_text() {
        assert_eq!(html_to_text("a < b and c > d"), "a < b and c > d");
        assert_eq!(html_to_text("1 <2"), "1 <2");
        assert_eq!(html_to_text("<p>unclosed <b>bold"), "unclosed bold");
        assert_eq!(html_to_text("<"), "<");
        assert_eq!(html_to_text("</>"), "</>");
        assert_eq!(
            html_to_text("<p>プリンターが<br>燃えている</p>"),
            "プリンターが\n燃えている"
        );
        assert_eq!(html_to_text(""), "");
    }

    #[test]
    fn html_detection() {
        assert!(looks_like_html("<p>hi</p>"));
        assert!(looks_like_html("a<br/>b"));
        assert!(looks_like_html("Tom &amp; Jerry"));
        assert!(!looks_like_html("a < b > c"));
        assert!(!looks_like_html("plain\ntext"));
        assert!(!looks_like_html("AT&T"));
    }
}

#[cfg(test)]
mod round_trip_tests {
    use super::*;

    /// A small deterministic generator (xorshift64*): the same strings on every run.
    struct Gen(u64);

    impl Gen {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let r = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
            usize::try_from(r >> 33).unwrap_or(0) % n
        }

        /// Up to 40 pieces, the tricky ones as likely as the plain.
        fn text(&mut self, pieces: &[&[&str]]) -> String {
            let n = self.below(40);
            (0..n)
                .map(|_| {
                    let set = pieces[self.below(pieces.len())];
                    set[self.below(set.len())]
                })
                .collect()
        }
    }

    /// What agents type and paste into a note.
    const TYPED: &[&str] = &[
        "a",
        "Printer",
        "on fire.",
        "1.",
        "-",
        "•",
        " ",
        "  ",
        "   ",
        "\n",
        "\n\n",
        "\n\n\n",
        "&",
        "&amp;",
        "&lt;p&gt;",
        "&#x41;",
        "&#",
        "&nbsp;",
        "AT&T;",
        ";",
        "#",
        "<script>alert('x')</script>",
        "<p>",
        "</p>",
        "<br>",
        "<b>bold</b>",
        "<!--",
        "-->",
        "<",
        ">",
        "\"",
        "'",
        "a < b",
        "https://example.com/path?x=1&y=2#frag",
        "(see https://hubtix.example/a?b=c&d=e).",
        "http://x.y",
        "https://",
        "プリンターが燃えている",
        "日本語",
        "😀",
        "👩‍💻",
        "🇯🇵",
        "e\u{301}",
        "\u{a0}",
        "\u{3000}",
    ];

    /// What a terminal or a clipboard adds besides: normalised away (see `normalize_typed`).
    const NOISE: &[&str] = &[
        "\t",
        "\r\n",
        "\r",
        " \n",
        "\u{1b}[31m",
        "\u{202e}",
        "\u{7}",
        "\u{2028}",
        "\u{0}",
    ];

    /// `t` with the only normalisations plain typing meets: each line's trailing whitespace
    /// and blank lines before the first line dropped.
    fn as_typed(t: &str) -> String {
        let lines: Vec<&str> = t.split('\n').map(str::trim_end).collect();
        lines.join("\n").trim_start_matches('\n').to_owned()
    }

    #[test]
    fn typed_text_reads_back_exactly_as_typed() {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let t = as_typed(&g.text(&[TYPED]));
            let html = text_to_html(&t);
            assert_eq!(
                html_to_text(&html),
                t.trim_end(),
                "typed {t:?}, sent {html:?}"
            );
        }
    }

    #[test]
    fn any_text_reads_back_as_normalised_and_is_sent_normalised() {
        let mut g = Gen(42);
        for _ in 0..3000 {
            let t = g.text(&[TYPED, NOISE]);
            let n = normalize_typed(&t);
            let html = text_to_html(&t);
            assert_eq!(html_to_text(&html), n, "typed {t:?}, sent {html:?}");
            assert_eq!(normalize_typed(&n), n, "normalising twice changes {t:?}");
            assert_eq!(
                text_to_html(&n),
                html,
                "what is sent is the normalised text"
            );
        }
    }

    #[test]
    fn tricky_notes_read_back_exactly() {
        for t in [
            "<script>alert('x')</script> stays text",
            "Tom &amp; Jerry & co",
            "two  spaces and   three",
            "  indented\n    further\nback",
            "first\n\nsecond\n\n\n\nthird, after three blank lines",
            "line one\nline two",
            "see https://example.com/search?q=a&b=c&x=%20y#top, then (https://x.y/z).",
            "日本語のメモ：プリンターが燃えている 😀👩‍💻🇯🇵",
            "\u{3000}全角スペースで始まる",
            "a\u{a0}b",
        ] {
            let html = text_to_html(t);
            assert_eq!(html_to_text(&html), t, "sent {html:?}");
        }
        let html = text_to_html("<script>alert(1)</script>");
        assert!(!html.contains("<script"), "{html}");
        assert_eq!(
            text_to_html("see https://example.com/search?q=a&b=c."),
            "<p>see <a href=\"https://example.com/search?q=a&amp;b=c\">\
             https://example.com/search?q=a&amp;b=c</a>.</p>"
        );
        assert_eq!(
            text_to_html("plain\ntext"),
            "<p>plain<br>text</p>",
            "minimal HTML"
        );
        assert_eq!(
            text_to_html("a  b\n\n\nc"),
            "<p style=\"white-space: pre-wrap\">a  b</p>\
             <p style=\"white-space: pre-wrap\"><br>c</p>"
        );
    }

    #[test]
    fn normalisation_is_what_is_documented() {
        assert_eq!(normalize_typed("a\r\nb\rc"), "a\nb\nc", "line breaks");
        assert_eq!(normalize_typed("tab\there"), "tab here", "a tab is a space");
        assert_eq!(normalize_typed("end   \nof line\t"), "end\nof line");
        assert_eq!(normalize_typed("\n\n  \nfirst\n\n"), "first");
        assert_eq!(normalize_typed("  keep the indent"), "  keep the indent");
        assert_eq!(
            normalize_typed("bell\u{7} and \u{1b}[31mred"),
            "bell and red"
        );
        assert_eq!(normalize_typed(" \n\t\r\n"), "");
        assert_eq!(text_to_html(" \n\t"), "");
    }

    #[test]
    fn html_keeps_whitespace_where_its_style_says_so() {
        assert_eq!(
            html_to_text("<div style=\"white-space: pre-wrap\">a   b\n\n\nc</div>"),
            "a   b\n\n\nc"
        );
        assert_eq!(
            html_to_text("<p STYLE='color:red; White-Space:pre'>x  y</p><p>u  v</p>"),
            "x  y\n\nu v",
            "kept up to its closing tag only"
        );
        assert_eq!(
            html_to_text("<p style=\"white-space: pre-wrap\">a  b<p>c  d"),
            "a  b\n\nc d",
            "a new <p> ends the open one"
        );
        assert_eq!(
            html_to_text("<p style=\"white-space: pre-line\">a   b</p>"),
            "a b",
            "pre-line collapses spaces"
        );
        assert_eq!(
            html_to_text("<pre>\nx\n\n\ny</pre>after"),
            "x\n\n\ny\n\nafter",
            "the line break after <pre> is not content; blank lines in it stay"
        );
        assert_eq!(
            html_to_text("<span style=\"white-space:pre-wrap\">a<br><br><br>b</span>"),
            "a\n\n\nb"
        );
    }
}
