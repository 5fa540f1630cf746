//! Unsaved edits on disk, so that a crash, a kill or `Ctrl-c` loses nothing: one small JSON
//! file per (ticket, property) in `<data dir>/drafts`, written atomically as the draft changes
//! and removed once it is saved or discarded. Drafts hold customer text: files are created
//! 0600 and folders 0700 (see `config::write_atomically`). Only the runtime calls this (it is
//! I/O).

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// An edit in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub ticket_id: String,
    pub property: String,
    /// The value typed or chosen so far (as the editor holds it).
    pub value: String,
    /// `hs_lastmodifieddate` when the edit began: the conflict check compares against it.
    pub opened_modified: String,
    /// Subject and property label, to name the draft when offering it back.
    pub subject: String,
    pub label: String,
}

impl Draft {
    /// A file name that is safe whatever the IDs hold.
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
        format!("{}--{}.json", clean(ticket_id), clean(property))
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
        }
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
