//! The journal's vocabulary: one [`Entry`] per write hubtix makes, its [`Outcome`], and the
//! [`UndoPlan`] that puts an entry's changes back.
//!
//! An entry is generic, so a new kind of write is a few lines: the tickets it touches, each
//! property's value before and after ([`PropertyChange`]; a pin is the ticket's
//! `hs_pinned_engagement_id`), each association's labels before and after
//! ([`AssociationChange`]; none = not associated), the records it created and the ones it
//! deleted. Undo is computed from those fields alone, never from the kind.
//!
//! Owns: these plain data types (serialized as the journal's JSON lines) and the pure rules
//! built on them (what an undo would put back, whether an entry can be undone). Must not: do
//! I/O (the `journal` store and the worker do).

use serde::{Deserialize, Serialize};

/// What kind of write an entry records; for the log's words only (undo reads the fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    Edit,
    BulkEdit,
    CreateTicket,
    /// A note, call or task on one ticket.
    Activity,
    /// One note on each of several tickets (a macro on marked tickets).
    Notes,
    Associate,
    RemoveAssociation,
    Delete,
    /// Tickets merged into one (cannot be undone through the API).
    Merge,
    /// Another entry put back.
    Undo,
}

impl WriteKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Edit => "edit",
            Self::BulkEdit => "bulk edit",
            Self::CreateTicket => "new ticket",
            Self::Activity => "activity",
            Self::Notes => "notes",
            Self::Associate => "association added",
            Self::RemoveAssociation => "association removed",
            Self::Delete => "delete",
            Self::Merge => "merge",
            Self::Undo => "undo",
        }
    }
}

/// One property of one ticket, before and after the write (`None`: no value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyChange {
    pub ticket: String,
    pub property: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The labels (category, type ID) between a ticket and a record, before and after the write;
/// empty: not associated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociationChange {
    pub ticket: String,
    /// HubSpot's object type name of the record (`contacts`, `companies` ...).
    pub kind: String,
    pub to_id: String,
    pub before: Vec<(String, u32)>,
    pub after: Vec<(String, u32)>,
}

/// A record the write created (or, in `deleted`, archived).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    /// HubSpot's object type name (`tickets`, `notes`, `calls` ...).
    pub kind: String,
    pub id: String,
    /// The ticket it belongs to, for an activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// One write, as journaled before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique across runs: `<run>-<request>`.
    pub id: String,
    /// When it was sent (ISO 8601).
    pub at: String,
    /// The run (one start of hubtix) that made it.
    pub run: String,
    pub kind: WriteKind,
    pub tickets: Vec<String>,
    #[serde(default)]
    pub properties: Vec<PropertyChange>,
    #[serde(default)]
    pub associations: Vec<AssociationChange>,
    /// Known once the outcome is (see [`Outcome`]); records a pending entry will create.
    #[serde(default)]
    pub created: Vec<ObjectRef>,
    #[serde(default)]
    pub deleted: Vec<ObjectRef>,
    /// The entry this one undoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
}

/// What became of a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    /// It took effect (on some tickets only when `failed` names the others).
    Applied {
        #[serde(default)]
        failed: Vec<(String, String)>,
        /// HubSpot's `X-HubSpot-Correlation-Id` of each of the write's requests answered
        /// with success, in order (a batch of more than 100, a note then its pin, an undo:
        /// several).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        correlation_ids: Vec<String>,
    },
    /// HubSpot refused it: nothing changed.
    Failed {
        why: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correlation_id: Option<String>,
    },
    /// Read back: it did not take effect.
    NotApplied,
    /// Nobody knows: the answer was lost (a crash, a timeout) and reading back could not tell.
    Unknown { why: String },
}

impl Outcome {
    /// The log's words for it.
    pub fn text(&self) -> String {
        match self {
            Self::Applied { failed, .. } if failed.is_empty() => "done".to_owned(),
            Self::Applied { failed, .. } => format!("done, {} failed", failed.len()),
            Self::Failed { why, .. } => format!("failed: {why}"),
            Self::NotApplied => "not applied".to_owned(),
            Self::Unknown { why } => format!("unknown: {why}"),
        }
    }

    /// Whether some of it took effect, so that undoing it means something.
    pub fn took_effect(&self) -> bool {
        matches!(self, Self::Applied { .. } | Self::Unknown { .. })
    }
}

/// An entry with what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub entry: Entry,
    /// `None`: journaled, never answered (a crash), and not resolved yet.
    pub outcome: Option<Outcome>,
    /// The outcome was found by reading back at a later start.
    pub resolved: bool,
}

