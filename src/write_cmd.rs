//! `hubtix tickets update|archive|merge|note|pin|create|associate|unassociate`: the TUI's
//! writes as commands.
//!
//! Nothing here talks to HubSpot by itself: values are checked and mapped by the macros'
//! rules (`macros::resolve_properties`: stages, pipelines and owners by label as config.toml
//! takes them), and every write is a worker [`Command`] run by the TUI's own worker with its
//! journal (`worker::spawn_journaled`), so batching (100 a request), reading back a lost
//! answer and the journal that `z`/`L` read are the TUI's. `--dry-run` prints the requests
//! the worker would send and sends none. An owner may be written by name, as the TUI's
//! picker shows it; association labels are read from HubSpot's v4 labels API, as the TUI's
//! association pane reads them. Each record written carries, in JSON, the correlation IDs
//! of the requests that wrote it, as the journal does.
//!
//! Owns: reading the command's input (arguments, JSON lines), asking before a destructive
//! write, waiting for the worker's answer and printing it; the command line's names for what
//! the macros' rules take by ID (an owner's name, an association label). Must not: build
//! HubSpot requests (the client does) or map values the macros' rules map.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::cli::{
    ArchiveArgs, AssociateArgs, CreateArgs, MergeArgs, NoteArgs, OutputFormat, PinArgs, RecordRef,
    SearchArgs, UpdateArgs, WriteOptions,
};
use crate::config::Paths;
use crate::domain::{AssociationType, Catalog, ObjectKind, Ticket};
use crate::hubspot::Client;
use crate::output::{self, RecordWriter};
use crate::protocol::journal::{Logged, Outcome};
use crate::protocol::{Command, Event, FailureKind, Merge, ReqId, Verdict};
use crate::tickets_cmd::Connection;

/// Records per batch request: HubSpot's maximum (the worker chunks by it).
const BATCH: usize = 100;

/// The worker a command's writes go through, journaled as the TUI's are.
struct Writer {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Event>,
    next: ReqId,
    /// The journal's name for this run (its entries' IDs are `<run>-<request>`).
    run: String,
}

impl Writer {
    fn start(client: &Client, paths: &Paths, demo: bool) -> Self {
        let run = crate::runtime::run_name();
        let journal =
            crate::journal::Journal::new(crate::journal::file_in(&paths.data_dir, demo), &run);
        let (tx, events) = mpsc::channel(64);
        let commands = crate::worker::spawn_journaled(client.clone(), tx, Some(Arc::new(journal)));
        Writer {
            commands,
            events,
            next: 1,
            run,
        }
    }

    /// Sends the command made with a fresh request ID and waits for its answer. The journal's
    /// outcome is on disk before the answer arrives (see `worker::journaled::around`).
    async fn run(&mut self, make: impl FnOnce(ReqId) -> Command) -> Result<Event, String> {
        self.send(make).await.map(|(event, _)| event)
    }

    /// [`Writer::run`] for a write: the answer, and the correlation IDs of its requests that
    /// HubSpot answered with success, as its journal entry has them.
    async fn write(
        &mut self,
        make: impl FnOnce(ReqId) -> Command,
    ) -> Result<(Event, Vec<String>), String> {
        let (event, logged) = self.send(make).await?;
        let ids = match logged.and_then(|l| l.outcome) {
            Some(Outcome::Applied {
                correlation_ids, ..
            }) => correlation_ids,
            _ => Vec::new(),
        };
        Ok((event, ids))
    }

    /// Sends the command and waits for its answer, then for a write its journal entry (the
    /// worker sends it right after the answer; a write the worker refused is not journaled).
    async fn send(
        &mut self,
        make: impl FnOnce(ReqId) -> Command,
    ) -> Result<(Event, Option<Logged>), String> {
        let req = self.next;
        self.next += 1;
        let cmd = make(req);
        let journaled = cmd.is_write();
        self.commands
            .send(cmd)
            .map_err(|_| "the worker stopped".to_owned())?;
        let mut answer = None;
        while let Some(event) = self.events.recv().await {
            match event {
                Event::Journaled(logged) if logged.entry.id == format!("{}-{req}", self.run) => {
                    return answer
                        .map(|a| (a, Some(*logged)))
                        .ok_or_else(|| "the journal came before the answer".to_owned());
                }
                event if event.req() == Some(req) => {
                    let refused = matches!(&event, Event::Failed { failure, .. } if failure.kind == FailureKind::Refused);
                    if !journaled || refused {
                        return Ok((event, None));
                    }
                    answer = Some(event);
                }
                _ => {}
            }
        }
        Err("the worker stopped before answering".to_owned())
    }
}

/// What a write came to, for printing: records written, and (ticket, why) that failed.
#[derive(Default)]
struct Report {
    records: Vec<Value>,
    failed: Vec<(String, String)>,
    /// What a record is, for the count of failures ("association(s)"); tickets by default.
    noun: Option<&'static str>,
}

impl Report {
    /// Adds a written record with the correlation IDs of the requests that wrote it.
    fn add(&mut self, mut record: Value, correlation_ids: &[String]) {
        if let Some(o) = record.as_object_mut() {
            o.insert("correlation_ids".to_owned(), json!(correlation_ids));
        }
        self.records.push(record);
    }

    /// Prints the records in `format` and each failure on stderr; an error when any failed.
    fn finish(
        self,
        format: OutputFormat,
        columns: Vec<String>,
        catalog: Option<&Catalog>,
    ) -> Result<(), String> {
        let mut records = self.records;
        if format == OutputFormat::Table
            && let Some(catalog) = catalog
        {
            for r in &mut records {
                crate::tickets_cmd::label_record(catalog, r);
            }
        }
        let stdout = std::io::stdout();
        let mut writer = RecordWriter::new(stdout.lock(), format, columns);
        let written = writer
            .begin()
            .and_then(|()| writer.page(&records))
            .and_then(|()| writer.finish().map(|_| ()));
        if let Err(e) = written
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            return Err(format!("cannot write the output: {e}"));
        }
        for (id, why) in &self.failed {
            output::error_line(&format!("ticket {id}: {why}"));
        }
        if self.failed.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} of {} {} failed",
                self.failed.len(),
                self.failed.len() + records.len(),
                self.noun.unwrap_or("ticket(s)")
            ))
        }
    }
}

