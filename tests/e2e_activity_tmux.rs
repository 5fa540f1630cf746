//! End-to-end writing on a ticket in a real terminal: `hubtix sandbox` as a child process,
//! the real `hubtix` binary in tmux against it, driven by keys. A note written partly in
//! `$EDITOR` (a fake editor script that reads a line from the terminal, so the keys must reach
//! it and not hubtix), a call and a task; each read back from the sandbox through the API
//! with its body and its ticket, contact and company associations.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use std::collections::BTreeSet;
use std::time::Duration;

use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, SimplePublicObject};
use tmux::{Sandbox, Tmux, idle, tmux_available};

/// Reads the sandbox through the client, outside the TUI.
struct Reader {
    rt: tokio::runtime::Runtime,
    client: Client,
}

impl Reader {
    fn new(url: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut config = ClientConfig::new(url, AccessToken::new("demo-token"));
        config.timeout = Duration::from_secs(5);
        let client = rt.block_on(async { Client::new(config) }).unwrap();
        Self { rt, client }
    }

    fn assoc(&self, from: &str, id: &str, to: &str) -> BTreeSet<String> {
        self.rt
            .block_on(self.client.associations(from, id, to))
            .expect("associations")
            .into_iter()
            .map(|a| a.to_object_id)
            .collect()
    }

    fn get(&self, kind: &str, id: &str, properties: &[&str]) -> SimplePublicObject {
        self.rt
            .block_on(
                self.client
                    .get_object(kind, id, &GetQuery::properties(properties)),
            )
            .expect("read back")
    }

    /// The one activity of `kind` on 1001 that is not in `before`, with its properties.
    fn new_one(&self, kind: &str, before: &BTreeSet<String>, props: &[&str]) -> Written {
        let after = self.assoc("tickets", "1001", kind);
        let new: Vec<&String> = after.difference(before).collect();
        assert_eq!(new.len(), 1, "one new {kind}: {before:?} → {after:?}");
        let id = new[0].clone();
        Written {
            record: self.get(kind, &id, props),
            links: ["tickets", "contacts", "companies"].map(|to| self.assoc(kind, &id, to)),
        }
    }
}

struct Written {
    record: SimplePublicObject,
    /// Its tickets, contacts and companies.
    links: [BTreeSet<String>; 3],
}

impl Written {
    fn prop(&self, name: &str) -> &str {
        self.record.property(name).unwrap_or_default()
    }
    fn body(&self, name: &str) -> String {
        hubtix::text::html_to_text(self.prop(name))
    }
}

