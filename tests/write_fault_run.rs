//! The fault run through the TUI's writes: the real event loop, worker and client against the
//! sandbox, through a loopback proxy that injects seeded faults into about one write in five
//! (`support/faults.rs`, faulting writes only): resets before forwarding and after HubSpot
//! answered, 5xx without forwarding and in place of HubSpot's answer, answers held past the
//! client's timeout. Several edits, two bulk edits, deletes and a bulk delete are driven by keys.
//!
//! Then: the proxy's log shows no write (same method, path and body) reached the sandbox
//! twice, every faulted write was followed by reading its tickets back and the screen said
//! what that showed, and what the app shows equals what the sandbox holds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

#[path = "support/faults.rs"]
mod faults;
#[path = "support/tui.rs"]
mod tui;

use std::collections::BTreeSet;
use std::time::Duration;

use crossterm::event::KeyCode;
use faults::{Fault, FaultProxy, Logged, Plan, Scope};
use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, RetryPolicy};
use hubtix::sandbox::SandboxConfig;
use tui::Harness;

/// Seeded so that this run's 16 writes meet every kind of fault: 6 of them (the kinds taken
/// in turn), on a single edit, both bulk edits, two deletes and the bulk delete (asserted
/// below; a change to the flow that moves them needs another seed).
const SEED: u64 = 24;
const PERCENT: u8 = 20;
const TICKETS: usize = 40;
/// The client's timeout: an answer held past it is lost.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The status line (the screen's last line).
fn status(s: &str) -> String {
    s.lines().last().unwrap_or_default().trim().to_owned()
}

/// How a write ended, as the screen said.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    /// The ticket it was about (the first of a batch).
    id: String,
    /// What the user did.
    action: String,
    /// The status line that ended it.
    said: String,
    /// The frame that showed it.
    screen: String,
}

impl Outcome {
    fn verified(&self) -> bool {
        self.said.contains("verified after a lost answer")
    }
}

/// Waits until nothing is in flight (the top bar shows no ⟳): the next action starts from a
/// settled screen.
async fn settled(h: &mut Harness) {
    h.wait_until("nothing in flight", |s| {
        s.lines().next().is_some_and(|top| !top.contains('⟳'))
    })
    .await;
}

/// Edits the subject of the ticket under the list cursor to `new`, and back to the list.
async fn edit_subject(h: &mut Harness, new: &str) -> Outcome {
    let title = " Edit Ticket name · #";
    // `e` in the list moves to the detail's Properties; once the ticket is loaded, `e` there
    // opens the editor of the row under the cursor, the first: Ticket name. (Frames are
    // waited for in order: the latest screen may lag the frame a wait stopped at.)
    h.key(KeyCode::Char('e'));
    h.wait_until("the detail, loaded, to have the keyboard", |s| {
        status(s).starts_with("choose a property")
            && s.contains("Ticket information")
            && !s.contains("loading the ticket")
    })
    .await;
    h.key(KeyCode::Char('e'));
    let s = h.wait_text(title).await;
    let at = s.find(title).unwrap() + title.len();
    let id: String = s[at..].chars().take_while(char::is_ascii_digit).collect();
    // Clear the field, type the new subject, save.
    let old = h
        .client
        .get_ticket(&id, &GetQuery::properties(&["subject"]))
        .await
        .expect("read the subject")
        .property("subject")
        .unwrap_or_default()
        .chars()
        .count();
    h.key(KeyCode::End);
    for _ in 0..old + 10 {
        h.key(KeyCode::Backspace);
    }
    h.chars(new);
    h.wait_text(new).await;
    h.key(KeyCode::Enter);
    let row = format!("{id} {new}");
    let s = h
        .wait_until("the save's outcome", |s| {
            (!s.contains(title) && s.contains(&row))
                || s.contains(&format!("ticket #{id} was not changed"))
                || s.contains(&format!("outcome still unknown for ticket #{id}"))
                || s.contains("did not confirm")
        })
        .await;
    let said = status(&s);
    if s.contains(title) {
        // Not saved: the value stays in the form; the user gives up on it.
        h.key(KeyCode::Esc);
        h.wait_text("Discard your changes?").await;
        h.key(KeyCode::Char('y'));
        h.wait_until("the editor to close", |s| !s.contains(title))
            .await;
    }
    h.key(KeyCode::Esc);
    settled(h).await;
    Outcome {
        action: format!("edit #{id}"),
        id,
        said,
        screen: s,
    }
}

/// Moves the list cursor down one row from ticket `id` and waits until the detail shows the
/// ticket below it.
async fn next_row(h: &mut Harness, id: &str) {
    h.key(KeyCode::Char('j'));
    let header = format!("┌ #{id} ");
    h.wait_until("the next ticket", |s| !s.contains(&header))
        .await;
}

