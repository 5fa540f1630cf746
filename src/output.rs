//! Printing for the non-interactive commands: tables, JSON, JSON lines and CSV.
//!
//! Pure formatting over `serde_json::Value` records as HubSpot returned them, written to any
//! `io::Write`; the commands hand it stdout. Remote text is untrusted: in `table` and `csv`
//! output control characters and escape sequences are replaced so that a ticket can never
//! move the cursor or retitle the terminal. JSON escapes them by itself.

use std::io::{self, Write};

use crate::text::{pad_to_width as pad, width};
use serde_json::Value;

/// Replaces control characters (C0, DEL, C1, and the escape that starts terminal sequences)
/// with `␦` (so that something visibly was there); tabs and newlines become spaces.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push('\u{2426}'), // ␦ SYMBOL FOR SUBSTITUTE
            // Bidi overrides and isolates can reorder what follows on the line.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The value of `property` in a HubSpot record, `""` when absent or null.
pub fn property<'a>(record: &'a Value, property: &str) -> &'a str {
    record
        .get("properties")
        .and_then(|p| p.get(property))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The record's ID.
pub fn record_id(record: &Value) -> &str {
    record.get("id").and_then(Value::as_str).unwrap_or("")
}

/// Quotes one CSV field per RFC 4180.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Writes records in the chosen format, page by page. `begin`, `page` (any number of times)
/// then `finish`: `--all` streams every page as it arrives.
pub struct RecordWriter<W: Write> {
    out: W,
    format: crate::cli::OutputFormat,
    columns: Vec<String>,
    written: usize,
    table_widths: Vec<usize>,
}

impl<W: Write> RecordWriter<W> {
    /// `columns` are the property names to show in `table` and `csv` (after the ID).
    pub fn new(out: W, format: crate::cli::OutputFormat, columns: Vec<String>) -> Self {
        let table_widths = columns
            .iter()
            .map(|c| {
                let preferred = match c.as_str() {
                    "subject" | "content" => 40,
                    "createdate" | "hs_lastmodifieddate" | "closed_date" => 24,
                    _ => 16,
                };
                preferred.max(width(c))
            })
            .collect();
        Self {
            out,
            format,
            columns,
            written: 0,
            table_widths,
        }
    }

    pub fn begin(&mut self) -> io::Result<()> {
        use crate::cli::OutputFormat as F;
        match self.format {
            F::Json => writeln!(self.out, "["),
            F::Jsonl => Ok(()),
            F::Csv => {
                let mut header = vec!["id".to_owned()];
                header.extend(self.columns.iter().map(|c| csv_field(c)));
                writeln!(self.out, "{}", header.join(","))
            }
            F::Table => {
                let mut line = pad("ID", 12);
                for (c, w) in self.columns.iter().zip(&self.table_widths) {
                    line.push_str("  ");
                    line.push_str(&pad(c, *w));
                }
                writeln!(self.out, "{}", line.trim_end())
            }
        }
    }

    pub fn page(&mut self, records: &[Value]) -> io::Result<()> {
        use crate::cli::OutputFormat as F;
        for record in records {
            match self.format {
                F::Json => {
                    if self.written > 0 {
                        writeln!(self.out, ",")?;
                    }
                    write!(self.out, "{}", serde_json::to_string(record)?)?;
                }
                F::Jsonl => writeln!(self.out, "{}", serde_json::to_string(record)?)?,
                F::Csv => {
                    let mut row = vec![csv_field(record_id(record))];
                    row.extend(
                        self.columns
                            .iter()
                            .map(|c| csv_field(&sanitize_keep_lines(property(record, c)))),
                    );
                    writeln!(self.out, "{}", row.join(","))?;
                }
                F::Table => {
                    let mut line = pad(&sanitize(record_id(record)), 12);
                    for (c, w) in self.columns.iter().zip(&self.table_widths) {
                        line.push_str("  ");
                        line.push_str(&pad(&sanitize(property(record, c)), *w));
                    }
                    writeln!(self.out, "{}", line.trim_end())?;
                }
            }
            self.written += 1;
        }
        self.out.flush()
    }

    pub fn finish(&mut self) -> io::Result<usize> {
        if self.format == crate::cli::OutputFormat::Json {
            if self.written > 0 {
                writeln!(self.out)?;
            }
            writeln!(self.out, "]")?;
        }
        self.out.flush()?;
        Ok(self.written)
    }
}

