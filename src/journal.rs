//! The journal of writes: one JSON line per event of a write, appended to
//! `<data dir>/journal.jsonl` (`journal-demo.jsonl` for `--demo`), private to the user (0600,
//! its folder 0700): it holds customer text.
//!
//! Write-ahead: the worker appends a write's entry as `pending` and syncs it to disk BEFORE
//! the request is sent, then appends its `outcome` once known. A crash between the two leaves
//! a pending entry without outcome; at the next start [`Journal::unresolved`] lists them, the
//! worker reads the tickets back and appends a `resolved` line (applied, not applied, or
//! still unknown). Lines are only ever appended; a line cut short by a crash is skipped.
//!
//! Owns: the file and its lines ([`Line`]), folding them into [`Logged`] entries. Must not:
//! send requests (the worker does) or know the UI.

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

pub use crate::protocol::journal::{Entry, Logged, Outcome};

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "line")]
pub enum Line {
    /// Written before the request.
    Pending { entry: Entry },
    /// The write's answer: its outcome and the records it created.
    Outcome {
        id: String,
        outcome: Outcome,
        #[serde(default)]
        created: Vec<crate::protocol::journal::ObjectRef>,
        /// When not empty: the entry's property changes as they turned out (a pin names the
        /// activity it pinned only once that exists).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        properties: Vec<crate::protocol::journal::PropertyChange>,
    },
    /// A later start read back a write that had no outcome.
    Resolved { id: String, outcome: Outcome },
}

/// The journal file, shared by the worker's tasks (appends are serialized).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    run: String,
    file: Mutex<Option<std::fs::File>>,
}

/// The journal's file in `data_dir`.
pub fn file_in(data_dir: &Path, demo: bool) -> PathBuf {
    data_dir.join(if demo {
        "journal-demo.jsonl"
    } else {
        "journal.jsonl"
    })
}

impl Journal {
    /// The journal at `path`, for the run `run` (opened on the first append).
    pub fn new(path: PathBuf, run: impl Into<String>) -> Self {
        Journal {
            path,
            run: run.into(),
            file: Mutex::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This run's name (entries' `run`).
    pub fn run(&self) -> &str {
        &self.run
    }

    /// Appends one line and syncs it to disk before returning.
    pub fn append(&self, line: &Line) -> io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(io::Error::other)?;
        text.push('\n');
        let mut guard = self
            .file
            .lock()
            .map_err(|_| io::Error::other("journal lock poisoned"))?;
        if guard.is_none() {
            if let Some(dir) = self.path.parent() {
                crate::config::create_private_dir(dir)?;
            }
            let mut file = crate::config::private_file_options()
                .create(true)
                .append(true)
                .read(true)
                .open(&self.path)?;
            if !ends_with_newline(&mut file)? {
                // A line cut short by a crash: the next one starts on its own line.
                file.write_all(b"\n")?;
            }
            *guard = Some(file);
        }
        let file = guard
            .as_mut()
            .ok_or_else(|| io::Error::other("journal not open"))?;
        file.write_all(text.as_bytes())?;
        file.sync_data()
    }

    /// Every line on disk, in order; a missing file has none, an unreadable line is skipped
    /// (a crash may cut the last one short).
    pub fn lines(&self) -> io::Result<Vec<Line>> {
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for line in io::BufReader::new(file).lines() {
            let line = line?;
            match serde_json::from_str::<Line>(&line) {
                Ok(l) => out.push(l),
                Err(e) => tracing::warn!("journal: a line skipped: {e}"),
            }
        }
        Ok(out)
    }

    /// Every entry with its outcome, oldest first.
    pub fn load(&self) -> io::Result<Vec<Logged>> {
        Ok(fold(self.lines()?))
    }

    /// Entries of earlier runs that never got an outcome (the run crashed or was killed).
    pub fn unresolved(&self) -> io::Result<Vec<Entry>> {
        Ok(self
            .load()?
            .into_iter()
            .filter(|l| l.outcome.is_none() && l.entry.run != self.run)
            .map(|l| l.entry)
            .collect())
    }
}

/// Whether the file is empty or its last byte ends a line.
fn ends_with_newline(file: &mut std::fs::File) -> io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Folds lines into entries with their outcomes, oldest first.
pub fn fold(lines: Vec<Line>) -> Vec<Logged> {
    let mut out: Vec<Logged> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for line in lines {
        match line {
            Line::Pending { entry } => {
                at.insert(entry.id.clone(), out.len());
                out.push(Logged {
                    entry,
                    outcome: None,
                    resolved: false,
                });
            }
            Line::Outcome {
                id,
                outcome,
                created,
                properties,
            } => {
                if let Some(l) = at.get(&id).and_then(|&i| out.get_mut(i)) {
                    l.entry.created.extend(created);
                    if !properties.is_empty() {
                        l.entry.properties = properties;
                    }
                    l.outcome = Some(outcome);
                }
            }
            Line::Resolved { id, outcome } => {
                if let Some(l) = at.get(&id).and_then(|&i| out.get_mut(i)) {
                    l.outcome = Some(outcome);
                    l.resolved = true;
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "journal/tests.rs"]
mod tests;
