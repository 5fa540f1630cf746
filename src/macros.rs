//! Macros: one key, several changes (`[[macros]]` in config.toml).
//!
//! Owns: a macro as written ([`MacroDef`], parsed by serde with the rest of config.toml, so a
//! mistake in its shape is reported by line and column like any other), its check against the
//! portal at start ([`from_config`]: every problem is one line naming the macro and the
//! field), the defaults shipped when the user defines none ([`defaults`]), and the expansion of
//! a note's placeholders ([`expand`]). Pure: the catalogue, `me` and the keymap come in;
//! nothing is read or sent here.
//!
//! Must not: do I/O, know the app's state, or decide when a macro runs (`app::macro_flow`).
//!
//! Decisions:
//! - **Values.** Any editable property by its internal name; an enumeration by its option's
//!   value, or by its label as `label:<Label>`; the pipeline and the stage by ID or by
//!   `label:<Label>` (labels compare without regard to case); the owner by `@me`, an owner ID
//!   or an owner's email (`@me` with no `me` set is left as [`ME`] in [`Macro::asks_me`]: the
//!   app asks who "me" is the first time the macro is run; the command line refuses it);
//!   numbers as numbers, dates as `2026-11-01`, date-times as ISO 8601,
//!   yes/no as `true`/`false`. An empty string clears the property (not the name, pipeline or
//!   stage, which a ticket must have).
//! - **Stages.** A stage by label is looked up in the macro's own `hs_pipeline` when it sets
//!   one, else in every pipeline: a label that more than one pipeline has is refused as
//!   ambiguous (the line says which pipelines, and to add `hs_pipeline`). A stage belongs to
//!   one pipeline, so a macro that sets a stage but no pipeline leaves tickets of other
//!   pipelines alone (the flow reports them), rather than moving them silently; a macro that
//!   sets `hs_pipeline` moves tickets and must set a stage of that pipeline too.
//! - **Keys.** A macro's key acts in the list and the detail (every tab). The keymap comes
//!   first: a key that the keymap binds there (after the user's `[keys.*]`) is refused at
//!   start, naming what it already does, so a macro key never silently does nothing. Two
//!   macros may not share a key.
//! - **Notes.** `{subject}`, `{id}` and `{contact}` are replaced per ticket; `{{` and `}}`
//!   write braces. `{contact}` is the name of the ticket's contact labelled Primary, else of
//!   its first contact; a ticket without one (or whose contacts could not be read) reads
//!   "there", so "Hi {contact}," becomes "Hi there,". `pin = true` pins the note.
//! - **Defaults** (only when config.toml has no `[[macros]]`; `macros = []` means none):
//!   "Assign to me" (owner `@me`; without `me`, asked the first time it is run; left out when
//!   `me` is no owner), "Close as
//!   resolved" (the default pipeline's closed stage, found by its `isClosed`/`ticketState`
//!   metadata, else a stage labelled Closed) and "Waiting on contact" (the default pipeline's
//!   stage of that label). The default pipeline is the first in display order (HubSpot lists
//!   it first; UNCONFIRMED that this holds in every portal). A default the portal cannot take
//!   is left out silently: the user cannot fix it. Defaults have no key: `m` picks them.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::domain::{Catalog, Pipeline, PropertyDef, PropertyType, Stage};
use crate::keymap::{Context, Key, Keymap};

/// HubSpot's limit on a note's body (`hs_note_body`), in characters.
pub const NOTE_MAX_CHARS: usize = 65_536;

/// What a note's `{contact}` reads when the ticket has no contact.
pub const NO_CONTACT: &str = "there";

/// The placeholders a note may use.
pub const PLACEHOLDERS: [&str; 3] = ["subject", "id", "contact"];

/// Where a macro key acts: the list and every tab of the detail.
pub const KEY_CONTEXTS: [Context; 5] = [
    Context::List,
    Context::Detail,
    Context::History,
    Context::Associations,
    Context::Activity,
];