fn record(ticket: &Ticket) -> Value {
    json!({ "id": ticket.id, "properties": ticket.properties })
}

/// Prints one request a dry run would send, as a JSON line.
fn print_request(method: &str, path: &str, body: Value) {
    output::line(&json!({ "method": method, "path": path, "body": body }).to_string());
}

/// Tickets to update: (IDs, `property=value` as written), from the arguments or stdin.
type Updates = Vec<(Vec<String>, Vec<(String, String)>)>;

/// Batch updates to send: (IDs, the properties mapped as HubSpot takes them).
type Batches = Vec<(Vec<String>, BTreeMap<String, String>)>;

/// `hubtix tickets update`.
pub async fn update(
    conn: &Connection,
    args: UpdateArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let updates: Updates = if args.stdin {
        read_jsonl(std::io::stdin().lock())?
    } else {
        vec![(args.ids, args.set)]
    };
    let catalog = crate::tickets_cmd::load_labels(&conn.client).await?;
    let batches = resolve(&catalog, conn.config.me.as_deref(), updates)?;
    let columns: Vec<String> = {
        let mut names: Vec<String> = batches
            .iter()
            .flat_map(|(_, p)| p.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    };
    if args.write.dry_run {
        for (ids, properties) in &batches {
            for chunk in ids.chunks(BATCH) {
                let inputs: Vec<Value> = chunk
                    .iter()
                    .map(|id| json!({ "id": id, "properties": properties }))
                    .collect();
                print_request(
                    "POST",
                    "/crm/v3/objects/tickets/batch/update",
                    json!({ "inputs": inputs }),
                );
            }
        }
        return Ok(());
    }
    let mut writer = Writer::start(&conn.client, paths, demo);
    let mut report = Report::default();
    for (ids, properties) in batches {
        let asked = ids.clone();
        let (event, receipts) = writer
            .write(|req| Command::BatchUpdate {
                req,
                ids,
                properties,
            })
            .await?;
        collect(&mut report, &asked, event, &receipts);
    }
    report.finish(args.write.output, columns, Some(&catalog))
}

/// Each update's values checked and mapped; updates that set the same values share a batch.
fn resolve(catalog: &Catalog, me: Option<&str>, updates: Updates) -> Result<Batches, String> {
    let keymap = crate::keymap::Keymap::default();
    let check = crate::macros::Check {
        catalog,
        me,
        keymap: &keymap,
        source_name: "--set",
    };
    let mut batches: Batches = Vec::new();
    let mut problems = Vec::new();
    for (ids, pairs) in updates {
        let mut mapped: Vec<(String, String)> = Vec::new();
        for (name, value) in pairs {
            let value = if name == OWNER {
                match owner_by_name_unless_id(catalog, value) {
                    Ok(v) => v,
                    Err(why) => {
                        problems.push(format!("ticket {}: {OWNER}: {why}", ids.join(", ")));
                        continue;
                    }
                }
            } else {
                by_label_unless_id(catalog, &name, value)
            };
            mapped.push((name, value));
        }
        let pairs = mapped;
        match crate::macros::resolve_properties(&pairs, &check) {
            Ok(properties) => match batches.iter_mut().find(|(_, p)| *p == properties) {
                Some((batch, _)) => batch.extend(ids),
                None => batches.push((ids, properties)),
            },
            Err(found) => {
                let at = ids.join(", ");
                problems.extend(
                    found
                        .into_iter()
                        .map(|p| format!("ticket {at}: {}", p.strip_prefix("set.").unwrap_or(&p))),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(batches)
    } else {
        Err(problems.join("; "))
    }
}

/// The owner property.
const OWNER: &str = "hubspot_owner_id";

/// An owner written by name (`--set hubspot_owner_id="Jane Doe"`), as the TUI's owner picker
/// shows owners (archived ones left out), becomes the owner's ID; `@me`, an owner's ID or
/// email, and an empty value (clears it) stay as written for the macros' rules. Two owners
/// of that name are an error naming both, with their emails and IDs; no owner of that name
/// is an error saying what may be written.
fn owner_by_name_unless_id(catalog: &Catalog, value: String) -> Result<String, String> {
    let wanted = value.trim();
    let known = |o: &crate::domain::Owner| {
        o.id == wanted || (!o.email.is_empty() && o.email.eq_ignore_ascii_case(wanted))
    };
    if wanted.is_empty() || wanted.starts_with('@') || catalog.owners.iter().any(known) {
        return Ok(value);
    }
    let words = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let named: Vec<&crate::domain::Owner> = catalog
        .owners
        .iter()
        .filter(|o| !o.archived && words(&o.display_name()) == words(wanted))
        .collect();
    match named.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(format!(
            "\"{wanted}\" is no owner of this portal (write an owner's name as hubtix shows it, \
             email, owner ID or @me)"
        )),
        many => Err(format!(
            "\"{wanted}\" names {} owners: {}; write the email or ID of the one meant",
            many.len(),
            many.iter()
                .map(|o| {
                    let email = if o.email.is_empty() {
                        "no email"
                    } else {
                        o.email.as_str()
                    };
                    format!("{} <{email}> (ID {})", o.display_name(), o.id)
                })
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// A stage or pipeline written as a label (`--set hs_pipeline_stage=Closed`) is looked up by
/// label, as the TUI's pickers show them; an ID of this portal stays an ID.
fn by_label_unless_id(catalog: &Catalog, name: &str, value: String) -> String {
    let is_id = match name {
        "hs_pipeline" => catalog.pipeline(value.trim()).is_some(),
        "hs_pipeline_stage" => catalog
            .pipelines
            .iter()
            .any(|p| p.stages.iter().any(|s| s.id == value.trim())),
        _ => return value,
    };
    let labelled = value
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("label:"));
    if is_id || labelled || value.trim().is_empty() {
        value
    } else {
        format!("label:{value}")
    }
}

/// JSON lines `{"id": "…", "properties": {…}}`; values may be strings, numbers, booleans or
/// null (cleared). Blank lines are skipped; a bad line is an error naming it.
fn read_jsonl(input: impl BufRead) -> Result<Updates, String> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("reading stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |why: &str| format!("stdin line {}: {why}", n + 1);
        let v: Value = serde_json::from_str(&line).map_err(|e| bad(&e.to_string()))?;
        let id = match v.get("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(bad("\"id\" must be a ticket ID")),
        };
        let Some(props) = v.get("properties").and_then(Value::as_object) else {
            return Err(bad("\"properties\" must be an object"));
        };
        let mut pairs = Vec::new();
        for (name, value) in props {
            let value = match value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Number(_) | Value::Bool(_) => value.to_string(),
                _ => {
                    return Err(bad(&format!(
                        "{name}: a value must be text, a number or true/false"
                    )));
                }
            };
            pairs.push((name.clone(), value));
        }
        out.push((vec![id], pairs));
    }
    if out.is_empty() {
        return Err(
            "no update on stdin (expected JSON lines {\"id\": …, \"properties\": {…}})".into(),
        );
    }
    Ok(out)
}

/// Adds a batch write's answer to the report, the records with `receipts` (the correlation
/// IDs of the write's requests). A lost answer the worker read back counts by what reading
/// back showed.
fn collect(report: &mut Report, asked: &[String], event: Event, receipts: &[String]) {
    match event {
        Event::BatchUpdated {
            updated, failed, ..
        } => {
            for t in &updated {
                report.add(record(t), receipts);
            }
            report.failed.extend(failed);
        }
        Event::BatchArchived {
            archived, failed, ..
        } => {
            for id in &archived {
                report.add(json!({ "id": id, "properties": {} }), receipts);
            }
            report.failed.extend(failed);
        }
        Event::WriteVerified { verdict, lost, .. } => match verdict {
            Verdict::Answered(event) => collect(report, asked, *event, receipts),
            Verdict::NotApplied => report.failed.extend(asked.iter().map(|id| {
                (
                    id.clone(),
                    format!("not applied (the answer was lost: {lost})"),
                )
            })),
            Verdict::StillUnknown(why) => report.failed.extend(asked.iter().map(|id| {
                (
                    id.clone(),
                    format!("outcome unknown (answer lost: {lost}; reading back: {why})"),
                )
            })),
        },
        Event::Failed { failure, .. } => report
            .failed
            .extend(asked.iter().map(|id| (id.clone(), failure.said("", "")))),
        other => report.failed.extend(
            asked
                .iter()
                .map(|id| (id.clone(), format!("unexpected answer {other:?}"))),
        ),
    }
}

/// A destructive write goes ahead with `--yes`, or when the person at the terminal says so;
/// without a terminal it needs `--yes`.
fn confirmed(yes: bool, question: &str) -> Result<(), String> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(format!(
            "{question}: this cannot be undone here; pass --yes to go ahead without a terminal"
        ));
    }
    output::prompt(&format!("{question} [y/N] "));
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("reading the answer: {e}"))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err("nothing done".to_owned())
    }
}

