#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::journal::{ObjectRef, PropertyChange, WriteKind};

fn entry(id: &str, run: &str) -> Entry {
    Entry {
        id: id.to_owned(),
        at: "2026-12-01T10:00:00Z".to_owned(),
        run: run.to_owned(),
        kind: WriteKind::Edit,
        tickets: vec!["7".to_owned()],
        properties: vec![PropertyChange {
            ticket: "7".to_owned(),
            property: "hs_ticket_priority".to_owned(),
            before: Some("LOW".to_owned()),
            after: Some("HIGH".to_owned()),
        }],
        associations: Vec::new(),
        created: Vec::new(),
        deleted: Vec::new(),
        undoes: None,
    }
}

#[test]
fn pending_then_outcome_fold_into_one_entry_and_a_crash_leaves_it_unresolved() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(dir.path(), false);
    let old = Journal::new(path.clone(), "run-a");
    old.append(&Line::Pending {
        entry: entry("run-a-1", "run-a"),
    })
    .unwrap();
    old.append(&Line::Outcome {
        id: "run-a-1".to_owned(),
        outcome: Outcome::Applied {
            failed: Vec::new(),
            correlation_ids: Vec::new(),
        },
        created: vec![ObjectRef {
            kind: "notes".to_owned(),
            id: "900".to_owned(),
            ticket: Some("7".to_owned()),
        }],
        properties: Vec::new(),
    })
    .unwrap();
    // Killed after the pending line of the second write.
    old.append(&Line::Pending {
        entry: entry("run-a-2", "run-a"),
    })
    .unwrap();
    drop(old);
    // A line cut short by the crash.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(b"{\"line\":\"outco").unwrap();

    let next = Journal::new(path.clone(), "run-b");
    let logged = next.load().unwrap();
    assert_eq!(logged.len(), 2);
    assert_eq!(logged[0].entry.created.len(), 1);
    assert!(logged[0].outcome.is_some());
    let unresolved = next.unresolved().unwrap();
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].id, "run-a-2");
    next.append(&Line::Resolved {
        id: "run-a-2".to_owned(),
        outcome: Outcome::NotApplied,
    })
    .unwrap();
    // The cut line stays cut; the resolution after it starts on a line of its own.
    let logged = next.load().unwrap();
    assert!(next.unresolved().unwrap().is_empty(), "{logged:?}");
    assert!(logged[1].resolved);
}

#[cfg(unix)]
#[test]
fn the_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir.path().join("data"), true);
    Journal::new(path.clone(), "r")
        .append(&Line::Pending {
            entry: entry("r-1", "r"),
        })
        .unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