/// One `[[macros]]` table as written in config.toml.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacroDef {
    pub name: String,
    /// The key that applies it from the list and the detail (`"E"`, `"Ctrl-e"`).
    #[serde(default)]
    pub key: Option<String>,
    /// Property → value, in the order written.
    #[serde(default)]
    pub set: SetList,
    /// A note to add, with `{subject}`, `{id}` and `{contact}` placeholders.
    #[serde(default)]
    pub note: Option<String>,
    /// Pin the note on the ticket.
    #[serde(default)]
    pub pin: bool,
    /// The line of its `[[macros]]` header in config.toml (set by `Config::parse`).
    #[serde(skip)]
    pub line: Option<usize>,
}

/// `set = { property = value, ... }`, in the order written (the status line says the changes
/// in that order). Values may be strings, numbers or `true`/`false`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SetList(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for SetList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = SetList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of property = value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<SetList, A::Error> {
                // TOML hands a table over sorted by name: the spans give the written order.
                let mut out = Vec::new();
                while let Some((name, value)) =
                    map.next_entry::<toml::Spanned<String>, SetValue>()?
                {
                    out.push((name.span().start, name.into_inner(), value.0));
                }
                out.sort_by_key(|(at, _, _)| *at);
                Ok(SetList(out.into_iter().map(|(_, n, v)| (n, v)).collect()))
            }
        }
        d.deserialize_map(Entries)
    }
}

/// One value of `set`: a string, a number or a yes/no, as HubSpot's string.
struct SetValue(String);