/// `hubtix tickets archive`.
pub async fn archive(
    conn: &Connection,
    args: ArchiveArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let ids = args.ids;
    if args.write.dry_run {
        for chunk in ids.chunks(BATCH) {
            let inputs: Vec<Value> = chunk.iter().map(|id| json!({ "id": id })).collect();
            print_request(
                "POST",
                "/crm/v3/objects/tickets/batch/archive",
                json!({ "inputs": inputs }),
            );
        }
        return Ok(());
    }
    confirmed(
        args.yes,
        &format!(
            "archive {} ticket(s) ({}) to HubSpot's recycle bin",
            ids.len(),
            shown_ids(&ids)
        ),
    )?;
    let mut writer = Writer::start(&conn.client, paths, demo);
    let asked = ids.clone();
    let (event, receipts) = writer
        .write(|req| Command::BatchArchive { req, ids })
        .await?;
    let mut report = Report::default();
    collect(&mut report, &asked, event, &receipts);
    report.finish(args.write.output, Vec::new(), None)
}

/// The first IDs of a list, for a question.
fn shown_ids(ids: &[String]) -> String {
    let mut s = ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 5 {
        s.push_str(&format!(" and {} more", ids.len() - 5));
    }
    s
}

/// `hubtix tickets merge ID --into ID`.
pub async fn merge(
    conn: &Connection,
    args: MergeArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let WriteOptions { dry_run, output } = args.write;
    if args.id == args.into {
        return Err("a ticket cannot be merged into itself".to_owned());
    }
    if dry_run {
        print_request(
            "POST",
            "/crm/v3/objects/tickets/merge",
            json!({ "primaryObjectId": args.into, "objectIdToMerge": args.id }),
        );
        return Ok(());
    }
    confirmed(
        args.yes,
        &format!("merge ticket {} into ticket {}", args.id, args.into),
    )?;
    let mut writer = Writer::start(&conn.client, paths, demo);
    let merge = Merge {
        primary: args.into.clone(),
        merged: args.id.clone(),
    };
    let mut report = Report::default();
    let (event, receipts) = writer
        .write(|req| Command::MergeTickets { req, merge })
        .await?;
    match event {
        Event::TicketsMerged { survivor, .. } => report.add(record(&survivor), &receipts),
        other => collect(&mut report, &[args.id, args.into], other, &receipts),
    }
    let columns = vec!["subject".to_owned()];
    report.finish(output, columns, None)
}

