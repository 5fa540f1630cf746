//! Keeps writes that share a ticket in line: one at a time, in the order they were asked for.
//!
//! Owns: each write's place in line ([`Turn`]) and forgetting tickets with nothing in line.
//! Must not: do I/O or look at what a write sends; the tickets come from
//! [`Command::written_tickets`](super::Command::written_tickets).
//!
//! A write waits for the writes asked for before it that touch any of its tickets — a single
//! PATCH behind a batch that includes its ticket, a batch behind every write to any of its
//! tickets — whatever order the runtime starts their tasks in. Waits only ever point at
//! earlier writes, so they cannot form a cycle: no lock order to keep, no deadlock. A turn
//! ends when it is dropped, however the task ends (done, failed, aborted).

use std::collections::HashMap;

use tokio_util::sync::{CancellationToken, DropGuard};

/// The line of writes per ticket.
#[derive(Debug, Default)]
pub struct WriteQueue {
    /// The last write asked for on each ticket, by the token its turn cancels when it ends.
    last: HashMap<String, CancellationToken>,
}

/// A write's place in line: [`Turn::ready`] waits for the writes before it; dropping the turn
/// lets the ones after it go.
#[derive(Debug)]
pub struct Turn {
    after: Vec<CancellationToken>,
    _done: Option<DropGuard>,
}

impl WriteQueue {
    /// The turn of a command writing to `tickets` (a read, with none, waits for nothing).
    /// Call in the order the commands were asked for.
    pub fn enter(&mut self, tickets: &[&str]) -> Turn {
        self.prune();
        if tickets.is_empty() {
            return Turn {
                after: Vec::new(),
                _done: None,
            };
        }
        let done = CancellationToken::new();
        let mut after: Vec<CancellationToken> = Vec::new();
        for id in tickets {
            if let Some(before) = self.last.insert((*id).to_owned(), done.clone()) {
                after.push(before);
            }
        }
        Turn {
            after,
            _done: Some(done.drop_guard()),
        }
    }

    /// Forgets tickets whose last write has ended: the map holds only tickets with writes in
    /// line, however many tickets a session writes to.
    pub fn prune(&mut self) {
        self.last.retain(|_, done| !done.is_cancelled());
    }

    /// Tickets with a write in line (after [`WriteQueue::prune`]).
    #[cfg(test)]
    pub fn tickets(&self) -> usize {
        self.last.len()
    }
}

impl Turn {
    /// Waits until every earlier write to any of this write's tickets has ended.
    pub async fn ready(&self) {
        for before in &self.after {
            before.cancelled().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the turn is ready without waiting.
    fn is_ready(turn: &Turn) -> bool {
        turn.after.iter().all(CancellationToken::is_cancelled)
    }

    #[test]
    fn a_write_waits_for_every_earlier_write_to_any_of_its_tickets() {
        let mut q = WriteQueue::default();
        let single = q.enter(&["7"]);
        let batch = q.enter(&["3", "7", "9"]);
        let after_batch = q.enter(&["9"]);
        let other = q.enter(&["12"]);
        assert!(is_ready(&single));
        assert!(
            !is_ready(&batch),
            "the batch includes 7: it waits for the PATCH of 7"
        );
        assert!(!is_ready(&after_batch), "9 waits for the batch");
        assert!(is_ready(&other), "a disjoint write goes at once");
        drop(single);
        assert!(is_ready(&batch));
        assert!(!is_ready(&after_batch));
        drop(batch);
        assert!(is_ready(&after_batch));
    }

    #[test]
    fn a_single_write_waits_for_a_batch_asked_for_before_it() {
        let mut q = WriteQueue::default();
        let batch = q.enter(&["1", "2", "3"]);
        let single = q.enter(&["2"]);
        assert!(!is_ready(&single));
        drop(batch);
        assert!(is_ready(&single));
    }

    #[test]
    fn reads_wait_for_nothing_and_take_no_place() {
        let mut q = WriteQueue::default();
        let _w = q.enter(&["1"]);
        let read = q.enter(&[]);
        assert!(is_ready(&read));
        assert_eq!(q.tickets(), 1);
    }

    #[test]
    fn finished_writes_are_forgotten() {
        let mut q = WriteQueue::default();
        for i in 0..1000 {
            let id = i.to_string();
            drop(q.enter(&[id.as_str()]));
        }
        let _batch = q.enter(&["a", "b"]);
        assert_eq!(q.tickets(), 2, "only tickets with a write in line are kept");
        q.prune();
        assert_eq!(q.tickets(), 2);
    }

    #[test]
    fn every_write_names_every_ticket_it_touches() {
        use super::super::Command;
        use std::collections::BTreeMap;
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let batch_update = Command::BatchUpdate {
            req: 1,
            ids: ids(&["9", "10", "9"]),
            properties: BTreeMap::new(),
        };
        assert_eq!(
            batch_update.written_tickets(),
            ["10", "9"],
            "sorted, each once"
        );
        let batch_archive = Command::BatchArchive {
            req: 2,
            ids: ids(&["3", "1"]),
        };
        assert_eq!(batch_archive.written_tickets(), ["1", "3"]);
        let update = Command::UpdateTicket {
            req: 3,
            id: "7".into(),
            properties: BTreeMap::new(),
        };
        assert_eq!(update.written_tickets(), ["7"]);
        let remove = Command::RemoveAssociation {
            req: 4,
            ticket_id: "8".into(),
            kind: crate::domain::ObjectKind::Contact,
            to_id: "201".into(),
        };
        assert_eq!(remove.written_tickets(), ["8"]);
        let create = Command::CreateTicket {
            req: 5,
            properties: BTreeMap::new(),
            associations: vec![(crate::domain::ObjectKind::Contact, "201".into())],
        };
        assert!(
            create.written_tickets().is_empty(),
            "a new ticket: nothing to wait for"
        );
        let read = Command::GetTicket {
            req: 6,
            id: "7".into(),
            properties: Vec::new(),
        };
        assert!(read.written_tickets().is_empty());
        let note = |ticket: &str| crate::domain::NewActivity {
            ticket_id: ticket.into(),
            details: crate::domain::ActivityDetails::Note,
            body: String::new(),
            timestamp: jiff::Timestamp::UNIX_EPOCH,
            also: vec![(crate::domain::AssociationTarget::Contact, "201".into())],
            pin: true,
        };
        let notes = Command::CreateNotes {
            req: 7,
            notes: vec![note("12"), note("3"), note("12")],
        };
        assert_eq!(notes.written_tickets(), ["12", "3"], "every ticket noted");
        let activity = Command::CreateActivity {
            req: 8,
            activity: note("5"),
        };
        assert_eq!(activity.written_tickets(), ["5"], "it may pin itself there");
        assert!(
            Command::LoadActivityOptions { req: 9 }
                .written_tickets()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn ready_returns_when_the_earlier_write_ends() {
        let mut q = WriteQueue::default();
        let first = q.enter(&["5"]);
        let second = q.enter(&["5"]);
        let waiting = tokio::spawn(async move {
            second.ready().await;
        });
        drop(first);
        waiting.await.expect("the second write's turn comes");
    }
}
