//! `hubtix tickets update|archive|merge|note|pin`: the TUI's writes as commands.
//!
//! Nothing here talks to HubSpot by itself: values are checked and mapped by the macros'
//! rules (`macros::resolve_properties`: stages, pipelines and owners by label as config.toml
//! takes them), and every write is a worker [`Command`] run by the TUI's own worker with its
//! journal (`worker::spawn_journaled`), so batching (100 a request), reading back a lost
//! answer and the journal that `z`/`L` read are the TUI's. `--dry-run` prints the requests
//! the worker would send and sends none.
//!
//! Owns: reading the command's input (arguments, JSON lines), asking before a destructive
//! write, waiting for the worker's answer and printing it. Must not: build HubSpot requests
//! (the client does) or map values itself.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::cli::{
    ArchiveArgs, CreateArgs, MergeArgs, NoteArgs, OutputFormat, PinArgs, SearchArgs, UpdateArgs,
    WriteOptions,
};
use crate::config::Paths;
use crate::domain::{Catalog, Ticket};
use crate::hubspot::Client;
use crate::output::{self, RecordWriter};
use crate::protocol::{Command, Event, Merge, ReqId, Verdict};
use crate::tickets_cmd::Connection;

/// Records per batch request: HubSpot's maximum (the worker chunks by it).
const BATCH: usize = 100;

/// The worker a command's writes go through, journaled as the TUI's are.
struct Writer {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Event>,
    next: ReqId,
}

impl Writer {
    fn start(client: &Client, paths: &Paths, demo: bool) -> Self {
        let journal = crate::journal::Journal::new(
            crate::journal::file_in(&paths.data_dir, demo),
            crate::runtime::run_name(),
        );
        let (tx, events) = mpsc::channel(64);
        let commands = crate::worker::spawn_journaled(client.clone(), tx, Some(Arc::new(journal)));
        Writer {
            commands,
            events,
            next: 1,
        }
    }

    /// Sends the command made with a fresh request ID and waits for its answer. The journal's
    /// outcome is on disk before the answer arrives (see `worker::journaled::around`).
    async fn run(&mut self, make: impl FnOnce(ReqId) -> Command) -> Result<Event, String> {
        let req = self.next;
        self.next += 1;
        self.commands
            .send(make(req))
            .map_err(|_| "the worker stopped".to_owned())?;
        while let Some(event) = self.events.recv().await {
            if event.req() == Some(req) {
                return Ok(event);
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
}

impl Report {
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
                "{} of {} ticket(s) failed",
                self.failed.len(),
                self.failed.len() + records.len()
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
        let event = writer
            .run(|req| Command::BatchUpdate {
                req,
                ids,
                properties,
            })
            .await?;
        collect(&mut report, &asked, event);
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
        let pairs: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(name, value)| {
                let value = by_label_unless_id(catalog, &name, value);
                (name, value)
            })
            .collect();
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

/// Adds a batch write's answer to the report. A lost answer the worker read back counts by
/// what reading back showed.
fn collect(report: &mut Report, asked: &[String], event: Event) {
    match event {
        Event::BatchUpdated {
            updated, failed, ..
        } => {
            report.records.extend(updated.iter().map(record));
            report.failed.extend(failed);
        }
        Event::BatchArchived {
            archived, failed, ..
        } => {
            report.records.extend(
                archived
                    .iter()
                    .map(|id| json!({ "id": id, "properties": {} })),
            );
            report.failed.extend(failed);
        }
        Event::WriteVerified { verdict, lost, .. } => match verdict {
            Verdict::Answered(event) => collect(report, asked, *event),
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
    let event = writer.run(|req| Command::BatchArchive { req, ids }).await?;
    let mut report = Report::default();
    collect(&mut report, &asked, event);
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
    match writer
        .run(|req| Command::MergeTickets { req, merge })
        .await?
    {
        Event::TicketsMerged { survivor, .. } => report.records.push(record(&survivor)),
        other => collect(&mut report, &[args.id, args.into], other),
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
    match writer
        .run(|req| Command::CreateActivity { req, activity })
        .await?
    {
        Event::ActivityCreated {
            activity,
            pinned,
            pin_failed,
            ..
        } => {
            report.records.push(json!({
                "id": activity.id,
                "properties": { "ticket": args.id, "pinned": pinned.to_string() },
            }));
            if let Some(f) = pin_failed {
                report.failed.push((
                    args.id.clone(),
                    f.said("the note was written, pinning it failed: ", ""),
                ));
            }
        }
        other => collect(&mut report, std::slice::from_ref(&args.id), other),
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
    match writer
        .run(|req| Command::UpdateTicket {
            req,
            id,
            properties,
        })
        .await?
    {
        Event::TicketUpdated { ticket, .. } => report.records.push(record(&ticket)),
        other => collect(&mut report, std::slice::from_ref(&args.id), other),
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
    if args.write.dry_run {
        let associations: Vec<Value> = args
            .associate
            .iter()
            .map(|(kind, id)| json!({ "to": { "id": id }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": kind.ticket_default_type_id() }] }))
            .collect();
        print_request(
            "POST",
            "/crm/v3/objects/tickets",
            json!({ "properties": properties, "associations": associations }),
        );
        return Ok(());
    }
    let mut writer = Writer::start(&conn.client, paths, demo);
    let mut report = Report::default();
    let associations = args.associate;
    let columns: Vec<String> = properties.keys().cloned().collect();
    match writer
        .run(|req| Command::CreateTicket {
            req,
            properties,
            associations,
        })
        .await?
    {
        Event::TicketCreated { ticket, .. } => report.records.push(record(&ticket)),
        other => collect(&mut report, &["(new)".to_owned()], other),
    }
    report.finish(args.write.output, columns, Some(&catalog))
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
}
