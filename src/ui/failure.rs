//! How a failure is laid out. The app keeps a [`Failure`] whole; here it becomes text that
//! fits its place: the message may be cut or wrapped, HubSpot's correlation ID (what its
//! support asks for) never is.

use crate::protocol::Failure;
use crate::text::{fit_keeping_correlation, sanitize, truncate_to_width, width};

/// `"{before}{headline}{after} (correlation id …)"`, remote text made safe.
fn full(before: &str, f: &Failure, after: &str) -> (String, Option<String>) {
    let head = format!("{before}{}{after}", sanitize(&f.headline()));
    let id = f
        .correlation_id
        .as_deref()
        .map(|id| format!("(correlation id {})", sanitize(id)));
    (head, id)
}

/// The failure on one line of `cells`: the message cut before its correlation ID is.
pub fn line(before: &str, f: &Failure, after: &str, cells: usize) -> String {
    let (head, id) = full(before, f, after);
    match id {
        Some(id) => fit_keeping_correlation(&format!("{head} {id}"), cells),
        None => truncate_to_width(&head, cells),
    }
}

/// The failure wrapped into at most `rows` lines of `cells`. When it does not all fit, the
/// message is cut (its last line ends in `…`) and the correlation ID keeps the last line.
pub fn lines(before: &str, f: &Failure, after: &str, cells: usize, rows: usize) -> Vec<String> {
    let rows = rows.max(1);
    if rows == 1 {
        return vec![line(before, f, after, cells)];
    }
    let (head, id) = full(before, f, after);
    let whole = match &id {
        Some(id) => format!("{head} {id}"),
        None => head.clone(),
    };
    let wrapped = wrap_words(&whole, cells);
    if wrapped.len() <= rows {
        return wrapped;
    }
    let room = if id.is_some() { rows - 1 } else { rows };
    let mut out: Vec<String> = wrap_words(&head, cells).into_iter().take(room).collect();
    if let Some(last) = out.last_mut() {
        let cut = truncate_to_width(last, cells.saturating_sub(1));
        *last = format!("{cut}…");
    }
    if let Some(id) = id {
        out.push(truncate_to_width(&id, cells));
    }
    out
}

/// `text` in lines of at most `cells` cells, broken between words (a word longer than a line
/// is cut).
pub fn wrap_words(text: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(1);
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word = truncate_to_width(word, cells);
        if !line.is_empty() && width(&line) + 1 + width(&word) > cells {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure() -> Failure {
        Failure {
            summary: "HTTP 409 CONFLICT: A ticket with this subject already exists in this \
                      pipeline and stage (correlation id 4f2a-99)"
                .to_owned(),
            correlation_id: Some("4f2a-99".to_owned()),
            ..Failure::default()
        }
    }

    #[test]
    fn one_line_cuts_the_message_and_keeps_the_correlation_id() {
        let l = line("saving failed: ", &failure(), " (r retries)", 60);
        assert!(width(&l) <= 60, "{l}");
        assert!(l.starts_with("saving failed: HTTP 409"), "{l}");
        assert!(l.ends_with("(correlation id 4f2a-99)"), "{l}");
    }

    #[test]
    fn wrapped_lines_keep_the_correlation_id_on_the_last_line_when_cut() {
        let ls = lines("", &failure(), " — press r to retry", 24, 3);
        assert_eq!(ls.len(), 3, "{ls:?}");
        assert!(ls[1].ends_with('…'), "{ls:?}");
        assert_eq!(ls[2], "(correlation id 4f2a-99)");
        // With room, everything shows, in order.
        let all = lines("", &failure(), " — press r to retry", 24, 20).join(" ");
        assert!(
            all.contains("press r to retry (correlation id 4f2a-99)"),
            "{all}"
        );
    }

    #[test]
    fn context_comes_first_and_local_failures_have_no_id() {
        let f = failure().in_context("the view needs the owners");
        assert!(line("", &f, "", 200).starts_with("the view needs the owners: HTTP 409"));
        let local = Failure::local("view \"Mine\": no owner is me");
        assert_eq!(line("", &local, "", 200), "view \"Mine\": no owner is me");
    }

    #[test]
    fn long_messages_wrap_between_words() {
        let text = "me = \"nobody@example.com\" in config.toml is not the email of a HubSpot \
                    owner — press r to retry";
        let lines = wrap_words(text, 40);
        assert!(lines.iter().all(|l| width(l) <= 40), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert_eq!(lines[0], "me = \"nobody@example.com\" in config.toml");
        assert_eq!(wrap_words("short", 40), ["short"]);
        assert_eq!(wrap_words("ちょっと長すぎる単語", 6), ["ちょ…"]);
        assert!(wrap_words("", 10).is_empty());
    }
}
