//! Headless flows of merging duplicates and of the customer's context: the real event loop,
//! worker and client against the sandbox over HTTP, keys in, screen text out, and what
//! changed read back from the sandbox through the client.
//!
//! Waits are on what the screen shows, never on sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use crossterm::event::KeyCode;
use hubtix::hubspot::{BatchReadQuery, Client, GetQuery};
use hubtix::sandbox::SandboxConfig;

#[path = "support/tui.rs"]
mod tui;

use tui::Harness;

const W: u16 = 160;
const H: u16 = 48;
const KINDS: [&str; 8] = [
    "contacts",
    "companies",
    "deals",
    "notes",
    "emails",
    "calls",
    "tasks",
    "meetings",
];

fn config() -> SandboxConfig {
    SandboxConfig {
        tickets: 200,
        ..SandboxConfig::default()
    }
}

async fn loaded(h: &mut Harness) {
    h.wait_until("the first page and 1001's detail", |s| {
        s.contains("1001 プリンターが燃えている")
            && s.contains("Tickets 100+ loaded")
            && s.contains("Ticket information")
    })
    .await;
}

/// Whether nothing is in flight (the top bar shows no ⟳).
fn idle(s: &str) -> bool {
    s.lines().next().is_some_and(|top| !top.contains('⟳'))
}

/// The ticket IDs of the list's rows, top to bottom.
fn row_ids(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches(['│', ' ', '>', '●']);
            let id: String = l.chars().take_while(char::is_ascii_digit).collect();
            (id.len() == 4).then_some(id)
        })
        .collect()
}

/// Every association of a ticket, by kind and ID.
async fn all_assocs(client: &Client, ticket: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for kind in KINDS {
        for a in client
            .associations("tickets", ticket, kind)
            .await
            .expect("associations")
        {
            out.insert((kind.to_owned(), a.to_object_id));
        }
    }
    out
}

async fn resolves_to(client: &Client, id: &str) -> String {
    client
        .get_ticket(id, &GetQuery::properties(&["hs_object_id"]))
        .await
        .expect("ticket")
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merging_two_marked_tickets_leaves_one_with_both_tickets_associations() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    let mut both = all_assocs(&h.client, "1002").await;
    both.extend(all_assocs(&h.client, "1003").await);
    assert!(both.len() > 2, "the seed gives them associations: {both:?}");

    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    h.wait_text("2 marked").await;
    h.key(KeyCode::Char('M'));
    let dialog = h
        .wait_until("the dialog with both contacts", |s| {
            s.contains("Merge #1002 and #1003?")
                && s.lines()
                    .filter_map(|l| l.split_once("│Contact  "))
                    .any(|(_, r)| !r.starts_with('…'))
        })
        .await;
    assert!(dialog.contains("Login fails on SSO"), "{dialog}");
    assert!(dialog.contains("cannot be undone"), "{dialog}");
    assert!(dialog.contains("[ Keep #1002 ]") && dialog.contains("[ Keep #1003 ]"));
    // A bare y with Cancel selected merges nothing.
    h.key(KeyCode::Char('y'));
    h.wait_until("the cursor settled", idle).await;
    assert!(h.screen_has(|s| s.contains("Merge #1002 and #1003?")));
    assert_eq!(resolves_to(&h.client, "1003").await, "1003");

    h.key(KeyCode::Right);
    h.key(KeyCode::Char('y'));
    let screen = h
        .wait_until("the merge answered", |s| {
            s.contains("merged #1003 into #1002, now #") && idle(s)
        })
        .await;
    let survivor = resolves_to(&h.client, "1002").await;
    assert_ne!(survivor, "1002", "HubSpot gives the survivor a new ID");
    assert_eq!(resolves_to(&h.client, "1003").await, survivor);
    assert_eq!(all_assocs(&h.client, &survivor).await, both);
    let t = h
        .client
        .get_ticket(&survivor, &GetQuery::properties(&["subject"]))
        .await
        .unwrap();
    assert_eq!(t.property("subject"), Some("Login fails on SSO"));
    let rows = row_ids(&screen);
    assert!(rows.contains(&survivor), "{screen}");
    assert!(!rows.iter().any(|r| r == "1002" || r == "1003"), "{screen}");
    h.quit().await;
}

/// The contact `C` opens for a ticket: the one labelled Primary, else the first.
async fn customer_of(client: &Client, ticket: &str) -> String {
    let contacts = client
        .associations("tickets", ticket, "contacts")
        .await
        .unwrap();
    let primary = contacts.iter().find(|a| {
        a.association_types
            .iter()
            .any(|t| t.label.as_deref() == Some("Primary"))
    });
    primary.or(contacts.first()).unwrap().to_object_id.clone()
}

/// A contact's tickets through the API: (ID, created, closed), newest first.
async fn tickets_of(client: &Client, contact: &str) -> Vec<(String, String, bool)> {
    let ids: Vec<String> = client
        .associations("contacts", contact, "tickets")
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.to_object_id)
        .collect();
    let read = client
        .batch_read_tickets(&BatchReadQuery::new(ids, &["createdate", "hs_is_closed"]))
        .await
        .unwrap();
    let mut out: Vec<(String, String, bool)> = read
        .into_results()
        .into_iter()
        .map(|t| {
            let created = t.property("createdate").unwrap_or_default().to_owned();
            let closed = t.property("hs_is_closed") == Some("true");
            (t.id, created, closed)
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_lists_exactly_the_customers_tickets_and_esc_comes_back() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    let contact = customer_of(&h.client, "1001").await;
    let expected = tickets_of(&h.client, &contact).await;
    let open_others = expected
        .iter()
        .filter(|(id, _, closed)| id != "1001" && !closed)
        .count();
    let plural = if open_others == 1 { "" } else { "s" };
    let line = format!("{open_others} other open ticket{plural}");
    h.key(KeyCode::Enter);
    h.wait_until("the customer line", |s| s.contains(&line) && idle(s))
        .await;
    h.key(KeyCode::Char('C'));
    let screen = h
        .wait_until("the customer's tickets", |s| {
            s.contains("newest first") && s.contains("Esc goes back") && idle(s)
        })
        .await;
    let want: Vec<String> = expected.iter().map(|(id, _, _)| id.clone()).collect();
    assert_eq!(row_ids(&screen), want, "{screen}");

    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    let screen = h
        .wait_until("back in the view", |s| {
            s.contains("back from the tickets of") && idle(s)
        })
        .await;
    assert!(screen.contains("1001 プリンターが燃えている"), "{screen}");
    assert!(row_ids(&screen).len() > want.len(), "{screen}");
    h.quit().await;
}