impl<'de> Deserialize<'de> for SetValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Value;
        impl serde::de::Visitor<'_> for Value {
            type Value = SetValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, a number or true/false")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SetValue, E> {
                Ok(SetValue(v.to_owned()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<SetValue, E> {
                Ok(SetValue(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SetValue, E> {
                Ok(SetValue(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<SetValue, E> {
                Ok(SetValue(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<SetValue, E> {
                Ok(SetValue(v.to_string()))
            }
        }
        d.deserialize_any(Value)
    }
}

/// Fills in each macro's `line` (its `[[macros]]` header) from the config file's text.
pub fn number_lines(text: &str, macros: &mut [MacroDef]) {
    let headers = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim_start();
            l.starts_with("[[macros]]") || l.starts_with("[[ macros ]]")
        })
        .map(|(i, _)| i + 1);
    for (m, line) in macros.iter_mut().zip(headers) {
        m.line = Some(line);
    }
}

/// A macro checked against the portal: ready to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macro {
    pub name: String,
    pub key: Option<Key>,
    /// What is sent, in one update: internal names and values (pipeline and stage as IDs,
    /// the owner as an owner ID).
    pub properties: BTreeMap<String, String>,
    /// The same changes as a person reads them, in the order written.
    pub changes: Vec<Change>,
    /// The pipeline of the stage it sets, when it sets a stage but no pipeline: tickets of
    /// other pipelines are left alone.
    pub stage_pipeline: Option<String>,
    pub note: Option<Note>,
    /// Owner properties set to `@me` while `me` is not set: their value is [`ME`] until the
    /// app asks who "me" is (the first time the macro is run) and [`Macro::set_me`] fills it.
    pub asks_me: Vec<String>,
}

/// The owner `@me` in a macro's `set`; the value of its properties until `me` is known.
pub const ME: &str = "@me";

/// One change of a macro, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The property's internal name.
    pub property: String,
    /// What the status line calls it: "Stage", "Owner", "Priority".
    pub what: String,
    /// The new value as shown: a label, a name, a local date; "(no value)" when cleared.
    pub shown: String,
}

/// The note a macro adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The text with its placeholders, as written.
    pub template: String,
    pub pin: bool,
}

impl Note {
    /// Whether the note names the ticket's contact (which must then be read).
    pub fn needs_contact(&self) -> bool {
        placeholders(&self.template).is_ok_and(|p| p.contains(&"contact"))
    }
}

impl Macro {
    /// Fills the `@me` owners with the owner `id`, shown as `name`: the macro can be sent.
    pub fn set_me(&mut self, id: &str, name: &str) {
        for property in std::mem::take(&mut self.asks_me) {
            self.properties.insert(property.clone(), id.to_owned());
            for c in self.changes.iter_mut().filter(|c| c.property == property) {
                c.shown = name.to_owned();
            }
        }
    }

    /// What it changes, on one line: "Priority → Urgent, Stage → Waiting on us; pinned note".
    pub fn summary(&self) -> String {
        let changes = self.changes_text();
        let note = match &self.note {
            Some(n) if n.pin => "pinned note",
            Some(_) => "note",
            None => "",
        };
        match (changes.is_empty(), note.is_empty()) {
            (false, false) => format!("{changes}; {note}"),
            (false, true) => changes,
            (true, _) => note.to_owned(),
        }
    }

    /// "Priority → Urgent, Stage → Waiting on us" (empty when it only adds a note).
    pub fn changes_text(&self) -> String {
        self.changes
            .iter()
            .map(|c| format!("{} → {}", c.what, c.shown))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a check needs: the portal's catalogue (properties, pipelines, owners), `me`, and the
/// keymap in force.
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    pub catalog: &'a Catalog,
    /// `me` from config.toml (an owner's email or ID), or the demo's agent.
    pub me: Option<&'a str>,
    pub keymap: &'a Keymap,
    /// What problems are prefixed with: the config file's path.
    pub source_name: &'a str,
}

/// The macros of config.toml checked against the portal (the defaults when it has no
/// `[[macros]]`), or every problem found, one line each, naming the macro and the field.
pub fn from_config(defs: Option<&[MacroDef]>, check: &Check) -> Result<Vec<Macro>, Vec<String>> {
    let Some(defs) = defs else {
        return Ok(defaults(check.catalog, check.me));
    };
    let mut problems = Vec::new();
    let mut macros = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        let at = where_(def, i, check.source_name);
        if let Some(first) = defs[..i]
            .iter()
            .find(|d| d.name.trim().eq_ignore_ascii_case(def.name.trim()))
        {
            problems.push(format!(
                "{at}: name: another macro is named \"{}\" already",
                first.name.trim()
            ));
        }
        match resolve(def, check) {
            Ok(m) => macros.push(m),
            Err(errors) => problems.extend(errors.into_iter().map(|e| format!("{at}: {e}"))),
        }
    }
    problems.extend(shared_keys(defs, &macros, check.source_name));
    if problems.is_empty() {
        Ok(macros)
    } else {
        Err(problems)
    }
}

/// `config.toml line 12: macro "Escalate"`: how a problem names its macro.
fn where_(def: &MacroDef, index: usize, source: &str) -> String {
    let name = if def.name.trim().is_empty() {
        format!("macro #{}", index + 1)
    } else {
        format!("macro \"{}\"", def.name.trim())
    };
    match def.line {
        Some(line) => format!("{source} line {line}: {name}"),
        None => format!("{source}: {name}"),
    }
}

/// Two macros with one key.
fn shared_keys(defs: &[MacroDef], macros: &[Macro], source: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, m) in macros.iter().enumerate() {
        let Some(key) = m.key else { continue };
        if let Some(first) = macros[..i].iter().find(|o| o.key == Some(key)) {
            let def = defs.iter().position(|d| d.name.trim() == m.name);
            let at = def.map_or_else(
                || format!("macro \"{}\"", m.name),
                |d| where_(&defs[d], d, source),
            );
            problems.push(format!(
                "{at}: key: \"{key}\" is the key of macro \"{}\" already",
                first.name
            ));
        }
    }
    problems
}

/// One macro checked; `Err` lists its problems, each starting with the field.
pub fn resolve(def: &MacroDef, check: &Check) -> Result<Macro, Vec<String>> {
    let mut problems = Vec::new();
    let name = def.name.trim().to_owned();
    if name.is_empty() {
        problems.push("name: a macro needs a name".to_owned());
    }
    let key = match def.key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match check_key(text, check.keymap) {
            Ok(k) => Some(k),
            Err(e) => {
                problems.push(format!("key: {e}"));
                None
            }
        },
    };
    let note = match check_note(def) {
        Ok(n) => n,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    // `@me` without `me`: asked in the app the first time the macro is run, not refused here.
    let set = match resolve_set(&def.set, check, MeUnset::AskLater) {
        Ok(s) => Some(s),
        Err(errors) => {
            problems.extend(errors);
            None
        }
    };
    if def.set.0.is_empty() && def.note.is_none() {
        problems.push("set: the macro changes nothing: give it `set`, a `note`, or both".into());
    }
    match set {
        Some(set) if problems.is_empty() => Ok(Macro {
            name,
            key,
            properties: set.properties,
            changes: set.changes,
            stage_pipeline: set.stage_pipeline,
            note,
            asks_me: set.asks_me,
        }),
        _ => Err(problems),
    }
}

/// A macro key: it parses, and the keymap binds it to nothing in the list or the detail.
fn check_key(text: &str, keymap: &Keymap) -> Result<Key, String> {
    let key = Key::parse(text).map_err(|e| e.to_string())?;
    for context in KEY_CONTEXTS {
        if let Some(action) = keymap.resolve_key(context, key) {
            return Err(format!(
                "\"{key}\" already does `{action}` in the {context} (keys come first; choose \
                 another key, or unbind it in [keys.{context}])"
            ));
        }
    }
    Ok(key)
}

/// The note and its pin: known placeholders, not empty, not over HubSpot's limit.
fn check_note(def: &MacroDef) -> Result<Option<Note>, String> {
    let Some(template) = &def.note else {
        return if def.pin {
            Err("pin: there is no note to pin (add `note`)".into())
        } else {
            Ok(None)
        };
    };
    if template.trim().is_empty() {
        return Err("note: the note is empty (leave `note` out for none)".into());
    }
    if template.chars().count() > NOTE_MAX_CHARS {
        return Err(format!(
            "note: longer than HubSpot's {NOTE_MAX_CHARS} characters"
        ));
    }
    placeholders(template).map_err(|e| format!("note: {e}"))?;
    Ok(Some(Note {
        template: template.clone(),
        pin: def.pin,
    }))
}

/// The placeholders of a note, in order; `Err` for an unknown or unclosed one.
pub fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        let after = &rest[i + 1..];
        if rest[i..].starts_with("{{") || rest[i..].starts_with("}}") {
            rest = &after[1..];
            continue;
        }
        if rest[i..].starts_with('}') {
            return Err("a lone `}` (write `}}` for a brace)".into());
        }
        let Some(end) = after.find('}') else {
            return Err("a `{` is not closed (write `{{` for a brace)".into());
        };
        let name = &after[..end];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}} (use {{subject}}, {{id}} or {{contact}})"
            ));
        }
        found.push(name);
        rest = &after[end + 1..];
    }
    Ok(found)
}

