//! A write whose answer was lost, as the worker verified it by reading the tickets back
//! ([`Event::WriteVerified`]).
//!
//! The flow that sent the write reacts as it would to the write's own answer: a deleted row
//! goes, an edited value shows, an edit that did not take effect stays in its form with the
//! value, like a refused one. Then the status line says how that is known, naming the ticket.
//! Owns: turning a verdict into the answer the flow understands, and that wording. Must not:
//! send the write again — only the user does, on purpose.

use super::edit::Phase;
use super::{App, Effect, Level};
use crate::protocol::{Event, Failure, Verdict};

/// What the status line starts with when a write's outcome was read back.
pub const VERIFIED: &str = "verified after a lost answer";

/// The flow waiting for a write's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// The edit form, saving one ticket.
    Edit,
    /// The edit form, saving several (a batch).
    BulkEdit,
    /// A confirmed delete, of one ticket or several.
    Delete,
    /// An association being added or removed.
    Association,
    /// A pin, an unpin or a restored value.
    Update,
    /// A merge of two tickets.
    Merge,
}

fn waiting(app: &App, req: u64) -> Option<Waiting> {
    if let Some(form) = app.modals.form()
        && matches!(form.phase, Phase::Saving(r) if r == req)
    {
        return Some(if form.bulk.is_empty() {
            Waiting::Edit
        } else {
            Waiting::BulkEdit
        });
    }
    if let Some(f) = app.in_flight.iter().find(|f| f.req() == req) {
        return Some(match f {
            super::actions::InFlight::Archive { .. } => Waiting::Delete,
            super::actions::InFlight::Association { .. } => Waiting::Association,
        });
    }
    if super::merge_flow::sending(app, req) {
        return Some(Waiting::Merge);
    }
    app.pending_write
        .as_ref()
        .is_some_and(|(r, _, _)| *r == req)
        .then_some(Waiting::Update)
}

/// `ticket #1051`, `tickets #1, #2, #3`, `12 tickets`.
fn name(tickets: &[String]) -> String {
    match tickets {
        [one] => format!("ticket #{one}"),
        few if few.len() <= 3 => {
            let ids: Vec<String> = few.iter().map(|id| format!("#{id}")).collect();
            format!("tickets {}", ids.join(", "))
        }
        many => format!("{} tickets", many.len()),
    }
}

/// The answer to a write whose outcome was read back.
pub(super) fn on_event(
    app: &mut App,
    req: u64,
    tickets: &[String],
    lost: &str,
    verdict: Verdict,
) -> Vec<Effect> {
    let who = name(tickets);
    let Some(flow) = waiting(app, req) else {
        // Nobody waits any more (a later pin took the toast's place, say): a row that changed
        // is still kept up to date, and a write that did not happen is still told.
        return match verdict {
            Verdict::Answered(answer) => super::on_worker(app, *answer),
            Verdict::NotApplied => {
                app.error(format!("{VERIFIED}: {who} was not changed"));
                Vec::new()
            }
            Verdict::StillUnknown(why) => {
                app.error(still_unknown(&who, lost, &why));
                Vec::new()
            }
        };
    };
    match verdict {
        Verdict::Answered(answer) => answered(app, *answer),
        Verdict::NotApplied => {
            let fx = super::on_worker(
                app,
                Event::Failed {
                    req,
                    failure: failure(
                        format!(
                            "not applied: HubSpot's answer was lost ({lost}) and reading {who} \
                             back shows no change; Ctrl-s sends it again"
                        ),
                        false,
                    ),
                },
            );
            let what = match flow {
                Waiting::Edit => format!("{who} was not changed: your edit stays in the form"),
                Waiting::Delete => format!("{who} was not deleted (D tries again)"),
                Waiting::Association => format!("the associations of {who} were not changed"),
                Waiting::Update | Waiting::BulkEdit => format!("{who} was not changed"),
                Waiting::Merge => format!("{who} were not merged"),
            };
            app.error(format!("{VERIFIED}: {what}"));
            fx
        }
        Verdict::StillUnknown(why) => {
            let fx = super::on_worker(
                app,
                Event::Failed {
                    req,
                    failure: failure(
                        format!(
                            "HubSpot's answer was lost ({lost}) and reading back failed ({why})"
                        ),
                        true,
                    ),
                },
            );
            app.error(still_unknown(&who, lost, &why));
            fx
        }
    }
}

/// The write took effect (or, for a batch, the answer lists what did): handled as its own
/// answer, then restated.
fn answered(app: &mut App, answer: Event) -> Vec<Effect> {
    let restated = match &answer {
        Event::TicketArchived { id, .. } => Some(format!(
            "ticket #{id} was deleted (in HubSpot's recycle bin for 90 days)"
        )),
        Event::TicketUpdated { ticket, .. } => Some(format!("ticket #{} was changed", ticket.id)),
        _ => None,
    };
    let counts = match &answer {
        Event::BatchUpdated {
            updated, failed, ..
        } => Some((updated.len(), failed.len())),
        _ => None,
    };
    let archived = matches!(answer, Event::TicketArchived { .. });
    app.toast = None;
    let fx = super::on_worker(app, answer);
    let said = app.toast.take();
    let level = said.as_ref().map_or(Level::Info, |t| t.level);
    let text = match (restated, said) {
        (Some(r), _) if archived => r,
        // Every flow's own message names the ticket it wrote ("saved Priority on #1001"):
        // the restatement is only for an answer no flow spoke for.
        (_, Some(said)) => said.text,
        (Some(r), None) => r,
        (None, None) => match counts {
            Some((done, not)) => {
                format!("{done} changed, {not} not — the form lists them with why")
            }
            None => "done".to_owned(),
        },
    };
    let text = format!("{VERIFIED}: {text}");
    match level {
        Level::Info => app.info(text),
        Level::Error => app.error(text),
    }
    fx
}

fn still_unknown(who: &str, lost: &str, why: &str) -> String {
    format!(
        "outcome still unknown for {who}: HubSpot's answer was lost ({lost}) and reading it \
         back failed ({why}); not sent again — r refreshes, check before trying again"
    )
}

fn failure(summary: String, outcome_unknown: bool) -> Failure {
    Failure {
        kind: if outcome_unknown {
            crate::protocol::FailureKind::OutcomeUnknown
        } else {
            crate::protocol::FailureKind::Network
        },
        message: summary.clone(),
        summary,
        status: None,
        not_found: false,
        auth: false,
        missing_scopes: Vec::new(),
        field_errors: Vec::new(),
        outcome_unknown,
        ..Failure::default()
    }
}
