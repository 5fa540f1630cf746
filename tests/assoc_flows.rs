//! Headless flows of associations, pinning and deleting: the real event loop, worker and
//! client against the sandbox over HTTP, keys in, screen text out, and every change read back
//! from the sandbox through the client (archived tickets with `archived=true`).
//!
//! Waits are on what the screen shows, never on sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use crossterm::event::KeyCode;
use hubtix::hubspot::{Client, GetQuery, ListQuery, SimplePublicObject};
use hubtix::sandbox::SandboxConfig;

#[path = "support/tui.rs"]
mod tui;

use tui::Harness;

const W: u16 = 160;
const H: u16 = 48;
const ENGAGEMENTS: [&str; 5] = ["notes", "emails", "calls", "tasks", "meetings"];
const KINDS: [&str; 8] = [
    "Contact ", "Company ", "Deal ", "Note ", "Email ", "Call ", "Task ", "Meeting ",
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

/// Whether the detail's customer line is complete (read after the ticket arrives).
fn customer_read(s: &str) -> bool {
    s.lines()
        .filter_map(|l| l.split_once("││").map(|(_, r)| r))
        .any(|r| r.contains(" other open ticket") || r.contains("no contact or company"))
}

/// Whether nothing is in flight (the top bar shows no ⟳).
fn idle(s: &str) -> bool {
    s.lines().next().is_some_and(|top| !top.contains('⟳'))
}

/// The rows of the detail pane's Associations or Activity tab (right of the list).
fn detail_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| l.split_once("││").map(|(_, r)| r.to_owned()))
        .filter(|r| {
            let r = r.trim_start_matches(['★', ' ']);
            KINDS.iter().any(|k| r.starts_with(k))
        })
        .collect()
}

async fn assoc_ids(client: &Client, ticket: &str, to: &str) -> BTreeSet<String> {
    client
        .associations("tickets", ticket, to)
        .await
        .expect("associations")
        .into_iter()
        .map(|a| a.to_object_id)
        .collect()
}

async fn pinned(client: &Client, ticket: &str) -> String {
    client
        .get_ticket(ticket, &GetQuery::properties(&["hs_pinned_engagement_id"]))
        .await
        .expect("ticket")
        .property("hs_pinned_engagement_id")
        .unwrap_or_default()
        .to_owned()
}

/// Whether the ticket is in the recycle bin: gone from the live reads, found with
/// `archived=true`.
async fn archived(client: &Client, id: &str) -> bool {
    let live = client.get_ticket(id, &GetQuery::default()).await;
    let binned = client
        .get_ticket(
            id,
            &GetQuery {
                archived: true,
                ..GetQuery::default()
            },
        )
        .await;
    match (live, binned) {
        (Err(e), Ok(t)) => {
            assert!(e.is_not_found(), "{e}");
            assert!(t.archived, "{id} read with archived=true is archived");
            true
        }
        (Ok(_), _) => false,
        (Err(e), Err(b)) => panic!("{id} neither live nor archived: {e} / {b}"),
    }
}

/// Every archived ticket id, paging through `archived=true`.
async fn archived_ids(client: &Client) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    let mut after = None;
    loop {
        let page = client
            .list_tickets(&ListQuery {
                limit: Some(100),
                after: after.clone(),
                archived: true,
                ..ListQuery::default()
            })
            .await
            .expect("archived list");
        all.extend(page.results.iter().map(|t| t.id.clone()));
        match page.paging.and_then(|p| p.next).map(|n| n.after) {
            Some(a) if Some(&a) != after.as_ref() => after = Some(a),
            _ => return all,
        }
    }
}

/// Contacts named `name`, read through the client.
async fn contacts_named(client: &Client, name: &str) -> Vec<String> {
    let page = client
        .list_objects::<SimplePublicObject>(
            "contacts",
            &ListQuery {
                limit: Some(100),
                properties: vec!["firstname".into(), "lastname".into()],
                ..ListQuery::default()
            },
        )
        .await
        .expect("contacts");
    page.results
        .into_iter()
        .filter(|c| {
            format!(
                "{} {}",
                c.property("firstname").unwrap_or_default(),
                c.property("lastname").unwrap_or_default()
            ) == name
        })
        .map(|c| c.id)
        .collect()
}