/// A fake `$EDITOR`: records the file's mode beside itself, says it is ready, waits until
/// the test has typed a line (the `go` file: until then nothing reads the terminal but
/// whoever should not), reads that line and appends it to the file.
fn fake_editor(dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("fake-editor.sh");
    let (mode, go) = (dir.join("mode"), dir.join("go"));
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nstat -c %a \"$1\" > '{mode}'\nprintf 'FAKE EDITOR READY\\n'\n\
             while [ ! -e '{go}' ]; do sleep 0.02; done\n\
             IFS= read -r line\nprintf 'from the editor: %s\\n' \"$line\" >> \"$1\"\n",
            mode = mode.display(),
            go = go.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

/// Opens the form of `key` and waits until the ticket's contacts and companies are ticked.
fn open_form(t: &Tmux, key: &str, title: &str) {
    t.keys(&[key]);
    t.wait_for(title, |s| s.contains(title) && s.contains("3 of 3 ticked"));
}

#[test]
fn a_note_with_the_editor_a_call_and_a_task_written_from_the_keyboard() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(200);
    let api = Reader::new(&sandbox.url);
    let bin_dir = tempfile::tempdir().unwrap();
    let editor = fake_editor(bin_dir.path());
    let t = Tmux::start("activity", 160, 48, &[("EDITOR", editor.as_str())]);
    std::fs::write(
        t.config_dir().join("config.toml"),
        format!("me = \"{}\"\n", hubtix::sandbox::DEMO_ME),
    )
    .unwrap();
    let contacts = api.assoc("tickets", "1001", "contacts");
    let companies = api.assoc("tickets", "1001", "companies");
    let linked = [BTreeSet::from(["1001".to_owned()]), contacts, companies];
    let before = ["notes", "calls", "tasks"].map(|k| api.assoc("tickets", "1001", k));

    t.launch(&sandbox);
    // Ticket 1001 (two contacts and a company), opened by its ID.
    t.keys(&["b"]);
    t.wait_text(" Open tickets by ID ");
    t.text("1001");
    t.keys(&["Enter"]);
    t.wait_for("1001 alone in the list, its detail shown", |s| {
        s.contains("opened 1 ticket") && tmux::detail_id(s).as_deref() == Some("1001") && idle(s)
    });
    t.keys(&["Enter"]);
    t.keys(&["4"]);
    t.wait_for("the Activity tab", |s| {
        s.contains("4 Activity (") && idle(s)
    });

    // A note: a line typed here, a line written in the editor.
    open_form(&t, "n", "New note · #1001");
    t.text("Typed in hubtix");
    t.wait_text("Typed in hubtix");
    t.keys(&["C-e"]);
    t.wait_for("the editor, hubtix's screen handed over", |s| {
        s.contains("FAKE EDITOR READY") && !t.alternate_screen()
    });
    // Typed while the editor does not read yet: hubtix must not read it either.
    t.line("written in the editor");
    t.wait_text("written in the editor");
    std::fs::write(bin_dir.path().join("go"), "").unwrap();
    let s = t.wait_for("hubtix back with the edited text", |s| {
        t.alternate_screen() && s.contains("from the editor: written in the editor")
    });
    assert!(s.contains("Typed in hubtix"), "{s}");
    assert_eq!(
        std::fs::read_to_string(bin_dir.path().join("mode"))
            .unwrap()
            .trim(),
        "600",
        "the text went to a private file"
    );
    // Ctrl-c in the editor ends the editor, not hubtix: the form is back, its text as it was.
    t.keys(&["C-e"]);
    t.wait_for("the editor again", |s| {
        s.matches("FAKE EDITOR READY").count() >= 1 && !t.alternate_screen()
    });
    t.keys(&["C-c"]);
    let s = t.wait_for("hubtix back after the editor was interrupted", |s| {
        t.alternate_screen()
            && s.contains("Ctrl-e: fake-editor.sh ended with signal: 2 (SIGINT); the text is as")
    });
    assert!(
        s.contains("from the editor: written in the editor") && s.contains("New note · #1001"),
        "{s}"
    );
    t.keys(&["C-s"]);
    t.wait_for("the note added", |s| {
        s.contains("note added to #1001") && !s.contains("New note") && idle(s)
    });

    // A call: a title, outbound, "Left voicemail", 90 seconds, what was said.
    open_form(&t, "c", "Log a call · #1001");
    t.line("Phone call about the firmware");
    t.keys(&["Enter"]);
    t.wait_text("Left voicemail");
    t.text("voicemail");
    t.keys(&["Enter"]);
    t.line("90s");
    t.text("Left a message about the update.");
    t.keys(&["C-s"]);
    t.wait_for("the call logged", |s| {
        s.contains("call logged on #1001") && !s.contains("Log a call") && idle(s)
    });

    // A task: a subject, a due date and time, for me, with notes.
    open_form(&t, "t", "New task · #1001");
    t.line("Ring back");
    t.keys(&["-N", "8", "BSpace"]);
    t.text("2026-12-24 09:30");
    t.wait_text("→ 2026-12-24 09:30");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("Ask whether the update helped.");
    t.keys(&["C-s"]);
    t.wait_for("the task added", |s| {
        s.contains("task added to #1001") && !s.contains("New task") && idle(s)
    });
    t.keys(&["C-c"]);
    t.wait_for("the shell back", |s| {
        !t.alternate_screen() && s.lines().any(|l| l.starts_with('$'))
    });

    let note = api.new_one("notes", &before[0], &["hs_note_body"]);
    assert_eq!(
        note.body("hs_note_body"),
        "Typed in hubtix\nfrom the editor: written in the editor"
    );
    assert_eq!(note.links, linked);
    let call = api.new_one(
        "calls",
        &before[1],
        &[
            "hs_call_title",
            "hs_call_direction",
            "hs_call_disposition",
            "hs_call_duration",
            "hs_call_body",
        ],
    );
    assert_eq!(call.prop("hs_call_title"), "Phone call about the firmware");
    assert_eq!(call.prop("hs_call_direction"), "OUTBOUND");
    assert_eq!(call.prop("hs_call_duration"), "90000");
    assert_eq!(
        call.body("hs_call_body"),
        "Left a message about the update."
    );
    let outcomes = api
        .rt
        .block_on(api.client.property("calls", "hs_call_disposition"))
        .unwrap();
    let voicemail = outcomes
        .options
        .iter()
        .find(|o| o.label == "Left voicemail")
        .unwrap();
    assert_eq!(call.prop("hs_call_disposition"), voicemail.value);
    assert_eq!(call.links, linked);
    let task = api.new_one(
        "tasks",
        &before[2],
        &[
            "hs_task_subject",
            "hs_task_body",
            "hs_timestamp",
            "hubspot_owner_id",
        ],
    );
    assert_eq!(task.prop("hs_task_subject"), "Ring back");
    assert_eq!(task.body("hs_task_body"), "Ask whether the update helped.");
    assert_eq!(
        task.prop("hs_timestamp").parse::<jiff::Timestamp>().ok(),
        Some("2026-12-24T09:30:00Z".parse().unwrap()),
        "TZ=UTC in the terminal"
    );
    let owners = api.rt.block_on(api.client.owners()).unwrap();
    let me = owners
        .iter()
        .find(|o| o.email.as_deref() == Some(hubtix::sandbox::DEMO_ME))
        .unwrap();
    assert_eq!(task.prop("hubspot_owner_id"), me.id);
    assert_eq!(task.links, linked);
}
