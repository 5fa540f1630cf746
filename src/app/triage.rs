//! Triage mode (`T`): walking a view one ticket at a time.
//!
//! The walk takes the view's tickets as they stand when it starts (more are added as later
//! pages load), so a ticket that leaves the view when it is acted on (closed, reassigned)
//! stays walkable: `K` goes back to it. Acting on the ticket on screen — a macro, an edit
//! that changes its stage, pipeline or owner, a note — records what was done and opens the
//! next ticket by itself; `x` skips. `Esc` (or `back`) ends the walk with a summary of what
//! was done to how many tickets, and which were skipped.
//!
//! While walking, the detail pane belongs to the walk: the list's selection no longer moves
//! it (see `App::selection_changed`). The flows that act on a ticket call [`acted`]; this
//! module never looks into them.
//!
//! Must not: do I/O (requests go out as effects) or know how an action is carried out.

use std::collections::BTreeMap;

use super::{App, Effect, Focus};
use crate::action::Action;
use crate::app::detail::Tab;
use crate::keymap::Context;

/// What was done to a ticket during the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// A macro, by name.
    Macro(String),
    /// A property edit that moves the ticket on (stage, pipeline, owner), by property label.
    Edited(String),
    /// A note, call or task written on it.
    Activity(&'static str),
    Skipped,
}

/// Properties whose change moves a ticket on in triage: after editing one, the next opens.
pub const MOVING_PROPERTIES: [&str; 3] = ["hs_pipeline_stage", "hs_pipeline", "hubspot_owner_id"];

/// A walk through a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triage {
    /// The view's name when the walk started.
    pub view: String,
    /// The tickets to walk, in the view's order as it was (later pages appended).
    pub ids: Vec<String>,
    /// The one on screen.
    pub at: usize,
    /// What was done, ticket by ticket.
    pub done: BTreeMap<String, Vec<Done>>,
}

impl Triage {
    /// The ticket on screen.
    pub fn current(&self) -> Option<&str> {
        self.ids.get(self.at).map(String::as_str)
    }

    /// "7 of 42": the place in the walk, and the view's size when the server said it.
    pub fn position(&self, total: Option<u64>) -> String {
        let of = total
            .map(|t| t.max(self.ids.len() as u64))
            .unwrap_or(self.ids.len() as u64);
        format!("{} of {of}", (self.at + 1).min(self.ids.len()))
    }

