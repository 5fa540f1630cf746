//! End-to-end triage queues in a real terminal: `hubtix sandbox` as a child process, the real
//! `hubtix` binary in tmux against it. Switches views, searches a Japanese word, sorts by
//! priority (in its options' order), and after each step checks the rows on screen against
//! the sandbox's own answer to the same search (asked independently through the API).
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Sandbox, Tmux, bin, quoted, tmux_available};

use hubtix::hubspot::{
    AccessToken, Client, ClientConfig, Filter, FilterGroup, FilterOperator, SearchRequest, Sort,
    SortDirection,
};

/// The IDs of the ticket rows on screen, top to bottom (list pane: `│` marker, ID, ...).
fn rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix('│')?;
            let mut chars = rest.chars();
            chars.next()?; // the mark column
            let rest = chars.as_str().strip_prefix(' ')?;
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!id.is_empty() && rest[id.len()..].starts_with(' ')).then_some(id)
        })
        .collect()
}

/// The sandbox's answer: every matching ID in order (paging through).
fn answer(
    rt: &tokio::runtime::Runtime,
    client: &Client,
    filters: Vec<Filter>,
    sort: Sort,
    query: Option<&str>,
) -> (u64, Vec<String>) {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = rt
            .block_on(client.search_tickets(&SearchRequest {
                filter_groups: vec![FilterGroup {
                    filters: filters.clone(),
                }],
                sorts: vec![sort.clone()],
                query: query.map(str::to_owned),
                properties: vec!["subject".to_owned()],
                limit: Some(200),
                after: after.clone(),
            }))
            .expect("the sandbox answers");
        ids.extend(page.results.iter().map(|t| t.id.clone()));
        match page.next_after() {
            Some(a) => after = Some(a.to_owned()),
            None => return (page.total, ids),
        }
    }
}

/// Waits until the rows on screen are the first rows of `expected` (as many as fit) and the
/// title counts `total`.
fn expect_rows(t: &Tmux, what: &str, expected: &[String], total: u64) -> Vec<String> {
    let title = format!("Tickets {}/{total}", expected.len().min(200));
    // A screenful is part of the condition: a capture taken while the frame is still being
    // written shows a correct but short prefix of the rows.
    let s = t.wait_for(what, |s| {
        let shown = rows(s);
        shown.len() >= expected.len().min(20)
            && shown.len() <= expected.len()
            && shown[..] == expected[..shown.len()]
            && s.contains(&title)
    });
    let shown = rows(&s);
    assert!(
        shown.len() >= expected.len().min(20),
        "a screenful of rows for {what}:\n{s}"
    );
    shown
}

fn by(property: &str, direction: SortDirection) -> Sort {
    Sort {
        property_name: property.to_owned(),
        direction,
    }
}