/// What a note's placeholders stand for on one ticket.
#[derive(Debug, Clone, Copy)]
pub struct Vars<'a> {
    pub id: &'a str,
    pub subject: &'a str,
    /// The contact's name; `None` or empty reads [`NO_CONTACT`].
    pub contact: Option<&'a str>,
}

/// The note for one ticket: placeholders replaced, `{{`/`}}` as braces. (An unknown
/// placeholder, which a checked macro cannot have, stays as written.)
pub fn expand(template: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let value = tail[1..].find('}').and_then(|end| {
            let v = match &tail[1..=end] {
                "subject" => vars.subject,
                "id" => vars.id,
                "contact" => vars
                    .contact
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .unwrap_or(NO_CONTACT),
                _ => return None,
            };
            Some((v, end + 2))
        });
        match value {
            Some((v, len)) => {
                out.push_str(v);
                rest = &tail[len..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `property=value` pairs checked and mapped as a macro's `set` is (stages and pipelines by ID
/// or `label:<Label>`, owners by ID, email or `@me`, options by value or label): what is
/// sent. The command line's `--set` goes through here, so it takes what config.toml takes.
pub fn resolve_properties(
    pairs: &[(String, String)],
    check: &Check,
) -> Result<BTreeMap<String, String>, Vec<String>> {
    resolve_set(&SetList(pairs.to_vec()), check, MeUnset::Refuse).map(|r| {
        let mut properties = r.properties;
        if let Some(p) = r.stage_pipeline {
            // A stage by itself may belong to another pipeline: its pipeline goes along.
            properties.entry("hs_pipeline".to_owned()).or_insert(p);
        }
        properties
    })
}

/// `set` resolved: what is sent and how it reads.
struct Resolved {
    properties: BTreeMap<String, String>,
    changes: Vec<Change>,
    stage_pipeline: Option<String>,
    /// Owner properties left at [`ME`] (see [`MeUnset::AskLater`]).
    asks_me: Vec<String>,
}

/// What an owner `@me` is when `me` is not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MeUnset {
    /// A problem (the command line: nobody to ask).
    Refuse,
    /// Left as [`ME`], to be asked when the macro is run (the TUI).
    AskLater,
}

/// Whether `name` = `value` is an editable owner property set to `@me` with no `me` to be.
fn asks_me(check: &Check, name: &str, value: &str) -> bool {
    value.trim() == ME
        && check.me.is_none_or(|m| m.trim().is_empty())
        && check
            .catalog
            .property(name)
            .is_some_and(|d| d.editable() && d.referenced_object_type.as_deref() == Some("OWNER"))
}

/// Every `set` entry checked against the catalogue.
fn resolve_set(set: &SetList, check: &Check, me_unset: MeUnset) -> Result<Resolved, Vec<String>> {
    let mut asks_me_of = Vec::new();
    let mut problems = Vec::new();
    let mut properties = BTreeMap::new();
    let mut changes = Vec::new();
    let written = |name: &str| {
        set.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    // The pipeline first: a stage by label is looked up in it.
    let pipeline = match written("hs_pipeline") {
        Some(v) => match pipeline_of(check.catalog, v) {
            Ok(p) => Some(p),
            Err(e) => {
                problems.push(format!("set.hs_pipeline: {e}"));
                None
            }
        },
        None => None,
    };
    let mut stage_pipeline = None;
    for (i, (name, value)) in set.0.iter().enumerate() {
        if set.0[..i].iter().any(|(n, _)| n == name) {
            problems.push(format!("set.{name}: set twice"));
            continue;
        }
        let result = match name.as_str() {
            "hs_pipeline" => match pipeline {
                Some(p) => {
                    if written("hs_pipeline_stage").is_none() {
                        Err(format!(
                            "a ticket moved to {} needs one of its stages: set \
                             hs_pipeline_stage too",
                            p.label
                        ))
                    } else {
                        Ok((p.id.clone(), p.label.clone()))
                    }
                }
                // Already reported.
                None => continue,
            },
            "hs_pipeline_stage" => match stage_of(check.catalog, value, pipeline) {
                Ok((p, s)) => {
                    if pipeline.is_none() {
                        stage_pipeline = Some(p.id.clone());
                    }
                    Ok((s.id.clone(), s.label.clone()))
                }
                Err(e) => Err(e),
            },
            _ if me_unset == MeUnset::AskLater && asks_me(check, name, value) => {
                asks_me_of.push(name.clone());
                Ok((ME.to_owned(), "me (asked when first run)".to_owned()))
            }
            _ => property_value(check, name, value),
        };
        match result {
            Ok((sent, shown)) => {
                changes.push(Change {
                    property: name.clone(),
                    what: what(check.catalog, name),
                    shown,
                });
                properties.insert(name.clone(), sent);
            }
            Err(e) => problems.push(format!("set.{name}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(Resolved {
            properties,
            changes,
            stage_pipeline,
            asks_me: asks_me_of,
        })
    } else {
        Err(problems)
    }
}

/// How the status line names a property: short words for the common ones.
fn what(catalog: &Catalog, name: &str) -> String {
    match name {
        "hs_pipeline_stage" => "Stage".to_owned(),
        "hs_pipeline" => "Pipeline".to_owned(),
        "hubspot_owner_id" => "Owner".to_owned(),
        _ => catalog.property_label(name).to_owned(),
    }
}

/// `label:<Label>` (any case), else the text as written.
fn by_label(value: &str) -> Option<&str> {
    value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("label:"))
        .map(|_| value[6..].trim())
}

/// A pipeline by ID or `label:<Label>`.
fn pipeline_of<'c>(catalog: &'c Catalog, value: &str) -> Result<&'c Pipeline, String> {
    if value.trim().is_empty() {
        return Err("a ticket must have a pipeline: it cannot be cleared".into());
    }
    let found = match by_label(value) {
        Some(label) => catalog
            .pipelines
            .iter()
            .find(|p| p.label.trim().eq_ignore_ascii_case(label)),
        None => catalog.pipeline(value.trim()),
    };
    found.ok_or_else(|| {
        let known: Vec<String> = catalog
            .pipelines
            .iter()
            .map(|p| format!("{} ({})", p.label, p.id))
            .collect();
        format!(
            "\"{value}\" is no pipeline of this portal (pipelines: {})",
            or_none(&known)
        )
    })
}

/// A stage by ID or `label:<Label>`, in `pipeline` when the macro sets one.
fn stage_of<'c>(
    catalog: &'c Catalog,
    value: &str,
    pipeline: Option<&'c Pipeline>,
) -> Result<(&'c Pipeline, &'c Stage), String> {
    if value.trim().is_empty() {
        return Err("a ticket must have a stage: it cannot be cleared".into());
    }
    let pipelines: Vec<&Pipeline> = match pipeline {
        Some(p) => vec![p],
        None => catalog.pipelines.iter().collect(),
    };
    let matches = |s: &Stage| match by_label(value) {
        Some(label) => s.label.trim().eq_ignore_ascii_case(label),
        None => s.id == value.trim(),
    };
    let found: Vec<(&Pipeline, &Stage)> = pipelines
        .iter()
        .flat_map(|p| p.stages.iter().filter(|s| matches(s)).map(move |s| (*p, s)))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let known: Vec<String> = pipelines
                .iter()
                .flat_map(|p| p.stages.iter().map(|s| s.label.clone()))
                .collect();
            let place = pipeline.map_or_else(
                || "any pipeline".to_owned(),
                |p| format!("pipeline {}", p.label),
            );
            Err(format!(
                "\"{value}\" is no stage of {place} (stages: {})",
                or_none(&known)
            ))
        }
        several => {
            let names: Vec<String> = several.iter().map(|(p, _)| p.label.clone()).collect();
            Err(format!(
                "\"{value}\" is a stage of {}: add hs_pipeline = \"label:…\" to say which",
                names.join(" and ")
            ))
        }
    }
}

