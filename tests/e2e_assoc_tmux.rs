//! End-to-end: the real `hubtix` binary in tmux against `hubtix sandbox` run as a child
//! process, driven with `send-keys` and read with `capture-pane`: add and remove an
//! association, pin and unpin an activity, delete one ticket and bulk-delete three. Every
//! change is read back from the sandbox through a client built here.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::Duration;
use tmux::{Sandbox, Tmux, bin, quoted, tmux_available};

use std::collections::BTreeSet;

use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, ListQuery};

/// Whether nothing is in flight (the top bar shows no ⟳).
fn idle(s: &str) -> bool {
    s.lines().next().is_some_and(|top| !top.contains('⟳'))
}

const KINDS: [&str; 8] = [
    "Contact ", "Company ", "Deal ", "Note ", "Email ", "Call ", "Task ", "Meeting ",
];

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

/// Reads the sandbox through the HubSpot client, outside the TUI.
struct Api {
    rt: tokio::runtime::Runtime,
    client: Client,
}

impl Api {
    fn new(url: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut config = ClientConfig::new(url, AccessToken::new("demo-token"));
        config.timeout = Duration::from_secs(5);
        let client = rt.block_on(async { Client::new(config) }).expect("client");
        Self { rt, client }
    }

    fn contacts_of(&self, ticket: &str) -> BTreeSet<String> {
        self.rt
            .block_on(self.client.associations("tickets", ticket, "contacts"))
            .expect("associations")
            .into_iter()
            .map(|a| a.to_object_id)
            .collect()
    }

    fn pinned(&self, ticket: &str) -> String {
        self.rt
            .block_on(
                self.client
                    .get_ticket(ticket, &GetQuery::properties(&["hs_pinned_engagement_id"])),
            )
            .expect("ticket")
            .property("hs_pinned_engagement_id")
            .unwrap_or_default()
            .to_owned()
    }

    /// Ticket ids in the recycle bin (`archived=true`), every page.
    fn archived(&self) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .rt
                .block_on(self.client.list_tickets(&ListQuery {
                    limit: Some(100),
                    after: after.clone(),
                    archived: true,
                    ..ListQuery::default()
                }))
                .expect("archived tickets");
            all.extend(page.results.into_iter().map(|t| t.id));
            match page.paging.and_then(|p| p.next).map(|n| n.after) {
                Some(a) if after.as_ref() != Some(&a) => after = Some(a),
                _ => return all,
            }
        }
    }

    fn is_live(&self, id: &str) -> bool {
        self.rt
            .block_on(self.client.get_ticket(id, &GetQuery::default()))
            .is_ok()
    }
}