#[test]
fn views_japanese_search_and_priority_sort_match_the_sandbox() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(300);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = Client::new(ClientConfig::new(
        sandbox.url.clone(),
        AccessToken::new("demo-token"),
    ))
    .expect("client");
    // Open stages, from the pipelines API (metadata.ticketState).
    let open: Vec<String> = rt
        .block_on(client.pipelines("tickets"))
        .expect("pipelines")
        .iter()
        .flat_map(|p| p.stages.iter())
        .filter(|s| s.metadata.get("ticketState").map(String::as_str) != Some("CLOSED"))
        .map(|s| s.id.clone())
        .collect();
    let open_filter = Filter::in_values("hs_pipeline_stage", open.clone());
    let unassigned = Filter {
        property_name: "hubspot_owner_id".to_owned(),
        operator: FilterOperator::NotHasProperty,
        value: None,
        high_value: None,
        values: None,
    };

    let t = Tmux::start("views", 160, 45, &[]);
    t.wait_text("$");
    t.line(&format!(
        "HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={} {}",
        sandbox.url,
        quoted(&bin())
    ));
    // The default views are the tabs; the first, Open, is on.
    t.wait_for("the views as tabs", |s| {
        s.contains(" Open ")
            && s.contains(" Unassigned ")
            && s.contains(" Mine ")
            && s.contains(" Waiting on us ")
            && s.contains(" Closed this week ")
    });
    let (total, ids) = answer(
        &rt,
        &client,
        vec![open_filter.clone()],
        by("createdate", SortDirection::Ascending),
        None,
    );
    assert!(
        total > 20 && total < 300,
        "some tickets are closed: {total}"
    );
    expect_rows(&t, "the Open view", &ids, total);

    // Next view: Unassigned (open and without owner).
    t.keys(&["}"]);
    t.wait_text("view: Unassigned");
    let (total, ids) = answer(
        &rt,
        &client,
        vec![open_filter.clone(), unassigned.clone()],
        by("createdate", SortDirection::Ascending),
        None,
    );
    assert!(total > 0);
    expect_rows(&t, "the Unassigned view", &ids, total);

    // Back to Open, then search it for a Japanese word.
    t.keys(&["{"]);
    t.wait_text("view: Open");
    t.keys(&["s"]);
    t.wait_text("Search · Open");
    t.text("プリンター");
    let (total, ids) = answer(
        &rt,
        &client,
        vec![open_filter.clone()],
        by("createdate", SortDirection::Ascending),
        Some("プリンター"),
    );
    assert!(total > 0, "open tickets mention プリンター");
    // The form counts the matches once typing pauses.
    t.wait_text(&format!("{total} tickets match"));
    t.keys(&["C-s"]);
    t.wait_text("view: Open (modified)");
    let shown = expect_rows(&t, "the search results", &ids, total);
    let s = t.screen();
    assert!(
        s.contains("プリンター"),
        "the matching subjects are on screen:\n{s}"
    );
    assert!(!shown.is_empty());

    // Sort the results by priority, descending.
    t.keys(&["S"]);
    t.wait_text("Sort by");
    t.text("priority");
    t.wait_text("Priority (hs_ticket_priority)");
    t.keys(&["Enter"]);
    t.wait_text("descending");
    // The direction picker: the first choice is descending.
    t.keys(&["Up", "Enter"]);
    t.wait_text("sorted by Priority ↓");
    // A choice sorts in its options' order — URGENT, HIGH, MEDIUM, LOW, then none — each
    // option's tickets by record ID, whatever order the server gives choices in.
    let priority = |operator: FilterOperator, value: Option<&str>| Filter {
        property_name: "hs_ticket_priority".to_owned(),
        operator,
        value: value.map(str::to_owned),
        high_value: None,
        values: None,
    };
    let mut ids = Vec::new();
    for p in ["URGENT", "HIGH", "MEDIUM", "LOW"] {
        let filters = vec![open_filter.clone(), priority(FilterOperator::Eq, Some(p))];
        let by_id = by("hs_object_id", SortDirection::Ascending);
        ids.extend(answer(&rt, &client, filters, by_id, Some("プリンター")).1);
    }
    let none = vec![
        open_filter.clone(),
        priority(FilterOperator::NotHasProperty, None),
    ];
    let by_id = by("hs_object_id", SortDirection::Ascending);
    ids.extend(answer(&rt, &client, none, by_id, Some("プリンター")).1);
    let by_priority = by("hs_ticket_priority", SortDirection::Descending);
    let (total, server) = answer(
        &rt,
        &client,
        vec![open_filter],
        by_priority,
        Some("プリンター"),
    );
    assert_eq!(ids.len() as u64, total);
    assert_ne!(
        ids, server,
        "the sandbox sorts choices by their internal values"
    );
    expect_rows(&t, "the results sorted by priority", &ids, total);

    // Esc: back to the saved view; q quits and the terminal is restored.
    t.keys(&["Escape"]);
    t.wait_for("the saved view again", |s| {
        s.contains("view: Open") && !s.contains("(modified)")
    });
    t.keys(&["q"]);
    t.wait_for("the shell after quitting", |s| !s.contains("Tickets"));
    assert!(!t.alternate_screen());
}