/// Marks `n` tickets from the cursor (Space marks and moves on).
async fn mark(h: &mut Harness, n: usize) {
    for _ in 0..n {
        h.key(KeyCode::Char(' '));
    }
    h.wait_text(&format!("{n} marked")).await;
}

/// Clears the marks a partly failed batch left (its failed tickets stay marked), as the frame
/// that showed the batch's outcome says.
async fn clear_marks(h: &mut Harness, outcome: &str) {
    if status(outcome).ends_with(" marked") {
        h.key(KeyCode::Char('V'));
        h.wait_until("marks cleared", |s| !status(s).ends_with(" marked"))
            .await;
    }
}

/// Sets Priority to `label` on `n` tickets from the cursor.
async fn bulk_priority(h: &mut Harness, n: usize, label: &str) -> Outcome {
    mark(h, n).await;
    h.key(KeyCode::Char('e'));
    h.wait_text(&format!("Set a property on {n} tickets")).await;
    h.key(KeyCode::Enter);
    let title = format!("Set Priority on {n} tickets");
    h.wait_text(&title).await;
    h.chars(label);
    h.key(KeyCode::Enter);
    // A batch write is confirmed first (fewer than 50: no count to type).
    h.wait_text(&format!("Set Priority on {n} tickets?")).await;
    h.key(KeyCode::Char('y'));
    let done = format!("set Priority on {n} tickets");
    let s = h
        .wait_until("the bulk edit's outcome", |s| {
            s.contains(&done) || s.contains("tickets updated;")
        })
        .await;
    let failed = s.contains("tickets updated;");
    let said = if failed {
        // The form lists the failed ones: the line that says how many, and the status.
        let line = s
            .lines()
            .find_map(|l| {
                let at = l.find(" tickets updated;")?;
                // The count's digits (one byte each) just before the words.
                let digits = l[..at]
                    .chars()
                    .rev()
                    .take_while(char::is_ascii_digit)
                    .count();
                let start = at - digits;
                Some(l[start..].trim_end_matches(['│', ' ']).to_owned())
            })
            .unwrap_or_default();
        format!("{line} | {}", status(&s))
    } else {
        status(&s)
    };
    if failed {
        h.key(KeyCode::Esc);
        h.wait_until("the result to close", |s| !s.contains("tickets updated;"))
            .await;
    }
    clear_marks(h, &s).await;
    settled(h).await;
    Outcome {
        id: String::new(),
        action: format!("bulk edit of {n}"),
        said,
        screen: s,
    }
}

/// Deletes the ticket under the cursor.
async fn delete_one(h: &mut Harness) -> Outcome {
    h.key(KeyCode::Char('D'));
    let s = h.wait_text("Delete ticket #").await;
    let at = s.find("Delete ticket #").unwrap() + "Delete ticket #".len();
    let id: String = s[at..].chars().take_while(char::is_ascii_digit).collect();
    h.key(KeyCode::Char('y'));
    let s = h
        .wait_until("the delete's outcome", |s| {
            s.contains(&format!("deleted #{id}"))
                || s.contains(&format!("ticket #{id} was"))
                || s.contains(&format!("outcome still unknown for ticket #{id}"))
                || s.contains("not deleted:")
        })
        .await;
    settled(h).await;
    Outcome {
        action: format!("delete #{id}"),
        id,
        said: status(&s),
        screen: s,
    }
}

/// Deletes `n` tickets from the cursor.
async fn bulk_delete(h: &mut Harness, n: usize) -> Outcome {
    mark(h, n).await;
    h.key(KeyCode::Char('D'));
    h.wait_text(&format!("Delete {n} tickets?")).await;
    h.chars(&n.to_string());
    h.wait_text(&format!("Type {n} to confirm: {n}")).await;
    h.key(KeyCode::Char('y'));
    let s = h
        .wait_until("the bulk delete's outcome", |s| {
            s.contains(&format!("deleted {n} tickets")) || s.contains(" failed (")
        })
        .await;
    clear_marks(h, &s).await;
    settled(h).await;
    Outcome {
        id: String::new(),
        action: format!("bulk delete of {n}"),
        said: status(&s),
        screen: s,
    }
}