#[test]
fn associate_pin_and_delete_against_the_sandbox() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(200);
    let api = Api::new(&sandbox.url);
    let contacts_before = api.contacts_of("1001");
    let pin_before = api.pinned("1001");
    assert!(!pin_before.is_empty());

    let t = Tmux::start(
        "assoc",
        160,
        48,
        &[
            ("HUBSPOT_ACCESS_TOKEN", "demo-token"),
            ("HUBTIX_BASE_URL", &sandbox.url),
        ],
    );
    t.wait_text("$");
    t.line(&quoted(&bin()));
    // The first view is "Open" (sorted by creation); the last, "All tickets", lists by ID.
    t.wait_for("the views", |s| s.contains(" All tickets"));
    t.text("{");
    t.wait_for("the list and 1001's detail", |s| {
        s.contains("1001 プリンターが燃えている") && s.contains("Ticket information") && idle(s)
    });

    // ---- add an association: Enter, 3, a, search, choose, default label.
    t.keys(&["Enter", "3"]);
    t.wait_for("the associations", |s| {
        s.contains("3 Associations (") && idle(s)
    });
    t.keys(&["a"]);
    t.wait_text("Add an association");
    t.text("grace");
    t.wait_text("Contact Grace Kim  grace");
    t.keys(&["Enter"]);
    t.wait_text("(unlabeled, the default)");
    t.keys(&["Enter"]);
    let s = t.wait_for("Grace Kim associated", |s| {
        s.contains("associations updated")
            && detail_rows(s).iter().any(|r| r.contains("Grace Kim"))
            && idle(s)
    });
    let added: Vec<String> = api
        .contacts_of("1001")
        .difference(&contacts_before)
        .cloned()
        .collect();
    assert_eq!(added.len(), 1, "one contact associated: {added:?}");

    // ---- remove it: onto its row, x, y.
    let row = detail_rows(&s)
        .iter()
        .position(|r| r.contains("Grace Kim"))
        .unwrap();
    t.keys(&["g"]);
    for _ in 0..row {
        t.keys(&["j"]);
    }
    t.keys(&["x"]);
    let s = t.wait_text("Remove the contact association?");
    assert!(s.contains("Contact: Grace Kim (unlabeled)"), "{s}");
    t.keys(&["y"]);
    t.wait_for("Grace Kim removed", |s| {
        s.contains("associations updated")
            && !s.contains("Remove the contact association?")
            && !detail_rows(s).iter().any(|r| r.contains("Grace Kim"))
            && idle(s)
    });
    assert_eq!(api.contacts_of("1001"), contacts_before);

    // ---- pin the newest activity (replacing the pin), then unpin.
    t.keys(&["4"]);
    t.wait_for("the activities", |s| s.contains("4 Activity (") && idle(s));
    t.keys(&["g", "p"]);
    let s = t.wait_text("Replace the pinned activity?");
    assert!(
        s.contains("It replaces the pinned activity (one pin per ticket):"),
        "{s}"
    );
    t.keys(&["y"]);
    t.wait_for("the first row pinned", |s| {
        s.contains("pinned “")
            && detail_rows(s).first().is_some_and(|r| r.starts_with('★'))
            && idle(s)
    });
    let pin = api.pinned("1001");
    assert!(!pin.is_empty() && pin != pin_before, "{pin_before} → {pin}");
    t.keys(&["P"]);
    t.wait_text("Unpin the activity?");
    t.keys(&["y"]);
    t.wait_for("no pin", |s| {
        s.contains("unpinned “") && !s.contains('★') && idle(s)
    });
    assert_eq!(api.pinned("1001"), "");

    // ---- back to the list (Escape alone), delete 1002.
    t.keys(&["Escape"]);
    t.wait_for("the list to have the focus", |s| {
        s.lines().last().is_some_and(|l| l.contains("/ filter"))
    });
    t.keys(&["j", "D"]);
    let s = t.wait_text("Delete ticket #1002?");
    assert!(s.contains("#1002 Login fails on SSO"), "{s}");
    t.keys(&["y"]);
    t.wait_for("1002 deleted", |s| {
        s.contains("deleted #1002") && !s.contains("1002 Login fails on SSO") && idle(s)
    });
    assert!(!api.is_live("1002"));
    assert!(api.archived().contains("1002"));

    // ---- bulk-delete 1003, 1004, 1005: mark, D, a bare y does nothing, type 3, y.
    t.keys(&["Space", "Space", "Space"]);
    t.wait_text("3 marked");
    t.keys(&["D"]);
    t.wait_text("Delete 3 tickets?");
    t.keys(&["y"]);
    t.keys(&["3"]);
    t.wait_text("Type 3 to confirm: 3");
    assert!(api.is_live("1003"), "a bare y deleted nothing");
    t.keys(&["y"]);
    t.wait_for("three deleted", |s| {
        s.contains("deleted 3 tickets") && idle(s)
    });
    let binned = api.archived();
    for id in ["1002", "1003", "1004", "1005"] {
        assert!(binned.contains(id), "{id} in the recycle bin: {binned:?}");
        assert!(!api.is_live(id));
    }
    assert!(api.is_live("1006"));

    t.keys(&["q"]);
    t.wait_for("the shell prompt after quitting", |s| {
        !s.contains("Tickets")
    });
}