fn or_none(list: &[String]) -> String {
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

/// A value for any other property: (what is sent, how it reads).
fn property_value(check: &Check, name: &str, value: &str) -> Result<(String, String), String> {
    let Some(def) = check.catalog.property(name) else {
        return Err(unknown_property(check.catalog, name));
    };
    if !def.editable() {
        return Err(format!("{} ({name}) is read-only", def.label));
    }
    if value.is_empty() {
        if name == "subject" {
            return Err("a ticket must have a name: it cannot be cleared".into());
        }
        return Ok((String::new(), "(no value)".to_owned()));
    }
    if def.referenced_object_type.as_deref() == Some("OWNER") {
        return owner_value(check, value);
    }
    let sent = typed_value(def, value)?;
    let shown = check.catalog.display_value(None, name, &sent);
    Ok((sent, shown))
}

/// "no property named x (did you mean hs_ticket_priority, Priority?)".
fn unknown_property(catalog: &Catalog, name: &str) -> String {
    let wanted = name.trim().to_lowercase();
    let close = catalog.properties.iter().find(|p| {
        p.label.to_lowercase() == wanted || p.name.trim_start_matches("hs_ticket_") == wanted
    });
    match close {
        Some(p) => format!(
            "the portal has no ticket property named {name} (did you mean {}, {}?)",
            p.name, p.label
        ),
        None => format!(
            "the portal has no ticket property named {name} (names are internal, like \
             hs_ticket_priority)"
        ),
    }
}

/// An owner by `@me`, ID or email.
fn owner_value(check: &Check, value: &str) -> Result<(String, String), String> {
    let catalog = check.catalog;
    let wanted = if value.trim() == "@me" {
        match check.me.map(str::trim).filter(|m| !m.is_empty()) {
            Some(me) => me,
            None => {
                return Err(
                    "\"@me\" needs `me` in config.toml (me = \"you@company.com\")".to_owned(),
                );
            }
        }
    } else {
        value.trim()
    };
    let owner = catalog
        .owners
        .iter()
        .find(|o| o.id == wanted || (!o.email.is_empty() && o.email.eq_ignore_ascii_case(wanted)));
    match owner {
        Some(o) => Ok((o.id.clone(), o.display_name())),
        None if value.trim() == "@me" => Err(format!(
            "\"@me\": me = \"{wanted}\" in config.toml is no owner of this portal (its email \
             or owner ID)"
        )),
        None => Err(format!(
            "\"{value}\" is no owner of this portal (write an owner's email, owner ID or @me)"
        )),
    }
}

/// A value of `def`'s type, as HubSpot takes it.
fn typed_value(def: &PropertyDef, value: &str) -> Result<String, String> {
    let v = value.trim();
    match def.kind {
        PropertyType::Enumeration => enumeration_value(def, value),
        PropertyType::Number => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(v.to_owned()),
            _ => Err(format!("\"{value}\" is not a number ({} is a number)", def.label)),
        },
        PropertyType::Date => jiff::civil::Date::strptime("%Y-%m-%d", v)
            .map(|d| d.to_string())
            .map_err(|_| format!("\"{value}\" is not a date like 2026-11-01 ({} is a date)", def.label)),
        PropertyType::DateTime => v.parse::<jiff::Timestamp>().map(|t| t.to_string()).map_err(|_| {
            format!(
                "\"{value}\" is not a date and time like 2026-11-01T14:30:00Z ({} is a date and time)",
                def.label
            )
        }),
        PropertyType::Bool => match v {
            "true" | "false" => Ok(v.to_owned()),
            _ => Err(format!("\"{value}\" is not true or false ({} is yes/no)", def.label)),
        },
        PropertyType::String | PropertyType::PhoneNumber | PropertyType::Other => {
            Ok(value.to_owned())
        }
    }
}