/// Whether a logged read reads `id` back (by ID, or in a batch read).
fn reads_back(r: &Logged, id: &str) -> bool {
    let path = r.path.split('?').next().unwrap_or(&r.path);
    if r.method == "GET" {
        return path == format!("/crm/v3/objects/tickets/{id}");
    }
    path == "/crm/v3/objects/tickets/batch/read" && r.body.contains(&format!("\"{id}\""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_write_faults_send_nothing_twice_and_every_lost_answer_is_read_back() {
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: TICKETS,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let token = SandboxConfig::default().token;
    let proxy = FaultProxy::start(sandbox.base_url(), Scope::Writes).await;
    proxy.plan(Plan {
        seed: SEED,
        percent: PERCENT,
        kinds: Fault::WRITES.to_vec(),
        max_in_a_row: u32::MAX,
    });
    let mut config = ClientConfig::new(proxy.url(), AccessToken::new(&token));
    config.timeout = TIMEOUT;
    config.retry = RetryPolicy::fast();
    let client = Client::new(config).expect("client");
    let mut h = Harness::attach_configured(sandbox, client, 160, 48, |_| {});
    // The test's own reads go straight to the sandbox.
    h.client = tui::client_for(&h.sandbox, &token);
    h.wait_until("the list and the first ticket", |s| {
        s.contains("1001 ") && s.contains("Ticket information")
    })
    .await;
    settled(&mut h).await;

    let mut outcomes = Vec::new();
    for i in 0..8 {
        let done = edit_subject(&mut h, &format!("fault run edit {i}")).await;
        next_row(&mut h, &done.id).await;
        outcomes.push(done);
    }
    outcomes.push(bulk_priority(&mut h, 3, "Low").await);
    outcomes.push(bulk_priority(&mut h, 4, "Urgent").await);
    for _ in 0..5 {
        let done = delete_one(&mut h).await;
        // Past the next ticket: a ticket left in place is not tried again.
        let below = done
            .screen
            .split("┌ #")
            .nth(1)
            .map(|r| {
                r.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .unwrap_or_default();
        next_row(&mut h, &below).await;
        outcomes.push(done);
    }
    outcomes.push(bulk_delete(&mut h, 3).await);
    let direct = h.client.clone();
    let (_, sandbox, app) = h.stop_app().await;

    let report: Vec<String> = outcomes
        .iter()
        .map(|o| format!("{}: {}", o.action, o.said))
        .collect();
    let report = report.join("\n");
    let log = proxy.log();
    let writes = proxy.writes();
    assert_eq!(writes.len(), 16, "one write per action:\n{report}");

    // The seed met every kind of fault.
    let faulted = proxy.faulted();
    let kinds: BTreeSet<String> = faulted.iter().map(|w| format!("{:?}", w.fault)).collect();
    assert_eq!(kinds.len(), Fault::WRITES.len(), "{faulted:#?}\n{report}");

    // 1. No write reached the sandbox twice.
    proxy.assert_no_write_forwarded_twice();

    // 2. Every faulted write was read back, before any later write, and the screen said
    // what that showed; no outcome is left unknown.
    for w in &faulted {
        let next_write = log
            .iter()
            .filter(|l| l.write && l.arrived > w.arrived)
            .map(|l| l.arrived)
            .min()
            .unwrap_or(u64::MAX);
        for id in w.tickets() {
            assert!(
                log.iter().any(|r| !r.write
                    && r.arrived > w.settled
                    && r.arrived < next_write
                    && reads_back(r, &id)),
                "{} {} ({:?}): #{id} was not read back\n{report}",
                w.method,
                w.path,
                w.fault
            );
        }
    }
    // Writes and actions match one to one, in order.
    for (w, o) in writes.iter().zip(&outcomes) {
        if !w.fault.is_none() {
            assert!(
                o.verified(),
                "{:?} on {}: {}\n{report}",
                w.fault,
                o.action,
                o.said
            );
        }
    }
    assert!(!report.contains("still unknown"), "{report}");
    assert!(!report.contains("did not confirm"), "{report}");

    // 3. What the app shows is what happened.
    for n in 1001..=1000 + TICKETS {
        let id = n.to_string();
        let on_server = match direct
            .get_ticket(
                &id,
                &GetQuery::properties(&["subject", "hs_ticket_priority"]),
            )
            .await
        {
            Ok(t) => Some(t),
            Err(e) if e.is_not_found() => None,
            Err(e) => panic!("reading {id}: {e}"),
        };
        let shown = app.list.get(&id);
        match (on_server, shown) {
            (None, None) => {}
            (Some(t), Some(row)) => {
                for p in ["subject", "hs_ticket_priority"] {
                    assert_eq!(
                        row.prop(p),
                        t.property(p).unwrap_or_default(),
                        "#{id} {p}: the app shows what HubSpot holds\n{report}"
                    );
                }
            }
            (None, Some(_)) => panic!("#{id} is deleted but still listed\n{report}"),
            (Some(_), None) => panic!("#{id} exists but is no longer listed\n{report}"),
        }
    }
    eprintln!("{report}");
    sandbox.shutdown().await;
}