impl Entry {
    /// Why the entry cannot be undone through the API, when it cannot.
    pub fn cannot_undo(&self) -> Option<&'static str> {
        match self.kind {
            WriteKind::Merge => Some(MERGE_HINT),
            _ if self.deleted.iter().any(|o| o.kind == "tickets") => Some(DELETE_HINT),
            _ => None,
        }
    }

    /// One line for the log: kind, tickets, what changed (properties by internal name).
    pub fn summary(&self) -> String {
        self.summary_with(str::to_owned)
    }

    /// [`Entry::summary`], each property named by `label`.
    pub fn summary_with(&self, label: impl Fn(&str) -> String) -> String {
        let tickets = match self.tickets.as_slice() {
            [] => String::new(),
            [one] => format!(" #{one}"),
            many => format!(" {} tickets", many.len()),
        };
        let mut parts: Vec<String> = Vec::new();
        let mut props: Vec<String> = Vec::new();
        for p in &self.properties {
            let name = label(&p.property);
            if !props.contains(&name) {
                props.push(name);
            }
        }
        if !props.is_empty() {
            parts.push(props.join(", "));
        }
        if !self.associations.is_empty() {
            parts.push(format!("{} association(s)", self.associations.len()));
        }
        if !self.created.is_empty() {
            parts.push(format!("{} created", self.created.len()));
        }
        if !self.deleted.is_empty() {
            parts.push(format!("{} deleted", self.deleted.len()));
        }
        let what = if parts.is_empty() {
            String::new()
        } else {
            format!(": {}", parts.join("; "))
        };
        format!("{}{tickets}{what}", self.kind.label())
    }
}

/// What a merge's confirmation says before it is made.
pub const MERGE_HINT: &str = "a merge cannot be undone";

/// What a delete's confirmation says before it is made.
pub const DELETE_HINT: &str =
    "cannot be undone: restore it from HubSpot's recycle bin within 90 days";

/// What undoing an entry would do, read fresh: the worker fills `current` before the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UndoPlan {
    /// The entries put back (one user action), oldest first.
    pub entry_ids: Vec<String>,
    pub restores: Vec<Restore>,
    /// Associations set back to their labels before (`after` here: what undo sets).
    pub associations: Vec<AssociationChange>,
    /// Records the write created, to archive (notes, calls, tasks, a new ticket).
    pub archive: Vec<ObjectRef>,
}

/// One property to put back on one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restore {
    pub ticket: String,
    pub property: String,
    /// What hubtix wrote.
    pub wrote: Option<String>,
    /// What the ticket holds now (read fresh).
    pub current: Option<String>,
    /// What undo puts back.
    pub back_to: Option<String>,
    /// Whether to put it back: true where the value is still what hubtix wrote; where
    /// someone changed it since ([`Restore::conflict`]), the user chooses.
    pub put_back: bool,
}

impl Restore {
    /// Someone changed it since hubtix wrote it (to something else than it was before).
    pub fn conflict(&self) -> bool {
        norm(&self.current) != norm(&self.wrote) && norm(&self.current) != norm(&self.back_to)
    }
}

/// An empty value and no value are the same to HubSpot.
pub fn norm(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

impl UndoPlan {
    /// The plan that undoes `entries` (one user action: a macro's update, notes and pins),
    /// oldest first, given each (ticket, property)'s current value (`None`: no value). A
    /// property written twice goes back to its value before the first write. Conflicts start
    /// as "keep theirs".
    pub fn new(entries: &[Entry], current: impl Fn(&str, &str) -> Option<String>) -> Self {
        let mut restores: Vec<Restore> = Vec::new();
        for p in entries.iter().flat_map(|e| &e.properties) {
            match restores
                .iter_mut()
                .find(|r| r.ticket == p.ticket && r.property == p.property)
            {
                Some(r) => r.wrote = p.after.clone(),
                None => restores.push(Restore {
                    ticket: p.ticket.clone(),
                    property: p.property.clone(),
                    wrote: p.after.clone(),
                    current: current(&p.ticket, &p.property),
                    back_to: p.before.clone(),
                    put_back: false,
                }),
            }
        }
        for r in &mut restores {
            r.put_back = norm(&r.current) == norm(&r.wrote) && norm(&r.wrote) != norm(&r.back_to);
        }
        let mut associations: Vec<AssociationChange> = Vec::new();
        for a in entries.iter().rev().flat_map(|e| &e.associations) {
            associations.push(AssociationChange {
                before: a.after.clone(),
                after: a.before.clone(),
                ..a.clone()
            });
        }
        UndoPlan {
            entry_ids: entries.iter().map(|e| e.id.clone()).collect(),
            restores,
            associations,
            archive: entries.iter().flat_map(|e| e.created.clone()).collect(),
        }
    }

    /// Every ticket the undo writes to, sorted, each once.
    pub fn tickets(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .restores
            .iter()
            .filter(|r| r.put_back)
            .map(|r| r.ticket.as_str())
            .chain(self.associations.iter().map(|a| a.ticket.as_str()))
            .chain(self.archive.iter().filter_map(|o| o.ticket.as_deref()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The tickets where someone changed a value since.
    pub fn conflicts(&self) -> impl Iterator<Item = &Restore> {
        self.restores.iter().filter(|r| r.conflict())
    }

    /// Whether there is anything to do.
    pub fn is_empty(&self) -> bool {
        !self.restores.iter().any(|r| r.put_back)
            && self.associations.is_empty()
            && self.archive.is_empty()
    }

    /// Chooses for every conflict on `ticket`: put back mine (true) or keep theirs.
    pub fn choose(&mut self, ticket: &str, put_back: bool) {
        for r in self
            .restores
            .iter_mut()
            .filter(|r| r.ticket == ticket && r.conflict())
        {
            r.put_back = put_back;
        }
    }
}