/// An enumeration's option by value or `label:<Label>`; `;`-joined for checkboxes.
fn enumeration_value(def: &PropertyDef, value: &str) -> Result<String, String> {
    if def.options.is_empty() {
        // Options HubSpot fills from elsewhere (external options): taken as written.
        return Ok(value.to_owned());
    }
    let one = |v: &str| {
        let v = v.trim();
        let found = match by_label(v) {
            Some(label) => def
                .options
                .iter()
                .find(|o| o.label.trim().eq_ignore_ascii_case(label)),
            None => def.options.iter().find(|o| o.value == v),
        };
        found.map(|o| o.value.clone()).ok_or_else(|| {
            let known: Vec<String> = def.options.iter().map(|o| o.value.clone()).collect();
            format!(
                "\"{v}\" is not an option of {} (options: {})",
                def.label,
                known.join(", ")
            )
        })
    };
    if def.field_type == "checkbox" {
        let values: Result<Vec<String>, String> = value
            .split(';')
            .filter(|v| !v.trim().is_empty())
            .map(one)
            .collect();
        Ok(values?.join(";"))
    } else {
        one(value)
    }
}

/// The defaults, as far as this portal can take them (see the module docs).
pub fn defaults(catalog: &Catalog, me: Option<&str>) -> Vec<Macro> {
    let keymap = Keymap::default();
    let check = Check {
        catalog,
        me,
        keymap: &keymap,
        source_name: "defaults",
    };
    let default_pipeline = catalog.pipelines.first();
    let stage_where = |pick: &dyn Fn(&Stage) -> bool| {
        default_pipeline.and_then(|p| p.stages.iter().find(|s| pick(s)).map(|s| s.id.clone()))
    };
    let closed = stage_where(&|s| s.closed)
        .or_else(|| stage_where(&|s| s.label.trim().eq_ignore_ascii_case("closed")));
    let waiting = stage_where(&|s| s.label.trim().eq_ignore_ascii_case("waiting on contact"));
    let def = |name: &str, set: Option<(&str, String)>| MacroDef {
        name: name.to_owned(),
        key: None,
        set: SetList(set.into_iter().map(|(p, v)| (p.to_owned(), v)).collect()),
        note: None,
        pin: false,
        line: None,
    };
    [
        def("Assign to me", Some(("hubspot_owner_id", "@me".to_owned()))),
        def(
            "Close as resolved",
            closed.map(|id| ("hs_pipeline_stage", id)),
        ),
        def(
            "Waiting on contact",
            waiting.map(|id| ("hs_pipeline_stage", id)),
        ),
    ]
    .iter()
    .filter(|d| !d.set.0.is_empty())
    .filter_map(|d| resolve(d, &check).ok())
    .collect()
}

#[cfg(test)]
mod tests;
