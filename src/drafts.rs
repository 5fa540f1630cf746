//! Unsaved edits on disk, so that a crash, a kill or `Ctrl-c` loses nothing: one small JSON
//! file per (ticket, property) — or per (ticket, kind of activity) for a note, call or task
//! being written — in `<data dir>/drafts`, written atomically as the draft changes and removed
//! once it is saved or discarded. Files written before drafts had a kind read as property
//! drafts. Drafts hold customer text: files are created
//! 0600 and folders 0700 (see `config::write_atomically`). Only the runtime calls this (it is
//! I/O).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// An edit in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub ticket_id: String,
    /// The property edited; for an activity draft its key, [`activity_key`] (`activity:note`).
    pub property: String,
    /// The value typed or chosen so far (as the editor holds it); an activity's body.
    pub value: String,
    /// `hs_lastmodifieddate` when the edit began: the conflict check compares against it.
    pub opened_modified: String,
    /// Subject and property label (or the activity's name), to name the draft when offering
    /// it back.
    pub subject: String,
    pub label: String,
    /// What the draft is of; absent in files written before drafts had a kind.
    #[serde(default)]
    pub kind: DraftKind,
}

/// What a draft is of.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum DraftKind {
    /// One property of the ticket (`value` is the property's new value).
    #[default]
    Property,
    /// A note, call or task being written on the ticket: `activity` is `note`, `call` or
    /// `task`, `fields` each field's text by the form's field name.
    Activity {
        activity: String,
        fields: BTreeMap<String, String>,
    },
}

/// The `property` an activity draft is kept under: one draft per ticket and kind. Its file
/// name cannot meet a property draft's (see [`Draft::file_name`]); that no HubSpot property
/// name holds a `:` (so the key itself is never a property's) is UNCONFIRMED — the names seen
/// are lowercase letters, digits and underscores.
pub fn activity_key(activity: &str) -> String {
    format!("{ACTIVITY_PREFIX}{activity}")
}

const ACTIVITY_PREFIX: &str = "activity:";

impl Draft {
    /// A file name that is safe whatever the IDs hold; an activity draft's has a `.` where a
    /// property draft's has `--`, and a cleaned name never holds a `.`, so the two never meet.
    pub fn file_name(ticket_id: &str, property: &str) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        match property.strip_prefix(ACTIVITY_PREFIX) {
            Some(activity) => format!("{}.activity-{}.json", clean(ticket_id), clean(activity)),
            None => format!("{}--{}.json", clean(ticket_id), clean(property)),
        }
    }
}

/// The drafts folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftStore {
    dir: PathBuf,
}

impl DraftStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the draft (to a temporary file, then renamed over the old one).
    pub fn save(&self, draft: &Draft) -> io::Result<()> {
        let path = self
            .dir
            .join(Draft::file_name(&draft.ticket_id, &draft.property));
        crate::config::write_atomically(&path, &serde_json::to_vec_pretty(draft)?)
    }

    /// Removes a draft; a missing one is fine.
    pub fn delete(&self, ticket_id: &str, property: &str) -> io::Result<()> {
        match std::fs::remove_file(self.dir.join(Draft::file_name(ticket_id, property))) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Every readable draft; unreadable files are reported in the log and left alone.
    pub fn load_all(&self) -> Vec<Draft> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut drafts: Vec<Draft> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| {
                let text = std::fs::read(e.path()).ok()?;
                match serde_json::from_slice(&text) {
                    Ok(d) => Some(d),
                    Err(err) => {
                        tracing::warn!("unreadable draft {}: {err}", e.path().display());
                        None
                    }
                }
            })
            .collect();
        drafts.sort_by(|a, b| (&a.ticket_id, &a.property).cmp(&(&b.ticket_id, &b.property)));
        drafts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(value: &str) -> Draft {
        Draft {
            ticket_id: "1001".into(),
            property: "subject".into(),
            value: value.into(),
            opened_modified: "2026-05-15T01:41:00Z".into(),
            subject: "プリンター".into(),
            label: "Ticket name".into(),
            kind: DraftKind::Property,
        }
    }

    fn note_draft(body: &str) -> Draft {
        Draft {
            ticket_id: "1001".into(),
            property: activity_key("note"),
            value: body.into(),
            opened_modified: String::new(),
            subject: "プリンター".into(),
            label: "Note".into(),
            kind: DraftKind::Activity {
                activity: "note".into(),
                fields: BTreeMap::from([("body".to_owned(), body.to_owned())]),
            },
        }
    }

    /// Draft files written before drafts had a kind are still offered back, as the property
    /// drafts they are; an activity draft sits beside a property's draft of the same ticket
    /// and is deleted on its own.
    #[test]
    fn old_files_read_as_property_drafts_and_activity_drafts_keep_their_fields() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = DraftStore::new(dir.path());
        let old = r#"{
  "ticket_id": "1001",
  "property": "subject",
  "value": "first",
  "opened_modified": "2026-05-15T01:41:00Z",
  "subject": "プリンター",
  "label": "Ticket name"
}"#;
        std::fs::write(dir.path().join("1001--subject.json"), old).expect("write");
        store.save(&note_draft("line one\nline two")).expect("save");
        // A property literally called `activity_note` keeps its own file.
        let mut odd = draft("odd");
        odd.property = "activity_note".into();
        store.save(&odd).expect("save");
        let all = store.load_all();
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all.contains(&draft("first")));
        assert!(all.contains(&note_draft("line one\nline two")));
        store.delete("1001", &activity_key("note")).expect("delete");
        let left = store.load_all();
        assert_eq!(left.len(), 2);
        assert!(left.iter().all(|d| d.kind == DraftKind::Property));
    }

    #[test]
    fn drafts_round_trip_overwrite_and_delete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = DraftStore::new(dir.path().join("drafts"));
        assert!(store.load_all().is_empty(), "no folder yet: no drafts");
        store.save(&draft("first")).expect("save");
        store.save(&draft("second")).expect("save");
        assert_eq!(store.load_all(), vec![draft("second")]);
        store.delete("1001", "subject").expect("delete");
        store
            .delete("1001", "subject")
            .expect("deleting twice is fine");
        assert!(store.load_all().is_empty());
    }

    /// Drafts hold customer text: the folders are created 0700 and the files 0600, at
    /// creation (the umask would otherwise leave them readable by everyone).
    #[cfg(unix)]
    #[test]
    fn drafts_are_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let store = DraftStore::new(data.join("drafts"));
        store.save(&draft("secret customer text")).expect("save");
        assert_eq!(
            mode(&data),
            0o700,
            "a missing parent is created private too"
        );
        assert_eq!(mode(store.dir()), 0o700);
        let file = store.dir().join(Draft::file_name("1001", "subject"));
        assert_eq!(mode(&file), 0o600);
        store.save(&draft("changed")).expect("save again");
        assert_eq!(mode(&file), 0o600, "rewriting keeps it private");
        let names: Vec<_> = std::fs::read_dir(store.dir())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }

    #[test]
    fn hostile_ids_stay_inside_the_folder() {
        assert_eq!(Draft::file_name("../../etc", "a/b"), "______etc--a_b.json");
    }

    #[test]
    fn broken_files_are_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = DraftStore::new(dir.path());
        std::fs::write(dir.path().join("x.json"), "{not json").expect("write");
        store.save(&draft("kept")).expect("save");
        assert_eq!(store.load_all(), vec![draft("kept")]);
    }
}