    /// The summary shown when the walk ends.
    pub fn summary(&self) -> String {
        let acted: Vec<(&String, &Vec<Done>)> = self
            .done
            .iter()
            .filter(|(_, d)| d.iter().any(|x| *x != Done::Skipped))
            .collect();
        let skipped: Vec<&String> = self
            .done
            .iter()
            .filter(|(_, d)| d.iter().all(|x| *x == Done::Skipped))
            .map(|(id, _)| id)
            .collect();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (_, d) in &acted {
            for x in d.iter() {
                let what = match x {
                    Done::Macro(name) => format!("macro {name}"),
                    Done::Edited(label) => format!("{label} changed"),
                    Done::Activity(kind) => format!("{kind} written"),
                    Done::Skipped => continue,
                };
                *counts.entry(what).or_default() += 1;
            }
        }
        let mut out = format!(
            "Walked {} of {} tickets in the view {}.\n\n",
            self.done.len(),
            self.ids.len(),
            self.view
        );
        if acted.is_empty() {
            out.push_str("Nothing was done to any ticket.\n");
        } else {
            out.push_str(&format!(
                "Acted on {} ticket{}:\n",
                acted.len(),
                plural(acted.len())
            ));
            for (what, n) in &counts {
                out.push_str(&format!("  {what}: {n} time{}\n", plural(*n)));
            }
            let ids: Vec<String> = acted.iter().map(|(id, _)| format!("#{id}")).collect();
            out.push_str(&format!("  ({})\n", ids.join(", ")));
        }
        if !skipped.is_empty() {
            let ids: Vec<String> = skipped.iter().map(|id| format!("#{id}")).collect();
            out.push_str(&format!(
                "\nSkipped {}: {}\n",
                skipped.len(),
                ids.join(", ")
            ));
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `T`: start walking the view's tickets as the list shows them (the `/` filter kept).
pub(super) fn start(app: &mut App) -> Vec<Effect> {
    let ids: Vec<String> = (0..app.list.rows())
        .filter_map(|r| app.list.row_id(r).map(str::to_owned))
        .collect();
    if ids.is_empty() {
        app.info("no ticket to walk in this view");
        return Vec::new();
    }
    // Start at the selected ticket, so `T` on row 7 walks from there.
    let at = app
        .list
        .selected_id()
        .and_then(|s| ids.iter().position(|i| i == s))
        .unwrap_or(0);
    app.triage = Some(Triage {
        view: app.current_view().name.clone(),
        ids,
        at,
        done: BTreeMap::new(),
    });
    let next = app.keymap.key_name(Context::Triage, Action::SkipTicket);
    let end = app.keymap.key_name(Context::Triage, Action::Back);
    app.info(format!(
        "triage: act on the ticket and the next opens; {next} skips, {end} ends"
    ));
    open_current(app)
}

/// Shows the walk's current ticket: the detail reads it in full, with its activities.
fn open_current(app: &mut App) -> Vec<Effect> {
    let Some(id) = app
        .triage
        .as_ref()
        .and_then(|t| t.current())
        .map(str::to_owned)
    else {
        return Vec::new();
    };
    app.focus = Focus::Detail;
    app.list.select_id(&id);
    app.detail.show(&id);
    app.detail.tab = Tab::Properties;
    let mut fx = app.fetch_detail();
    fx.extend(app.load_activities());
    fx.extend(more_if_near_the_end(app));
    fx
}

/// Near the end of what is loaded, the next page of the view is asked for, so the walk goes
/// on to the view's true end.
fn more_if_near_the_end(app: &mut App) -> Vec<Effect> {
    let Some(t) = &app.triage else {
        return Vec::new();
    };
    if t.at + 5 < t.ids.len() || !app.list.has_more() || app.list_load.is_loading() {
        return Vec::new();
    }
    let after = app.list.next_after().map(str::to_owned);
    match after {
        Some(a) => app.load_list(Some(a)),
        None => Vec::new(),
    }
}

/// Later pages of the view arrived: their tickets join the walk (those not in it yet).
pub(super) fn on_page(app: &mut App, ids: &[String]) {
    if let Some(t) = app.triage.as_mut() {
        for id in ids {
            if !t.ids.contains(id) {
                t.ids.push(id.clone());
            }
        }
    }
}

/// Keys while walking (`[keys.triage]`, then the detail's): skip, back, end; anything else
/// is the detail's.
pub(super) fn on_action(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    app.triage.as_ref()?;
    match action {
        Action::SkipTicket => {
            record(app, Done::Skipped);
            Some(advance(app, 1))
        }
        Action::PrevTicket => Some(advance(app, -1)),
        Action::Back | Action::Quit => Some(end(app)),
        _ => None,
    }
}

/// A flow acted on `ticket_id` (a macro, a moving edit, a note): recorded, and when it is
/// the ticket on screen the next one opens.
pub(super) fn acted(app: &mut App, ticket_id: &str, what: Done) -> Vec<Effect> {
    let Some(t) = app.triage.as_mut() else {
        return Vec::new();
    };
    t.done
        .entry(ticket_id.to_owned())
        .or_default()
        .retain(|d| *d != Done::Skipped);
    if let Some(d) = t.done.get_mut(ticket_id) {
        d.push(what);
    }
    if t.current() == Some(ticket_id) {
        advance(app, 1)
    } else {
        Vec::new()
    }
}

fn record(app: &mut App, what: Done) {
    if let Some(t) = app.triage.as_mut()
        && let Some(id) = t.current().map(str::to_owned)
    {
        let d = t.done.entry(id).or_default();
        if what != Done::Skipped || d.is_empty() {
            d.push(what);
        }
    }
}

fn advance(app: &mut App, by: isize) -> Vec<Effect> {
    let Some(t) = app.triage.as_mut() else {
        return Vec::new();
    };
    let next = t.at.saturating_add_signed(by);
    if by > 0 && next >= t.ids.len() {
        if app.list.has_more() {
            app.info("loading the rest of the view…");
            return more_if_near_the_end(app);
        }
        return end(app);
    }
    t.at = next.min(t.ids.len().saturating_sub(1));
    open_current(app)
}

/// Ends the walk: the summary, and back to the list on the ticket where it stopped.
pub(super) fn end(app: &mut App) -> Vec<Effect> {
    let Some(t) = app.triage.take() else {
        return Vec::new();
    };
    super::reader::show(app, format!("Triage of {} ended", t.view), t.summary());
    app.focus = Focus::List;
    app.selection_changed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk() -> Triage {
        Triage {
            view: "Open".to_owned(),
            ids: (1..=4).map(|i| format!("{}", 1000 + i)).collect(),
            at: 0,
            done: BTreeMap::new(),
        }
    }

    #[test]
    fn the_summary_counts_what_was_done_and_names_the_skipped() {
        let mut t = walk();
        t.done
            .insert("1001".into(), vec![Done::Macro("Escalate".into())]);
        t.done.insert(
            "1002".into(),
            vec![Done::Activity("note"), Done::Edited("Ticket status".into())],
        );
        t.done.insert("1003".into(), vec![Done::Skipped]);
        let s = t.summary();
        assert!(
            s.starts_with("Walked 3 of 4 tickets in the view Open."),
            "{s}"
        );
        assert!(s.contains("Acted on 2 tickets:"), "{s}");
        assert!(s.contains("macro Escalate: 1 time\n"), "{s}");
        assert!(s.contains("note written: 1 time\n"), "{s}");
        assert!(s.contains("Ticket status changed: 1 time\n"), "{s}");
        assert!(s.contains("(#1001, #1002)"), "{s}");
        assert!(s.contains("Skipped 1: #1003"), "{s}");
    }

    #[test]
    fn the_position_counts_from_one_and_uses_the_views_total() {
        let mut t = walk();
        t.at = 1;
        assert_eq!(t.position(None), "2 of 4");
        assert_eq!(t.position(Some(42)), "2 of 42");
        // A total below what the walk holds (tickets left the view) never shrinks it.
        assert_eq!(t.position(Some(2)), "2 of 4");
    }
}