/// `hubtix tickets note ID --text T | --file F`: the TUI's note form's write.
pub async fn note(
    conn: &Connection,
    args: NoteArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let body = match (&args.text, &args.file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
                .map_err(|e| format!("reading stdin: {e}"))?;
            text
        }
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        (None, None) => return Err("a note needs --text or --file".to_owned()),
    };
    if body.trim().is_empty() {
        return Err("the note is empty".to_owned());
    }
    let activity = crate::domain::NewActivity {
        ticket_id: args.id.clone(),
        details: crate::domain::ActivityDetails::Note,
        body,
        timestamp: jiff::Timestamp::now(),
        also: Vec::new(),
        pin: args.pin,
    };
    if args.write.dry_run {
        let input = serde_json::to_value(crate::mapping::new_activity(&activity))
            .map_err(|e| e.to_string())?;
        print_request("POST", "/crm/v3/objects/notes", input);
        if args.pin {
            print_request(
                "PATCH",
                &format!("/crm/v3/objects/tickets/{}", args.id),
                json!({ "properties": { crate::hubspot::PINNED_ENGAGEMENT_PROPERTY: "<the new note's ID>" } }),
            );
        }
        return Ok(());
    }
    let mut writer = Writer::start(&conn.client, paths, demo);
    let mut report = Report::default();
    let (event, receipts) = writer
        .write(|req| Command::CreateActivity { req, activity })
        .await?;
    match event {
        Event::ActivityCreated {
            activity,
            pinned,
            pin_failed,
            ..
        } => {
            report.add(
                json!({
                    "id": activity.id,
                    "properties": { "ticket": args.id, "pinned": pinned.to_string() },
                }),
                &receipts,
            );
            if let Some(f) = pin_failed {
                report.failed.push((
                    args.id.clone(),
                    f.said("the note was written, pinning it failed: ", ""),
                ));
            }
        }
        other => collect(
            &mut report,
            std::slice::from_ref(&args.id),
            other,
            &receipts,
        ),
    }
    let columns = vec!["ticket".to_owned(), "pinned".to_owned()];
    report.finish(args.write.output, columns, None)
}

/// `hubtix tickets pin ID ENGAGEMENT_ID`: the TUI's `p`, the ticket's pinned activity set.
pub async fn pin(
    conn: &Connection,
    args: PinArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let properties = BTreeMap::from([(
        crate::hubspot::PINNED_ENGAGEMENT_PROPERTY.to_owned(),
        args.engagement_id.clone(),
    )]);
    if args.write.dry_run {
        print_request(
            "PATCH",
            &format!("/crm/v3/objects/tickets/{}", args.id),
            json!({ "properties": properties }),
        );
        return Ok(());
    }
    let mut writer = Writer::start(&conn.client, paths, demo);
    let mut report = Report::default();
    let id = args.id.clone();
    let (event, receipts) = writer
        .write(|req| Command::UpdateTicket {
            req,
            id,
            properties,
        })
        .await?;
    match event {
        Event::TicketUpdated { ticket, .. } => report.add(record(&ticket), &receipts),
        other => collect(
            &mut report,
            std::slice::from_ref(&args.id),
            other,
            &receipts,
        ),
    }
    let columns = vec![crate::hubspot::PINNED_ENGAGEMENT_PROPERTY.to_owned()];
    report.finish(args.write.output, columns, None)
}

