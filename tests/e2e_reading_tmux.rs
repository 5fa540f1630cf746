//! End-to-end reading and urgency in a real terminal: `hubtix sandbox` as a child process and
//! the real `hubtix` binary in tmux against it, driven by keys. The reader shows a ticket's
//! HTML description as text — never its tags; the Open view shows how old tickets are and
//! when their close SLA is due; `G` loads the view to its true bottom.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Api, Sandbox, Tmux, detail_id, idle, property_row, status_line, tmux_available};

/// "Tickets 200/431" in the list's title: (loaded, total).
fn counts(screen: &str) -> Option<(u64, u64)> {
    let at = screen.find(" Tickets ")? + " Tickets ".len();
    let rest = &screen[at..];
    let (loaded, rest) = rest.split_once('/')?;
    let total: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((loaded.parse().ok()?, total.parse().ok()?))
}

#[test]
fn a_description_reads_as_text_and_g_reaches_the_bottom_of_the_view() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(1000);
    let api = Api::new(&sandbox.url);
    let html = api.property("1006", "content");
    assert!(html.contains("<ol>") && html.contains("<script>"), "{html}");

    let t = Tmux::start("reading", 160, 48, &[]);
    let s = t.launch(&sandbox);
    assert!(
        s.contains("Close due") && s.contains("Age"),
        "urgency columns:\n{s}"
    );
    assert!(
        // Late is an alert: it starts with the alert symbol.
        s.contains(" !late ") || s.contains(" in "),
        "the close SLA counts down or is late:\n{s}"
    );

    // Ticket 1006 by its ID, its description in the reader.
    t.keys(&["b"]);
    t.wait_text(" Open tickets by ID ");
    t.text("1006");
    t.keys(&["Enter"]);
    t.wait_for("ticket 1006", |s| {
        detail_id(s).as_deref() == Some("1006") && idle(s) && s.contains("Ticket description")
    });
    t.keys(&["Enter"]);
    let s = t.wait_for("the description's row", |s| {
        idle(s) && property_row(s, "Ticket description").is_some()
    });
    assert!(
        !s.contains("<p>"),
        "the Properties tab shows text, not tags:\n{s}"
    );
    let row = property_row(&s, "Ticket description").unwrap();
    t.keys(&["g"]);
    if row > 0 {
        t.keys(&["-N", &row.to_string(), "j"]);
    }
    t.keys(&["Enter"]);
    // The whole reader, not just its top border: a capture may catch a frame half painted.
    let s = t.wait_for("the reader with the whole description", |s| {
        s.contains("┌ Ticket description ") && s.contains("2. Click \"Save\"") && idle(s)
    });
    for shown in ["Hello,", "1. Open Settings", "2. Click \"Save\""] {
        assert!(s.contains(shown), "{shown}:\n{s}");
    }
    for tag in ["<p>", "<ol>", "<li>", "<b>", "<script", "alert(", "onerror"] {
        assert!(!s.contains(tag), "{tag} shown:\n{s}");
    }
    t.keys(&["y"]);
    t.wait_for("the copy", |s| {
        status_line(s).contains("copied Ticket description")
    });
    t.keys(&["Escape"]);
    t.wait_for("the reader to close", |s| {
        !s.contains("┌ Ticket description ")
    });

    // Back to the Open view, then to its true bottom.
    t.keys(&["Escape"]);
    t.keys(&["Escape"]);
    let s = t.wait_for("the Open view, partly loaded", |s| {
        idle(s) && counts(s).is_some_and(|(loaded, total)| loaded < total)
    });
    let (_, total) = counts(&s).unwrap();
    t.keys(&["G"]);
    let s = t.wait_for("the bottom", |s| {
        status_line(s).contains(&format!("the bottom: all {total} tickets"))
            || status_line(s).contains(&format!(
                "the bottom: all {} tickets",
                hubtix::text::thousands(total)
            ))
    });
    assert_eq!(counts(&s), Some((total, total)), "{s}");
    eprintln!("loaded all {total} tickets of the Open view");
}
