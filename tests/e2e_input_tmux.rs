//! End-to-end input: the real `hubtix` binary in tmux against `hubtix sandbox`. A long burst
//! of keys moves exactly as far as it says, with no further key; a bracketed paste lands in
//! every text input (the property editors, the create form, batch open, the `/` filter, the
//! pickers, the association search and the search form), Japanese and several lines
//! included, and what it writes is read back through the API.
//!
//! Without tmux these tests say they were skipped and why; with `HUBTIX_REQUIRE_TMUX=1`
//! (set by `.ci/run`) a missing tmux is a failure.

#![allow(clippy::print_stderr)]

#[path = "support/tmux.rs"]
mod tmux;
use tmux::{Api, Sandbox, Tmux, detail_id, idle, tmux_available};

fn start_against(sandbox: &Sandbox, name: &str) -> Tmux {
    let t = Tmux::start(name, 140, 40, &[]);
    t.launch(sandbox);
    t
}

#[test]
fn a_burst_of_two_thousand_keys_moves_two_thousand_rows_with_no_further_key() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(2500);
    let t = start_against(&sandbox, "burst");
    // All tickets (the last tab) lists by record ID: 1001, 1002, ...
    t.keys(&["{"]);
    t.wait_text("view: All tickets");
    // Load every page (G at the bottom asks for the next one).
    for _ in 0..40 {
        if t.screen().contains("Tickets 2500 ─") {
            break;
        }
        let before = t.screen();
        t.keys(&["G"]);
        t.wait_for("the next page", |s| {
            s.contains("Tickets 2500 ─") || s.lines().nth(2) != before.lines().nth(2)
        });
    }
    t.wait_text("Tickets 2500 ─");
    t.keys(&["g"]);
    t.wait_for("the top row", |s| detail_id(s).as_deref() == Some("1001"));
    // 2,000 bytes at once: more than the 1,024 a terminal read takes.
    t.keys(&["-N", "2000", "j"]);
    let s = t.wait_for("the 2,001st ticket selected", |s| {
        detail_id(s).as_deref() == Some("3001")
    });
    assert!(s.contains("Tickets 2500"), "{s}");
    t.keys(&["q"]);
}

/// Everything pasted goes where typing would: a bracketed paste (`paste-buffer -p`) into
/// every text input hubtix has, each write read back through the API. A line break pasted
/// into a one-line input becomes a space and never submits the form: the key typed after
/// the paste lands in the same input.
#[test]
fn a_bracketed_paste_lands_in_every_text_input() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(60);
    let api = Api::new(&sandbox.url);
    let t = start_against(&sandbox, "paste");
    let id = detail_id(&t.screen()).expect("a ticket is shown");
    t.keys(&["Enter"]);
    paste_into_the_property_editors(&t, &api, &id);
    // Tab: to the list (Escape followed at once by a key would read as an Alt chord).
    t.keys(&["Tab"]);
    paste_into_the_create_form(&t, &api);
    paste_into_batch_open_and_the_filter(&t);
    paste_into_the_pickers(&t);
    paste_into_the_association_search(&t, &api);
    paste_into_the_search_form(&t, &api);
    t.keys(&["q"]);
}

/// The edit form of a text area, a one-line text, a number and a choice.
fn paste_into_the_property_editors(t: &Tmux, api: &Api, id: &str) {
    let before = api.property(id, "content");
    t.edit_property("Ticket description");
    let pasted = "一行目 貼り付け\nsecond line, pasted";
    t.paste(pasted);
    t.wait_text("second line, pasted");
    t.keys(&["C-s"]);
    t.wait_text(&format!("saved Ticket description on #{id}"));
    assert_eq!(
        api.property(id, "content"),
        format!("{before}{pasted}"),
        "the paste went in at the end of the description, line break kept"
    );

    let before = api.property(id, "subject");
    t.edit_property("Ticket name");
    t.paste("Printer\nstill jams\n");
    t.text("!");
    t.wait_text("Printer still jams !");
    assert_eq!(
        api.property(id, "subject"),
        before,
        "the line break saved nothing"
    );
    t.keys(&["Enter"]);
    t.wait_text(&format!("saved Ticket name on #{id}"));
    assert_eq!(
        api.property(id, "subject"),
        format!("{before}Printer still jams !")
    );

    // A number: a paste that is not one is refused with the reason, and nothing is written.
    let before = api.property(id, "affected_users");
    t.edit_property("Affected users");
    t.keys(&["-N", "20", "BSpace"]);
    t.paste("1 234\n5");
    t.keys(&["Enter"]);
    t.wait_text("\"1 234 5\" is not a number");
    assert_eq!(api.property(id, "affected_users"), before);
    t.keys(&["-N", "20", "BSpace"]);
    t.paste("86420\n");
    t.keys(&["Enter"]);
    t.wait_text(&format!("saved Affected users on #{id}"));
    assert_eq!(api.property(id, "affected_users"), "86420");

    // A choice: the paste filters the options.
    let (query, want) = if api.property(id, "hs_ticket_priority") == "LOW" {
        ("medium\n", "MEDIUM")
    } else {
        ("low\n", "LOW")
    };
    t.edit_property("Priority");
    t.paste(query);
    t.wait_text(&format!("Filter: {}", query.trim_end()));
    t.keys(&["Enter"]);
    t.wait_text(&format!("saved Priority on #{id}"));
    assert_eq!(api.property(id, "hs_ticket_priority"), want);
}