/// `hubtix tickets create`: the TUI's new-ticket write (`CreateTicket`), values mapped as
/// `--set` maps them.
pub async fn create(
    conn: &Connection,
    args: CreateArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let catalog = crate::tickets_cmd::load_labels(&conn.client).await?;
    let pipeline = match &args.pipeline {
        Some(p) => find_pipeline(&catalog, p)?,
        None => catalog
            .pipelines
            .first()
            .ok_or("the portal has no ticket pipeline")?,
    };
    let stage = match &args.stage {
        Some(s) => by_label_unless_id(&catalog, "hs_pipeline_stage", s.clone()),
        None => pipeline
            .stages
            .first()
            .map(|s| s.id.clone())
            .ok_or_else(|| format!("pipeline {} has no stage", pipeline.label))?,
    };
    let mut pairs = vec![
        ("subject".to_owned(), args.subject.clone()),
        ("hs_pipeline".to_owned(), pipeline.id.clone()),
    ];
    pairs.push(("hs_pipeline_stage".to_owned(), stage));
    pairs.extend(args.set);
    let mut batches = resolve(
        &catalog,
        conn.config.me.as_deref(),
        vec![(Vec::new(), pairs)],
    )?;
    let (_, properties) = batches.pop().ok_or("nothing to create")?;
    // Labels are checked before anything is written; the create associates each record
    // by default, a label is added to it next, as the TUI's association pane adds one.
    let labels = labels_for(&conn.client, &args.associate).await?;
    let mut labelled = Vec::new();
    for r in &args.associate {
        let t = association_type(
            r.kind,
            labels.get(&r.kind).map_or(&[], Vec::as_slice),
            r.label.as_deref(),
        )?;
        if t != default_type(r.kind) {
            labelled.push((r.clone(), t));
        }
    }
    let associations: Vec<(ObjectKind, String)> = args
        .associate
        .iter()
        .map(|r| (r.kind, r.id.clone()))
        .collect();
    if args.write.dry_run {
        let inputs: Vec<Value> = associations
            .iter()
            .map(|(kind, id)| json!({ "to": { "id": id }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": kind.ticket_default_type_id() }] }))
            .collect();
        print_request(
            "POST",
            "/crm/v3/objects/tickets",
            json!({ "properties": properties, "associations": inputs }),
        );
        for (r, t) in &labelled {
            print_put(
                r,
                "<the new ticket's ID>",
                t,
                &[as_pair(&default_type(r.kind))],
            );
        }
        return Ok(());
    }
    let mut writer = Writer::start(&conn.client, paths, demo);
    let mut report = Report::default();
    let columns: Vec<String> = properties.keys().cloned().collect();
    let (event, receipts) = writer
        .write(|req| Command::CreateTicket {
            req,
            properties,
            associations,
        })
        .await?;
    match event {
        Event::TicketCreated { ticket, .. } => {
            let mut receipts = receipts;
            for (r, t) in labelled {
                let keep = vec![as_pair(&default_type(r.kind))];
                let (event, more) = writer
                    .write(|req| associate_command(req, &ticket.id, &r, &t, keep))
                    .await?;
                match association_result(event) {
                    Ok(()) => receipts.extend(more),
                    Err(why) => report.failed.push((
                        ticket.id.clone(),
                        format!(
                            "created, but labelling {} {} {}: {why}",
                            r.kind.api_name(),
                            r.id,
                            type_name(&t)
                        ),
                    )),
                }
            }
            report.add(record(&ticket), &receipts);
        }
        other => collect(&mut report, &["(new)".to_owned()], other, &receipts),
    }
    report.finish(args.write.output, columns, Some(&catalog))
}

/// The default association type from tickets to `kind`: HubSpot's unlabeled one.
fn default_type(kind: ObjectKind) -> AssociationType {
    AssociationType {
        category: "HUBSPOT_DEFINED".to_owned(),
        type_id: kind.ticket_default_type_id(),
        label: None,
    }
}

/// A type as the journal and the worker's commands hold it: (category, type ID).
fn as_pair(t: &AssociationType) -> (String, u32) {
    (t.category.clone(), t.type_id)
}

/// A type as the TUI's association pane names it.
fn type_name(t: &AssociationType) -> String {
    let name = t
        .label
        .clone()
        .unwrap_or_else(|| "(unlabeled, the default)".to_owned());
    format!("{name} [{} {}]", t.category, t.type_id)
}

/// The association type a record argument asks for among the `labels` HubSpot defines from
/// tickets to `kind`: by its label's text (any case) or its numeric type ID; without one, the
/// default. A label the portal does not have, or one that names two types, is an error
/// naming those there are.
fn association_type(
    kind: ObjectKind,
    labels: &[AssociationType],
    wanted: Option<&str>,
) -> Result<AssociationType, String> {
    let Some(wanted) = wanted.map(str::trim) else {
        return Ok(labels
            .iter()
            .find(|t| as_pair(t) == as_pair(&default_type(kind)))
            .cloned()
            .unwrap_or_else(|| default_type(kind)));
    };
    let found: Vec<&AssociationType> = match wanted.parse::<u32>() {
        Ok(id) => labels.iter().filter(|t| t.type_id == id).collect(),
        Err(_) => labels
            .iter()
            .filter(|t| {
                t.label
                    .as_deref()
                    .is_some_and(|l| l.trim().eq_ignore_ascii_case(wanted))
            })
            .collect(),
    };
    let all = || labels.iter().map(type_name).collect::<Vec<_>>().join(", ");
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "no association label \"{wanted}\" from tickets to {}; there are: {}",
            kind.api_name(),
            all()
        )),
        many => Err(format!(
            "the association label \"{wanted}\" from tickets to {} is {} types: {}; give its type ID",
            kind.api_name(),
            many.len(),
            many.iter()
                .map(|t| type_name(t))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The association labels from tickets to each kind of `records` that asks for a label
/// (v4 labels API, as the TUI's association pane reads them), read once per kind.
async fn labels_for(
    client: &Client,
    records: &[RecordRef],
) -> Result<HashMap<ObjectKind, Vec<AssociationType>>, String> {
    let mut out = HashMap::new();
    for r in records.iter().filter(|r| r.label.is_some()) {
        if out.contains_key(&r.kind) {
            continue;
        }
        let labels = client
            .association_labels("tickets", r.kind.api_name())
            .await
            .map_err(|e| {
                format!(
                    "reading the association labels to {}: {}",
                    r.kind.api_name(),
                    e.summary()
                )
            })?;
        let labels = labels
            .into_iter()
            .map(|t| AssociationType {
                category: crate::mapping::category_name(t.category),
                type_id: t.type_id,
                label: t.label,
            })
            .collect();
        out.insert(r.kind, labels);
    }
    Ok(out)
}

/// The types between `ticket` and each of `records` now (empty: not associated), read once
/// per kind.
async fn pairs_now(
    client: &Client,
    ticket: &str,
    records: &[RecordRef],
) -> Result<HashMap<(ObjectKind, String), Vec<(String, u32)>>, String> {
    let mut out = HashMap::new();
    let mut read: Vec<ObjectKind> = Vec::new();
    for r in records {
        if read.contains(&r.kind) {
            continue;
        }
        read.push(r.kind);
        let links = client
            .associations("tickets", ticket, r.kind.api_name())
            .await
            .map_err(|e| format!("ticket {ticket}: {}", e.summary()))?;
        for l in links {
            let types = l
                .association_types
                .into_iter()
                .map(|t| (crate::mapping::category_name(t.category), t.type_id))
                .collect();
            out.insert((r.kind, l.to_object_id), types);
        }
    }
    Ok(out)
}

/// The TUI's add-association command: `t` added, the pair's `keep` sent along.
fn associate_command(
    req: ReqId,
    ticket: &str,
    r: &RecordRef,
    t: &AssociationType,
    keep: Vec<(String, u32)>,
) -> Command {
    Command::Associate {
        req,
        ticket_id: ticket.to_owned(),
        kind: r.kind,
        to_id: r.id.clone(),
        category: t.category.clone(),
        type_id: t.type_id,
        keep,
    }
}

/// Prints the labelled PUT a dry run would send: the type added, then those kept.
fn print_put(r: &RecordRef, ticket: &str, t: &AssociationType, keep: &[(String, u32)]) {
    let mut types =
        vec![json!({ "associationCategory": t.category, "associationTypeId": t.type_id })];
    for (c, id) in keep.iter().filter(|k| **k != as_pair(t)) {
        types.push(json!({ "associationCategory": c, "associationTypeId": id }));
    }
    print_request(
        "PUT",
        &format!(
            "/crm/v4/objects/tickets/{ticket}/associations/{}/{}",
            r.kind.api_name(),
            r.id
        ),
        Value::Array(types),
    );
}

/// What an association write's answer says: done, or why not (a lost answer as reading
/// back found it).
fn association_result(event: Event) -> Result<(), String> {
    match event {
        Event::AssociationChanged { .. } => Ok(()),
        Event::WriteVerified { verdict, lost, .. } => match verdict {
            Verdict::Answered(event) => association_result(*event),
            Verdict::NotApplied => Err(format!("not applied (the answer was lost: {lost})")),
            Verdict::StillUnknown(why) => Err(format!(
                "outcome unknown (answer lost: {lost}; reading back: {why})"
            )),
        },
        Event::Failed { failure, .. } => Err(failure.said("", "")),
        other => Err(format!("unexpected answer {other:?}")),
    }
}

/// One association as printed: the ticket, the record and the label.
/// `t`: the type added or removed (`None`: every type of the pair).
fn association_record(ticket: &str, r: &RecordRef, t: Option<&AssociationType>) -> Value {
    let label = t.map_or("(every label)".to_owned(), |t| {
        t.label
            .clone()
            .unwrap_or_else(|| "(unlabeled, the default)".to_owned())
    });
    let type_id = t.map_or(String::new(), |t| format!("{} {}", t.category, t.type_id));
    json!({
        "id": ticket,
        "properties": {
            "type": r.kind.api_name(),
            "record": r.id,
            "label": label,
            "association_type": type_id,
        },
    })
}

fn association_columns() -> Vec<String> {
    ["type", "record", "label", "association_type"]
        .map(str::to_owned)
        .to_vec()
}

/// `hubtix tickets associate ID TYPE:ID[:label]...`: the TUI's association pane's add
/// (`Command::Associate`) for each record, the labels the pair has kept.
pub async fn associate(
    conn: &Connection,
    args: AssociateArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let labels = labels_for(&conn.client, &args.records).await?;
    let mut wanted = Vec::new();
    for r in &args.records {
        let t = association_type(
            r.kind,
            labels.get(&r.kind).map_or(&[], Vec::as_slice),
            r.label.as_deref(),
        )?;
        wanted.push((r.clone(), t));
    }
    let now = pairs_now(&conn.client, &args.id, &args.records).await?;
    let keep_of = |r: &RecordRef| {
        now.get(&(r.kind, r.id.clone()))
            .cloned()
            .unwrap_or_default()
    };
    if args.write.dry_run {
        for (r, t) in &wanted {
            print_put(r, &args.id, t, &keep_of(r));
        }
        return Ok(());
    }
    let mut writer = Writer::start(&conn.client, paths, demo);
    let mut report = Report {
        noun: Some("association(s)"),
        ..Report::default()
    };
    for (r, t) in wanted {
        let keep = keep_of(&r);
        let (event, receipts) = writer
            .write(|req| associate_command(req, &args.id, &r, &t, keep))
            .await?;
        match association_result(event) {
            Ok(()) => report.add(association_record(&args.id, &r, Some(&t)), &receipts),
            Err(why) => report.failed.push((
                args.id.clone(),
                format!("{} {}: {why}", r.kind.api_name(), r.id),
            )),
        }
    }
    report.finish(args.write.output, association_columns(), None)
}

/// A removal asked for: the record, and the type to remove (`None`: the whole association).
type Removal = (RecordRef, Option<AssociationType>);

/// `hubtix tickets unassociate ID TYPE:ID[:label]...`: without a label the association goes
/// (the TUI's `x`, v4 DELETE of the pair: every type); with one, only that label (v4
/// `batch/labels/archive`). A pair that is not associated, or lacks the label, is listed
/// as failed with nothing sent for it.
pub async fn unassociate(
    conn: &Connection,
    args: AssociateArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let mut report = Report {
        noun: Some("association(s)"),
        ..Report::default()
    };
    let removals = removals(&conn.client, &args, &mut report).await?;
    if args.write.dry_run {
        for r in &removals {
            print_removal(&args.id, r);
        }
        for (id, why) in &report.failed {
            output::error_line(&format!("ticket {id}: {why}"));
        }
        return match report.failed.len() {
            0 => Ok(()),
            n => Err(format!(
                "{n} of {} association(s) would fail",
                args.records.len()
            )),
        };
    }
    let mut writer = Writer::start(&conn.client, paths, demo);
    for (r, t) in removals {
        let ticket_id = args.id.clone();
        let to_id = r.id.clone();
        let removed = t.clone();
        let (event, receipts) = writer
            .write(|req| match t {
                None => Command::RemoveAssociation {
                    req,
                    ticket_id,
                    kind: r.kind,
                    to_id,
                },
                Some(t) => Command::RemoveAssociationLabel {
                    req,
                    ticket_id,
                    kind: r.kind,
                    to_id,
                    category: t.category,
                    type_id: t.type_id,
                },
            })
            .await?;
        match association_result(event) {
            Ok(()) => report.add(
                association_record(&args.id, &r, removed.as_ref()),
                &receipts,
            ),
            Err(why) => report.failed.push((
                args.id.clone(),
                format!("{} {}: {why}", r.kind.api_name(), r.id),
            )),
        }
    }
    report.finish(args.write.output, association_columns(), None)
}

/// The removals `args` ask for, checked against the labels HubSpot defines and the pairs'
/// types now; one that would remove nothing goes to `report` as failed.
async fn removals(
    client: &Client,
    args: &AssociateArgs,
    report: &mut Report,
) -> Result<Vec<Removal>, String> {
    let labels = labels_for(client, &args.records).await?;
    let now = pairs_now(client, &args.id, &args.records).await?;
    let mut out = Vec::new();
    for r in &args.records {
        let has = now
            .get(&(r.kind, r.id.clone()))
            .cloned()
            .unwrap_or_default();
        let t = match &r.label {
            None => None,
            Some(l) => Some(association_type(
                r.kind,
                labels.get(&r.kind).map_or(&[], Vec::as_slice),
                Some(l),
            )?),
        };
        let missing = match &t {
            None if has.is_empty() => Some("not associated; nothing sent".to_owned()),
            Some(t) if !has.contains(&as_pair(t)) => Some(format!(
                "the association has no label {}; nothing sent",
                type_name(t)
            )),
            _ => None,
        };
        match missing {
            Some(why) => report.failed.push((
                args.id.clone(),
                format!("{} {}: {why}", r.kind.api_name(), r.id),
            )),
            None => out.push((r.clone(), t)),
        }
    }
    Ok(out)
}

/// Prints the request a dry run of one removal would send.
fn print_removal(ticket: &str, (r, t): &Removal) {
    match t {
        None => print_request(
            "DELETE",
            &format!(
                "/crm/v4/objects/tickets/{ticket}/associations/{}/{}",
                r.kind.api_name(),
                r.id
            ),
            Value::Null,
        ),
        Some(t) => print_request(
            "POST",
            &format!(
                "/crm/v4/associations/tickets/{}/batch/labels/archive",
                r.kind.api_name()
            ),
            json!({ "inputs": [{ "from": { "id": ticket }, "to": { "id": r.id }, "types": [{ "associationCategory": t.category, "associationTypeId": t.type_id }] }] }),
        ),
    }
}

/// A pipeline by ID or label (`label:` optional).
fn find_pipeline<'c>(
    catalog: &'c Catalog,
    value: &str,
) -> Result<&'c crate::domain::Pipeline, String> {
    let label = value.strip_prefix("label:").unwrap_or(value).trim();
    catalog
        .pipelines
        .iter()
        .find(|p| p.id == value.trim() || p.label.trim().eq_ignore_ascii_case(label))
        .ok_or_else(|| format!("\"{value}\" is no pipeline of this portal"))
}

/// A filter's stage, pipeline or owner by label (or email, `@me`) mapped to its ID by the same
/// rules as `--set`; other properties' values go to the view compiler as written.
fn by_label_in_filter(
    catalog: &Catalog,
    me: Option<&str>,
    condition: &mut crate::views::Condition,
) -> Result<(), String> {
    let name = condition.property.clone();
    if !matches!(
        name.as_str(),
        "hs_pipeline" | "hs_pipeline_stage" | "hubspot_owner_id"
    ) {
        return Ok(());
    }
    let keymap = crate::keymap::Keymap::default();
    let check = crate::macros::Check {
        catalog,
        me,
        keymap: &keymap,
        source_name: "--filter",
    };
    let map = |value: &str| -> Result<String, String> {
        if value.is_empty() || value.starts_with('@') && name != "hubspot_owner_id" {
            return Ok(value.to_owned());
        }
        if name == "hs_pipeline" {
            return find_pipeline(catalog, value)
                .map(|p| p.id.clone())
                .map_err(|e| format!("--filter hs_pipeline: {e}"));
        }
        let value = &if name == OWNER {
            owner_by_name_unless_id(catalog, value.to_owned())
                .map_err(|e| format!("--filter {OWNER}: {e}"))?
        } else {
            value.to_owned()
        };
        let pairs = vec![(
            name.clone(),
            by_label_unless_id(catalog, &name, value.to_owned()),
        )];
        crate::macros::resolve_properties(&pairs, &check)
            .map_err(|p| p.join("; ").replace("set.", "--filter "))
            .and_then(|m| {
                m.get(&name)
                    .cloned()
                    .ok_or_else(|| format!("--filter {name}: no value"))
            })
    };
    if !condition.value.is_empty() {
        condition.value = map(&condition.value)?;
    }
    for v in &mut condition.values {
        *v = map(v)?;
    }
    Ok(())
}

/// `hubtix tickets search`: a view compiled as the TUI compiles it (`views::compile`), its
/// pages read by the worker.
pub async fn search(
    conn: &Connection,
    args: SearchArgs,
    paths: &Paths,
    demo: bool,
) -> Result<(), String> {
    let mut view = match &args.view {
        Some(name) => conn
            .config
            .views
            .iter()
            .flatten()
            .find(|v| v.name.trim().eq_ignore_ascii_case(name.trim()))
            .cloned()
            .ok_or_else(|| format!("no view named \"{name}\" in config.toml"))?,
        None => crate::views::View::default(),
    };
    if let Some(q) = args.query {
        view.query = q;
    }
    if args.sort.is_some() {
        view.sort = args.sort;
    }
    let catalog = crate::tickets_cmd::load_labels(&conn.client).await?;
    for mut condition in args.filters {
        by_label_in_filter(&catalog, conn.config.me.as_deref(), &mut condition)?;
        view.conditions.push(condition);
    }
    let me = conn.config.me.as_deref().and_then(|m| {
        catalog
            .owners
            .iter()
            .find(|o| o.id == m.trim() || o.email.eq_ignore_ascii_case(m.trim()))
            .map(|o| o.id.clone())
    });
    let compiled = crate::views::compile(
        &view,
        crate::views::Context {
            catalog: &catalog,
            me: me.as_deref(),
            now: jiff::Timestamp::now(),
        },
    )
    .map_err(|e| e.to_string())?;
    let source = crate::protocol::SearchSource {
        filter_groups: compiled.filter_groups,
        sort: compiled.sort,
        query: compiled.query,
        option_order: None,
    };
    let columns: Vec<String> = crate::tickets_cmd::DEFAULT_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    let wanted = args.limit.unwrap_or(100);
    let mut writer = Writer::start(&conn.client, paths, demo);
    let mut report = Report::default();
    let mut after: Option<String> = None;
    while report.records.len() < wanted {
        let (src, page_after, properties) = (source.clone(), after.take(), columns.clone());
        match writer
            .run(|req| Command::ListTickets {
                req,
                source: crate::protocol::ListSource::Search(src),
                after: page_after,
                properties,
            })
            .await?
        {
            Event::TicketsListed {
                tickets,
                next_after,
                ..
            } => {
                let take = (wanted - report.records.len()).min(tickets.len());
                report.records.extend(tickets[..take].iter().map(record));
                match next_after {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            Event::Failed { failure, .. } => return Err(failure.said("", "")),
            other => return Err(format!("unexpected answer {other:?}")),
        }
    }
    report.finish(args.output, columns, Some(&catalog))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_lines_are_read_with_their_values_and_bad_lines_named() {
        let input = "{\"id\": \"1001\", \"properties\": {\"subject\": \"A\", \"n\": 3, \"b\": true, \"x\": null}}\n\n{\"id\": 1002, \"properties\": {}}\n";
        let got = read_jsonl(input.as_bytes()).expect("valid");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, ["1001"]);
        assert!(got[0].1.contains(&("n".to_owned(), "3".to_owned())));
        assert!(got[0].1.contains(&("b".to_owned(), "true".to_owned())));
        assert!(got[0].1.contains(&("x".to_owned(), String::new())));
        assert_eq!(got[1].0, ["1002"]);
        let err = read_jsonl("{\"id\": \"1\", \"properties\": {}}\nnot json\n".as_bytes())
            .expect_err("refused");
        assert!(err.starts_with("stdin line 2:"), "{err}");
        assert!(read_jsonl("".as_bytes()).is_err());
        assert!(read_jsonl("{\"properties\": {}}".as_bytes()).is_err());
    }

    fn owner(
        id: &str,
        first: &str,
        last: &str,
        email: &str,
        archived: bool,
    ) -> crate::domain::Owner {
        crate::domain::Owner {
            id: id.to_owned(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: email.to_owned(),
            user_id: None,
            archived,
        }
    }

    fn owners() -> Catalog {
        let mut c = Catalog::default();
        c.set_owners(vec![
            owner("11", "Jane", "Doe", "jane@a.example", false),
            owner("12", "Jane", "Doe", "jane.doe@b.example", false),
            owner("13", "太郎", "山田", "taro@a.example", false),
            owner("14", "Frank", "Rossi", "frank@a.example", true),
            owner("15", "Alice", "Johnson", "alice@a.example", false),
        ]);
        c
    }

    #[test]
    fn an_owner_by_name_becomes_its_id_and_two_of_that_name_are_both_named() {
        let c = owners();
        let by = |v: &str| owner_by_name_unless_id(&c, v.to_owned());
        assert_eq!(by("Alice Johnson").expect("valid"), "15");
        assert_eq!(
            by("  alice   JOHNSON ").expect("valid"),
            "15",
            "any case and spacing"
        );
        assert_eq!(
            by("太郎 山田").expect("valid"),
            "13",
            "as the picker shows it"
        );
        for kept in ["@me", "15", "ALICE@a.example", ""] {
            assert_eq!(by(kept).expect("valid"), kept, "left to the macros' rules");
        }
        let err = by("Jane Doe").expect_err("refused");
        assert!(err.contains("names 2 owners"), "{err}");
        assert!(err.contains("Jane Doe <jane@a.example> (ID 11)"), "{err}");
        assert!(
            err.contains("Jane Doe <jane.doe@b.example> (ID 12)"),
            "{err}"
        );
        let err = by("Frank Rossi").expect_err("refused");
        assert!(
            err.contains("is no owner"),
            "archived owners are not offered: {err}"
        );
        assert!(
            by("Nobody")
                .expect_err("refused")
                .contains("name as hubtix shows it")
        );
    }

    #[test]
    fn an_ambiguous_owner_stops_the_update_before_any_write() {
        let err = resolve(
            &owners(),
            None,
            vec![(vec!["1".into()], vec![(OWNER.into(), "Jane Doe".into())])],
        )
        .expect_err("refused");
        assert!(err.starts_with("ticket 1: hubspot_owner_id:"), "{err}");
        assert!(err.contains("ID 11") && err.contains("ID 12"), "{err}");
    }

    fn labels() -> Vec<AssociationType> {
        let t = |id: u32, label: Option<&str>| AssociationType {
            category: "HUBSPOT_DEFINED".to_owned(),
            type_id: id,
            label: label.map(str::to_owned),
        };
        vec![t(339, None), t(26, Some("Primary"))]
    }

    #[test]
    fn association_labels_by_text_or_type_id_and_an_unknown_one_names_those_there_are() {
        let l = labels();
        let of = |w: Option<&str>| association_type(ObjectKind::Company, &l, w);
        assert_eq!(
            of(None).expect("valid").type_id,
            339,
            "no label: the default"
        );
        assert_eq!(of(Some("primary")).expect("valid").type_id, 26);
        assert_eq!(of(Some("26")).expect("valid").type_id, 26);
        assert_eq!(of(Some("339")).expect("valid").label, None);
        let err = of(Some("Billing")).expect_err("refused");
        assert!(
            err.contains("no association label \"Billing\" from tickets to companies"),
            "{err}"
        );
        assert!(
            err.contains("(unlabeled, the default) [HUBSPOT_DEFINED 339]")
                && err.contains("Primary [HUBSPOT_DEFINED 26]"),
            "{err}"
        );
        let mut twice = l.clone();
        twice.push(AssociationType {
            category: "USER_DEFINED".to_owned(),
            type_id: 5,
            label: Some("Primary".to_owned()),
        });
        let err =
            association_type(ObjectKind::Company, &twice, Some("Primary")).expect_err("refused");
        assert!(
            err.contains("is 2 types") && err.contains("USER_DEFINED 5"),
            "{err}"
        );
        // Contacts have no labels read when none is asked: the default all the same.
        assert_eq!(
            association_type(ObjectKind::Contact, &[], None)
                .expect("valid")
                .type_id,
            16
        );
    }
}