/// Opens 1001's detail on tab `n` and waits for it to load.
async fn open_tab(h: &mut Harness, n: char, loaded_marker: &str) -> String {
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char(n));
    h.wait_until(loaded_marker, |s| s.contains(loaded_marker) && idle(s))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_then_remove_an_association() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    let before = assoc_ids(&h.client, "1001", "contacts").await;
    open_tab(&mut h, '3', "3 Associations (").await;
    h.key(KeyCode::Char('a'));
    h.wait_text("Add an association").await;
    h.chars("grace");
    h.wait_until("the search results", |s| {
        s.contains("Contact Grace Kim  grace")
    })
    .await;
    h.key(KeyCode::Enter);
    h.wait_text("(unlabeled, the default)").await;
    h.key(KeyCode::Enter);
    let screen = h
        .wait_until("the association saved and reloaded", |s| {
            s.contains("associations updated")
                && !s.contains("Add an association")
                && detail_rows(s).iter().any(|r| r.contains("Grace Kim"))
                && idle(s)
        })
        .await;
    let after = assoc_ids(&h.client, "1001", "contacts").await;
    let added: Vec<&String> = after.difference(&before).collect();
    assert_eq!(added.len(), 1, "one contact added: {before:?} → {after:?}");
    let graces = contacts_named(&h.client, "Grace Kim").await;
    assert!(graces.contains(added[0]), "{added:?} is a Grace Kim");

    // Remove it again: move onto its row, x, y.
    let row = detail_rows(&screen)
        .iter()
        .position(|r| r.contains("Grace Kim"))
        .unwrap();
    h.key(KeyCode::Char('g'));
    for _ in 0..row {
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Char('x'));
    let dialog = h
        .wait_until("the remove dialog", |s| {
            s.contains("Remove the contact association?")
        })
        .await;
    assert!(
        dialog.contains("Ticket #1001 プリンターが燃えている"),
        "{dialog}"
    );
    assert!(
        dialog.contains("Contact: Grace Kim (unlabeled)"),
        "{dialog}"
    );
    h.key(KeyCode::Char('y'));
    h.wait_until("the association removed and reloaded", |s| {
        s.contains("associations updated")
            && !s.contains("Remove the contact association?")
            && !detail_rows(s).iter().any(|r| r.contains("Grace Kim"))
            && idle(s)
    })
    .await;
    assert_eq!(assoc_ids(&h.client, "1001", "contacts").await, before);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_then_unpin_an_activity() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    let old = pinned(&h.client, "1001").await;
    assert!(!old.is_empty(), "1001 starts with a pin");
    let screen = open_tab(&mut h, '4', "4 Activity (").await;
    let rows = detail_rows(&screen);
    assert!(
        !rows[0].starts_with('★'),
        "the newest is not the pinned one: {rows:?}"
    );
    h.key(KeyCode::Char('p'));
    let dialog = h.wait_text("Replace the pinned activity?").await;
    assert!(
        dialog.contains("It replaces the pinned activity (one pin per ticket):"),
        "{dialog}"
    );
    assert!(
        dialog.contains("on #1001 プリンターが燃えている"),
        "{dialog}"
    );
    h.key(KeyCode::Char('y'));
    let screen = h
        .wait_until("the pin moved to the first row", |s| {
            s.contains("pinned “")
                && detail_rows(s).first().is_some_and(|r| r.starts_with('★'))
                && idle(s)
        })
        .await;
    assert_eq!(screen.matches('★').count(), 1, "{screen}");
    let new = pinned(&h.client, "1001").await;
    assert!(!new.is_empty() && new != old, "{old} → {new}");

    h.key(KeyCode::Char('P'));
    let dialog = h.wait_text("Unpin the activity?").await;
    assert!(
        dialog.contains("from #1001 プリンターが燃えている"),
        "{dialog}"
    );
    h.key(KeyCode::Char('y'));
    h.wait_until("no pin", |s| {
        s.contains("unpinned “") && !s.contains('★') && idle(s)
    })
    .await;
    assert_eq!(pinned(&h.client, "1001").await, "");
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinning_an_unassociated_activity_offers_to_associate_it_first() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    open_tab(&mut h, '4', "4 Activity (").await;
    let pin = pinned(&h.client, "1001").await;
    // Someone removes every activity but the pinned one from the ticket meanwhile.
    let mut removed = BTreeSet::new();
    for kind in ENGAGEMENTS {
        for id in assoc_ids(&h.client, "1001", kind).await {
            if id != pin {
                h.client
                    .remove_association("tickets", "1001", kind, &id)
                    .await
                    .expect("remove");
                removed.insert((kind, id));
            }
        }
    }
    assert!(!removed.is_empty());
    h.key(KeyCode::Char('p'));
    h.wait_text("Replace the pinned activity?").await;
    h.key(KeyCode::Char('y'));
    let offer = h.wait_text("Associate the activity first?").await;
    assert!(
        offer.contains("HubSpot pins only activities associated with the ticket."),
        "{offer}"
    );
    assert_eq!(pinned(&h.client, "1001").await, pin, "nothing changed yet");
    // Esc (Cancel) first: nothing sent; then p, y again and accept the offer.
    h.key(KeyCode::Esc);
    h.wait_until("the offer closed", |s| {
        !s.contains("Associate the activity first?")
    })
    .await;
    h.key(KeyCode::Char('p'));
    h.wait_text("Replace the pinned activity?").await;
    h.key(KeyCode::Char('y'));
    h.wait_text("Associate the activity first?").await;
    h.key(KeyCode::Char('y'));
    h.wait_until("associated and pinned", |s| {
        s.contains("associated and pinned") && idle(s)
    })
    .await;
    let now = pinned(&h.client, "1001").await;
    let (kind, _) = removed
        .iter()
        .find(|(_, id)| *id == now)
        .unwrap_or_else(|| panic!("pinned {now}, one of the removed {removed:?}"));
    assert!(assoc_ids(&h.client, "1001", kind).await.contains(&now));
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_one_ticket_then_bulk_delete_three() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('D'));
    let dialog = h.wait_text("Delete ticket #1002?").await;
    assert!(dialog.contains("#1002 Login fails on SSO"), "{dialog}");
    assert!(dialog.contains("recycle bin"), "{dialog}");
    // n declines: still there.
    h.key(KeyCode::Char('n'));
    h.wait_until("the dialog closed", |s| !s.contains("Delete ticket #1002?"))
        .await;
    assert!(!archived(&h.client, "1002").await);
    h.key(KeyCode::Char('D'));
    h.wait_text("Delete ticket #1002?").await;
    h.key(KeyCode::Char('y'));
    let screen = h
        .wait_until("1002 deleted", |s| {
            s.contains("deleted #1002") && !s.contains("1002 Login fails on SSO")
        })
        .await;
    assert!(screen.contains("1003 "), "{screen}");
    assert!(archived(&h.client, "1002").await);

    // Mark 1003, 1004, 1005 (Space marks and moves on) and delete them.
    h.wait_until("the cursor settled", idle).await;
    for _ in 0..3 {
        h.key(KeyCode::Char(' '));
    }
    h.wait_text("3 marked").await;
    h.key(KeyCode::Char('D'));
    h.wait_text("Delete 3 tickets?").await;
    h.key(KeyCode::Char('y'));
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('y'));
    h.wait_text("Type 3 to confirm: 4▏").await;
    assert!(h.screen_has(|s| s.contains("Delete 3 tickets?")));
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Char('3'));
    h.wait_text("Type 3 to confirm: 3▏").await;
    for id in ["1003", "1004", "1005"] {
        assert!(!archived(&h.client, id).await, "a bare y sent nothing");
    }
    h.key(KeyCode::Char('y'));
    let screen = h
        .wait_until("three deleted", |s| s.contains("deleted 3 tickets"))
        .await;
    assert!(!screen.contains("marked"), "marks cleared:\n{screen}");
    let binned = archived_ids(&h.client).await;
    for id in ["1002", "1003", "1004", "1005"] {
        assert!(binned.contains(id), "{id} listed with archived=true");
        assert!(archived(&h.client, id).await);
    }
    assert!(!archived(&h.client, "1006").await);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_ticket_deleted_elsewhere_says_so_and_the_row_goes() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    h.client.archive_ticket("1002").await.expect("archive");
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('D'));
    h.wait_text("Delete ticket #1002?").await;
    h.key(KeyCode::Char('y'));
    let screen = h
        .wait_until("the already-deleted message", |s| {
            s.contains("#1002 was already deleted")
        })
        .await;
    assert!(!screen.contains("1002 Login fails on SSO"), "{screen}");
    assert!(archived(&h.client, "1002").await);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associating_a_record_deleted_meanwhile_says_so_and_changes_nothing() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    let before = assoc_ids(&h.client, "1001", "contacts").await;
    open_tab(&mut h, '3', "3 Associations (").await;
    h.key(KeyCode::Char('a'));
    h.chars("grace");
    h.wait_until("the search results", |s| {
        s.contains("Contact Grace Kim  grace")
    })
    .await;
    // Every Grace Kim is deleted before the user picks one.
    for id in contacts_named(&h.client, "Grace Kim").await {
        h.client
            .archive_object("contacts", &id)
            .await
            .expect("archive contact");
    }
    h.key(KeyCode::Enter);
    h.wait_text("(unlabeled, the default)").await;
    h.key(KeyCode::Enter);
    let screen = h
        .wait_until("the failure on screen", |s| {
            s.contains("Grace Kim was not associated")
        })
        .await;
    assert!(screen.contains("no longer exists"), "{screen}");
    assert!(!screen.contains("Add an association"), "{screen}");
    assert_eq!(assoc_ids(&h.client, "1001", "contacts").await, before);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_chunk_of_a_bulk_delete_is_listed_and_stays_marked() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    // Load both pages (G), mark all 200 and ask to delete them.
    h.key(KeyCode::Char('G'));
    h.wait_until("every ticket loaded", |s| {
        s.contains("┌ Tickets 200 ") && idle(s)
    })
    .await;
    // The last ticket's detail (fetched once the selection rests) must have arrived too, and
    // the customer line read after it, or their requests could take the fault armed below.
    h.wait_until("the selected ticket's detail and customer", |s| {
        s.contains("Ticket information") && customer_read(s) && idle(s)
    })
    .await;
    h.key(KeyCode::Char('V'));
    h.wait_text("200 marked").await;
    h.key(KeyCode::Char('D'));
    h.wait_text("Delete 200 tickets?").await;
    h.chars("200");
    h.wait_until("the count typed, nothing in flight", |s| {
        s.contains("Type 200 to confirm: 200▏") && idle(s)
    })
    .await;
    // One of the two chunks of 100 fails (writes are not retried on a 5xx).
    h.sandbox.faults().fail_next(1, 500);
    h.key(KeyCode::Char('y'));
    let screen = h
        .wait_until("the partial failure", |s| {
            s.contains("deleted 100; 100 failed (") && s.contains("100 marked")
        })
        .await;
    assert!(screen.contains(" and 95 more): "), "{screen}");
    assert!(
        screen.contains("HTTP 500"),
        "HubSpot's status is visible:\n{screen}"
    );
    let binned = archived_ids(&h.client).await;
    let ours: Vec<u32> = (1001..=1200)
        .filter(|n| binned.contains(&n.to_string()))
        .collect();
    assert_eq!(ours.len(), 100, "one chunk archived");
    // The failed ones are still live, still listed and still marked: D offers exactly them.
    let live: Vec<u32> = (1001..=1200).filter(|n| !ours.contains(n)).collect();
    assert!(!archived(&h.client, &live[0].to_string()).await);
    h.key(KeyCode::Char('D'));
    h.wait_text("Delete 100 tickets?").await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_an_association_again_keeps_its_label() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    // 1001's company is associated with the Primary label (type 26).
    let types = |client: Client| async move {
        let all = client
            .associations("tickets", "1001", "companies")
            .await
            .expect("associations");
        assert_eq!(all.len(), 1, "{all:?}");
        let ids: BTreeSet<u32> = all[0].association_types.iter().map(|t| t.type_id).collect();
        (all[0].to_object_id.clone(), ids)
    };
    let (company, before) = types(h.client.clone()).await;
    assert!(before.contains(&26), "{before:?}");
    let screen = open_tab(&mut h, '3', "3 Associations (").await;
    let name = detail_rows(&screen)
        .iter()
        .find_map(|r| {
            r.strip_prefix("Company ")
                .map(|n| n.split("  ").next().unwrap().trim().to_owned())
        })
        .unwrap();
    h.key(KeyCode::Char('a'));
    h.wait_text("Add an association").await;
    h.chars(&name);
    // The company's row among the results (contacts come first), once they are in.
    let found = format!("│Company {name}  ");
    let result_row = |s: &str| {
        s.lines()
            .skip_while(|l| !l.contains("Contact, company or deal:"))
            .skip(1)
            .take_while(|l| !l.contains("type to search"))
            .position(|l| l.contains(&found) && !l.contains("││"))
    };
    let screen = h
        .wait_until("the company found", |s| result_row(s).is_some())
        .await;
    let row = result_row(&screen).unwrap();
    for _ in 0..row {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    h.wait_text(&format!("Company {name}: choose the association label"))
        .await;
    h.wait_text("(unlabeled, the default)").await;
    // The default (unlabeled) type, preselected.
    h.key(KeyCode::Enter);
    h.wait_until("saved", |s| s.contains("associations updated") && idle(s))
        .await;
    let (again, after) = types(h.client.clone()).await;
    assert_eq!(again, company);
    assert!(after.contains(&26), "Primary kept: {before:?} → {after:?}");
    h.quit().await;
}