/// Like [`sanitize`] but keeps newlines (CSV quotes them).
fn sanitize_keep_lines(text: &str) -> String {
    text.split('\n')
        .map(|l| sanitize(l.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints one line on stdout. A closed pipe (`hubtix paths | head -1`) is not an error worth
/// reporting: the reader has gone.
pub fn line(text: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}") {
        tracing::debug!("stdout: {e}");
    }
}

/// Longest error line printed, in characters: an error quoting input (an argument, a file, a
/// server's message) stays readable however long the input was.
pub const ERROR_LINE_CHARS: usize = 1_000;

/// The text of an error line: one line, no control characters, at most
/// [`ERROR_LINE_CHARS`] characters (cut with `…`).
pub fn error_text(text: &str) -> String {
    let one_line = sanitize(text);
    if one_line.chars().count() > ERROR_LINE_CHARS {
        let mut cut: String = one_line.chars().take(ERROR_LINE_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        one_line
    }
}

/// Prints one progress or summary line on stderr (where `hubtix sync` reports, so stdout
/// stays for data).
#[allow(clippy::print_stderr)]
pub fn note_line(text: &str) {
    eprintln!("{}", sanitize(text));
}

/// Asks a question on stderr, without a line break (the answer is typed after it).
#[allow(clippy::print_stderr)]
pub fn prompt(text: &str) {
    use std::io::Write as _;
    eprint!("{}", sanitize(text));
    let _ = std::io::stderr().flush();
}

/// Prints a one-line error on stderr, prefixed with `hubtix: ` (see [`error_text`]).
#[allow(clippy::print_stderr)]
pub fn error_line(text: &str) {
    eprintln!("hubtix: {}", error_text(text));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::OutputFormat;
    use crate::text::truncate_to_width as truncate;
    use serde_json::json;

    fn records() -> Vec<Value> {
        vec![
            json!({"id":"1","properties":{"subject":"プリンターが燃えている","hs_ticket_priority":"HIGH"}}),
            json!({"id":"2","properties":{"subject":"evil \u{1b}[2J, \"quoted\"\nline","hs_ticket_priority":null}}),
        ]
    }

    fn render(format: OutputFormat) -> String {
        let mut buf = Vec::new();
        let mut w = RecordWriter::new(
            &mut buf,
            format,
            vec!["subject".into(), "hs_ticket_priority".into()],
        );
        w.begin().expect("begin");
        let recs = records();
        w.page(&recs[..1]).expect("page");
        w.page(&recs[1..]).expect("page");
        assert_eq!(w.finish().expect("finish"), 2);
        String::from_utf8(buf).expect("utf8")
    }

    #[test]
    fn json_is_one_valid_array_across_pages() {
        let v: Value = serde_json::from_str(&render(OutputFormat::Json)).expect("valid json");
        assert_eq!(v.as_array().map(Vec::len), Some(2));
        assert_eq!(
            v[1]["properties"]["subject"],
            records()[1]["properties"]["subject"]
        );
    }

    #[test]
    fn empty_json_is_an_empty_array() {
        let mut buf = Vec::new();
        let mut w = RecordWriter::new(&mut buf, OutputFormat::Json, vec![]);
        w.begin().expect("begin");
        assert_eq!(w.finish().expect("finish"), 0);
        let v: Value = serde_json::from_slice(&buf).expect("valid json");
        assert_eq!(v, json!([]));
    }

    #[test]
    fn jsonl_is_one_record_per_line() {
        let out = render(OutputFormat::Jsonl);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        for l in lines {
            serde_json::from_str::<Value>(l).expect("each line parses");
        }
    }

    #[test]
    fn csv_quotes_and_strips_escapes() {
        let out = render(OutputFormat::Csv);
        assert!(out.starts_with("id,subject,hs_ticket_priority\n"), "{out}");
        assert!(out.contains("1,プリンターが燃えている,HIGH\n"), "{out}");
        assert!(!out.contains('\u{1b}'), "escape reached output: {out:?}");
        assert!(
            out.contains("\"evil ␦[2J, \"\"quoted\"\"\nline\","),
            "{out:?}"
        );
    }

    #[test]
    fn table_aligns_wide_characters_and_drops_escapes() {
        let out = render(OutputFormat::Table);
        assert!(!out.contains('\u{1b}'));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        // The priority column starts at the same cell on every row despite CJK text.
        let col = |l: &str, needle: &str| l.find(needle).map(|i| width(&l[..i]));
        assert_eq!(col(lines[0], "hs_ticket_priority"), col(lines[1], "HIGH"));
    }

    #[test]
    fn error_lines_are_one_line_and_capped() {
        assert_eq!(error_text("a\nb\u{1b}[2J"), "a b␦[2J");
        let long = error_text(&"あ".repeat(2 * 1024 * 1024));
        assert_eq!(long.chars().count(), ERROR_LINE_CHARS);
        assert!(long.ends_with('…'));
        let exact = "x".repeat(ERROR_LINE_CHARS);
        assert_eq!(error_text(&exact), exact);
    }

    #[test]
    fn truncate_never_splits_wide_chars() {
        assert_eq!(truncate("プリンター", 5), "プリ…");
        assert_eq!(width(&truncate("プリンター", 6)), 5);
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(sanitize("a\u{1b}]0;title\u{7}b"), "a␦]0;title␦b");
        assert_eq!(sanitize("x\u{202E}y"), "xy");
    }
}