/// `n`: the subject (one line), the description (several) and the association search.
fn paste_into_the_create_form(t: &Tmux, api: &Api) {
    t.keys(&["n"]);
    t.wait_text(" New ticket ");
    t.paste("Scanner jams\non page 2");
    t.keys(&["Tab"]);
    t.paste("First line\nsecond line");
    t.wait_text("First line ⏎ second line");
    // Past Pipeline, Ticket status, Priority, Ticket owner and Category.
    t.keys(&["-N", "6", "Tab"]);
    t.paste("hokkai\n");
    let s = t.wait_for("the association search's answers", |s| {
        first_answer(s, "deals: hokkai").is_some()
    });
    let first = first_answer(&s, "deals: hokkai").unwrap_or_default();
    t.keys(&["Enter"]);
    t.wait_text(&format!("• Contact {first}"));
    t.keys(&["C-s"]);
    let s = t.wait_text("created ticket #");
    let at = s.find("created ticket #").expect("message") + "created ticket #".len();
    let created: String = s[at..].chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(api.property(&created, "subject"), "Scanner jams on page 2");
    assert_eq!(api.property(&created, "content"), "First line\nsecond line");
    let contacts: Vec<String> = api
        .contacts_of(&created)
        .iter()
        .map(|c| api.contact_name(c))
        .collect();
    assert_eq!(contacts, [first]);
}

/// The name in the first answer of a record search, the line below its query `prompt`, if
/// it is a contact: `Contact Ian Campbell  ian.campbell@…`.
fn first_answer(screen: &str, prompt: &str) -> Option<String> {
    let line = screen.lines().skip_while(|l| !l.contains(prompt)).nth(1)?;
    let name = line.split("Contact ").nth(1)?.split("  ").next()?;
    Some(name.to_owned())
}

/// IDs of the first `n` list rows on screen.
fn list_ids(screen: &str, n: usize) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches(['│', ' ', '>', '●']);
            let id: String = l.chars().take_while(char::is_ascii_digit).collect();
            (id.len() == 4).then_some(id)
        })
        .take(n)
        .collect()
}

/// Whether the list shows rows and every one contains `text`.
fn all_rows_contain(screen: &str, text: &str) -> bool {
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| list_ids(l, 1).len() == 1)
        .collect();
    !rows.is_empty() && rows.iter().all(|r| r.contains(text))
}

/// `b` (IDs on several lines, with commas) and the `/` filter line.
fn paste_into_batch_open_and_the_filter(t: &Tmux) {
    let s = t.wait_for("three rows", |s| list_ids(s, 3).len() == 3);
    let mut ids = list_ids(&s, 3);
    t.keys(&["b"]);
    t.wait_text(" Open tickets by ID ");
    t.paste(&format!("{}\n{}, {}\n", ids[0], ids[1], ids[2]));
    t.wait_text("3 distinct values");
    t.keys(&["Enter"]);
    let s = t.wait_for("the three tickets", |s| {
        s.contains("opened 3 tickets") && list_ids(s, 10).len() == 3
    });
    let mut shown = list_ids(&s, 10);
    shown.sort();
    ids.sort();
    assert_eq!(shown, ids, "{s}");
    t.keys(&["Escape"]);
    t.wait_for("the view's rows", |s| {
        s.contains("back to the view Open") && idle(s) && list_ids(s, 4).len() == 4
    });

    t.keys(&["/"]);
    t.paste("Invoice\nshows");
    t.wait_for("only rows with Invoice shows, under the filter line", |s| {
        s.contains("/Invoice shows▏") && all_rows_contain(s, "Invoice shows")
    });
    t.keys(&["Escape"]);
    t.wait_for("the filter line to close", |s| {
        !s.contains("/Invoice shows")
    });
}

/// The view picker, the command palette, and the sort pickers it leads to.
fn paste_into_the_pickers(t: &Tmux) {
    t.keys(&["v"]);
    t.wait_text(" Switch view ");
    t.paste("waiting\n");
    t.wait_text("› waiting");
    t.keys(&["Enter"]);
    t.wait_text("view: Waiting on us");
    t.keys(&[":"]);
    t.wait_text(" Commands ");
    t.paste("sort");
    t.wait_text("› sort");
    t.keys(&["Enter"]);
    t.wait_text(" Sort by ");
    t.paste("Priority");
    t.wait_text("› Priority");
    t.keys(&["Enter"]);
    t.wait_text(" Sort by Priority ");
    t.paste("asc");
    t.wait_text("› asc");
    t.keys(&["Enter"]);
    t.wait_for("the sorted rows", |s| {
        s.contains("sorted by Priority ↑") && idle(s) && !list_ids(s, 1).is_empty()
    });
}

/// `a` on the Associations tab: the record search.
fn paste_into_the_association_search(t: &Tmux, api: &Api) {
    t.keys(&["Enter", "3"]);
    let s = t.wait_for("the associations", |s| {
        idle(s) && s.contains("3 Associations (")
    });
    let id = detail_id(&s).expect("a ticket");
    let before = api.contacts_of(&id);
    t.keys(&["a"]);
    t.wait_text(" Add an association ");
    t.paste("hokkai\n");
    let s = t.wait_for("the search's answers", |s| {
        first_answer(s, "deal: hokkai").is_some()
    });
    let first = first_answer(&s, "deal: hokkai").unwrap_or_default();
    t.keys(&["Enter"]);
    t.wait_text("choose the association label");
    t.keys(&["Enter"]);
    t.wait_text(&format!("associations updated on #{id}"));
    let added: Vec<String> = api
        .contacts_of(&id)
        .difference(&before)
        .map(|c| api.contact_name(c))
        .collect();
    assert_eq!(added, [first]);
}

/// `s`: the free text, a date, a condition (its property, operator and value) and the name
/// to save the search as a view.
fn paste_into_the_search_form(t: &Tmux, api: &Api) {
    // A ticket of the view whose subject has the text: the condition narrows to it.
    // A list row (the detail's title may name the same ticket above it).
    let is_row = |l: &str| l.contains("Invoice shows") && !list_ids(l, 1).is_empty();
    let s = t.wait_for("a row with Invoice shows", |s| {
        idle(s) && s.lines().any(is_row)
    });
    let row = s.lines().find(|l| is_row(l)).unwrap_or_default();
    let id = list_ids(row, 1).pop().expect("the row's ID");
    let reference = api.property(&id, "external_ticket_ref");
    assert!(!reference.is_empty(), "#{id} has an external reference");
    t.keys(&["Tab", "s"]);
    t.wait_text(" Search · ");
    // Shift-Tab from the first field: the last, Save as.
    t.keys(&["BTab"]);
    t.paste("Invoices\nto check");
    t.wait_text("Save as     Invoices to check");
    t.keys(&["Tab"]);
    t.paste("Invoice\nshows");
    t.wait_text("Text        Invoice shows");
    // Past Pipeline, Stages, Priority, Category and Owner.
    t.keys(&["-N", "6", "Tab"]);
    t.paste("2026-01-01\n");
    t.wait_text("from 2026-01-01");
    // Past Created to, Modified from and to: the conditions.
    t.keys(&["-N", "4", "Tab"]);
    t.keys(&["a"]);
    t.wait_text(" Add condition ");
    t.paste("external ticket\n");
    t.wait_text("filter external ticket");
    t.keys(&["Enter"]);
    t.wait_text("External ticket reference …");
    // "is", not the "is not" a trailing space would leave.
    t.paste("is\n");
    t.wait_text("filter is");
    t.keys(&["Enter"]);
    t.wait_text("External ticket reference is …");
    t.paste(&format!("{reference}\n"));
    t.wait_text(&format!("value {reference}"));
    t.keys(&["Enter"]);
    t.wait_text(&format!("External ticket reference is {reference}"));
    t.keys(&["C-w"]);
    t.wait_for("the saved view, with only that ticket", |s| {
        s.contains("saved the view Invoices to check")
            && s.contains("view: Invoices to check")
            && idle(s)
            && list_ids(s, 10) == [id.clone()]
    });
    let config =
        std::fs::read_to_string(t.config_dir().join("config.toml")).expect("the view was saved");
    assert!(config.contains("name = \"Invoices to check\""), "{config}");
    assert!(config.contains("query = \"Invoice shows\""), "{config}");
    assert!(config.contains("2026-01-01"), "{config}");
    assert!(config.contains("operator = \"EQ\""), "{config}");
    assert!(
        config.contains(&format!("value = \"{reference}\"")),
        "{config}"
    );
}

#[test]
fn o_without_a_working_browser_says_why_and_offers_to_copy_the_url() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(20);
    // `false` starts and exits 1, as xdg-open does when it finds no browser.
    let t = Tmux::start("browser", 140, 40, &[("BROWSER", "false")]);
    std::fs::write(t.config_dir().join("config.toml"), "portal_id = \"4242\"\n").expect("write");
    let s = t.launch(&sandbox);
    let id = detail_id(&s).expect("a ticket");
    t.keys(&["o"]);
    let s = t.wait_text("The browser did not open");
    assert!(s.contains("false could not open it"), "{s}");
    assert!(s.contains(&format!("4242/record/0-5/{id}")), "{s}");
    t.keys(&["y"]);
    t.wait_text("copied the ticket URL");
    t.keys(&["q"]);
}
