//! Confirmation dialogs: what they guard is data ([`PendingOp`]), phrased by the view.
//! Cancel is selected when a dialog opens and nothing is remembered between dialogs;
//! declining emits no effect, confirming emits exactly the one command the op stands for.

/// An operation waiting for the user's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingOp {
    /// Delete (archive) tickets: to HubSpot's recycle bin, restorable there for 90 days.
    ArchiveTickets {
        ids: Vec<String>,
        subjects: Vec<String>,
    },
    /// Pin an activity, replacing the pinned one if any.
    PinActivity {
        ticket_id: String,
        subject: String,
        activity_id: String,
        title: String,
        replaces: Option<String>,
    },
    /// Unpin the pinned activity.
    Unpin {
        ticket_id: String,
        subject: String,
        activity_id: String,
        title: String,
    },
    /// Remove every association between the ticket and a record.
    RemoveAssociation {
        ticket_id: String,
        subject: String,
        kind: crate::domain::ObjectKind,
        to_id: String,
        title: String,
        labels: Vec<String>,
    },
    /// HubSpot refused a pin because the activity is not associated: associate it, then pin.
    AssociateThenPin {
        ticket_id: String,
        subject: String,
        kind: crate::domain::ObjectKind,
        activity_id: String,
        title: String,
    },
    /// Put a past value back (History `u`).
    RestoreValue {
        ticket_id: String,
        subject: String,
        property: String,
        label: String,
        current: String,
        restored: String,
        /// The same two values as a person reads them (labels, names, local dates).
        current_shown: String,
        restored_shown: String,
    },
    /// Bulk edit: set these properties on every marked ticket in one batch.
    BulkUpdate {
        ids: Vec<String>,
        /// What is sent, by internal name and value.
        properties: std::collections::BTreeMap<String, String>,
        /// Per property changed: its label, the marked tickets' current values as shown
        /// (value, how many tickets have it; most common first) and the new value as shown.
        changes: Vec<BulkChange>,
    },
    /// A macro on the marked tickets: one batch update, then one note per ticket.
    ApplyMacro {
        /// The macro (`App::macros`' index) and its name.
        index: usize,
        name: String,
        ids: Vec<String>,
        /// Per property changed: its current values on the tickets and the new value.
        changes: Vec<BulkChange>,
        /// The note as written (placeholders filled per ticket), and whether it is pinned.
        note: Option<(String, bool)>,
        /// Marked tickets of other pipelines than the stage's, left out.
        skipped: Vec<String>,
    },
    /// `o` could not start a browser: copy the ticket's URL instead?
    CopyUrlInstead { url: String, why: String },
    /// Merge two tickets (HubSpot's merge, cannot be undone). The dialog asks which one
    /// survives: its Confirm button keeps `sides[0]`, its Alternative keeps `sides[1]`; once
    /// chosen ([`Confirm::chosen`]) `sides[0]` is the survivor (HubSpot's primary).
    MergeTickets { sides: [MergeSide; 2] },
    /// `V` marked only the loaded rows of a view that has more: load the rest and mark them?
    LoadAllThenMark {
        marked: usize,
        /// The view's total, when HubSpot reports one (search does; the list API doesn't).
        total: Option<u64>,
    },
}

/// One property of a bulk edit, as the confirmation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkChange {
    pub label: String,
    pub old: Vec<(String, usize)>,
    pub new: String,
}

/// One ticket of a merge, as the dialog shows it side by side (values as a person reads them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MergeSide {
    pub id: String,
    pub subject: String,
    pub stage: String,
    pub owner: String,
    /// The Primary contact's name; `None` while it loads.
    pub contact: Option<String>,
    pub created: String,
}

/// From this many tickets on, a bulk edit asks for the count to be typed.
pub const TYPE_COUNT_FROM: usize = 50;

/// Which button has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Button {
    #[default]
    Cancel,
    Confirm,
    /// The second choice of a dialog that has one (a merge: keep the other ticket).
    Alternative,
}

/// An open confirmation dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub op: PendingOp,
    pub button: Button,
    /// What the user typed, when the dialog asks to type something (the count of a bulk delete).
    pub typed: String,
}

impl Confirm {
    /// A new dialog, Cancel selected, nothing typed.
    pub fn new(op: PendingOp) -> Self {
        Self {
            op,
            button: Button::Cancel,
            typed: String::new(),
        }
    }

    /// The text to type before the dialog accepts a yes (bulk delete: the number of tickets).
    pub fn must_type(&self) -> Option<String> {
        match &self.op {
            PendingOp::ArchiveTickets { ids, .. } if ids.len() > 1 => Some(ids.len().to_string()),
            PendingOp::BulkUpdate { ids, .. } | PendingOp::ApplyMacro { ids, .. }
                if ids.len() >= TYPE_COUNT_FROM =>
            {
                Some(ids.len().to_string())
            }
            _ => None,
        }
    }

    /// Whether a yes is accepted now. A merge needs its survivor chosen first: a bare `y`
    /// with Cancel selected merges nothing.
    pub fn can_confirm(&self) -> bool {
        if matches!(self.op, PendingOp::MergeTickets { .. }) && self.button == Button::Cancel {
            return false;
        }
        self.must_type().is_none_or(|t| t == self.typed)
    }

    /// The button to the right of the selected one (the last stays).
    pub fn right(&self) -> Button {
        match (self.button, self.alternative_label()) {
            (Button::Cancel, _) => Button::Confirm,
            (Button::Confirm, Some(_)) | (Button::Alternative, _) => Button::Alternative,
            (Button::Confirm, None) => Button::Confirm,
        }
    }

    /// The button to the left of the selected one.
    pub fn left(&self) -> Button {
        match self.button {
            Button::Alternative => Button::Confirm,
            Button::Confirm | Button::Cancel => Button::Cancel,
        }
    }

    /// The op as chosen with the selected button: a merge keeps the side pressed first.
    pub fn chosen(self) -> PendingOp {
        match self.op {
            PendingOp::MergeTickets { sides: [a, b] } if self.button == Button::Alternative => {
                PendingOp::MergeTickets { sides: [b, a] }
            }
            op => op,
        }
    }

    /// The second action's label, for a dialog that offers two (a merge).
    pub fn alternative_label(&self) -> Option<String> {
        match &self.op {
            PendingOp::MergeTickets { sides } => Some(format!("Keep #{}", sides[1].id)),
            _ => None,
        }
    }

    pub fn title(&self) -> String {
        match &self.op {
            PendingOp::RestoreValue { label, .. } => format!("Restore {label}?"),
            PendingOp::ArchiveTickets { ids, .. } if ids.len() == 1 => {
                format!("Delete ticket #{}?", ids[0])
            }
            PendingOp::ArchiveTickets { ids, .. } => format!("Delete {} tickets?", ids.len()),
            PendingOp::PinActivity {
                replaces: Some(_), ..
            } => "Replace the pinned activity?".into(),
            PendingOp::PinActivity { .. } => "Pin this activity?".into(),
            PendingOp::Unpin { .. } => "Unpin the activity?".into(),
            PendingOp::RemoveAssociation { kind, .. } => {
                format!("Remove the {} association?", kind.label().to_lowercase())
            }
            PendingOp::AssociateThenPin { .. } => "Associate the activity first?".into(),
            PendingOp::BulkUpdate { ids, changes, .. } => {
                let labels: Vec<&str> = changes.iter().map(|c| c.label.as_str()).collect();
                let n = ids.len();
                let plural = if n == 1 { "" } else { "s" };
                format!("Set {} on {n} ticket{plural}?", labels.join(" and "))
            }
            PendingOp::LoadAllThenMark { .. } => "Mark the whole view?".into(),
            PendingOp::MergeTickets { sides } => {
                format!("Merge #{} and #{}?", sides[0].id, sides[1].id)
            }
            PendingOp::CopyUrlInstead { .. } => "The browser did not open".into(),
            PendingOp::ApplyMacro { name, ids, .. } => {
                let n = ids.len();
                let plural = if n == 1 { "" } else { "s" };
                format!("Apply {name} to {n} ticket{plural}?")
            }
        }
    }

    /// The lines the dialog says: what is affected, before and after.
    pub fn body(&self) -> Vec<String> {
        match &self.op {
            PendingOp::ArchiveTickets { ids, subjects } if ids.len() == 1 => vec![
                format!(
                    "#{} {}",
                    ids[0],
                    subjects.first().map_or("", String::as_str)
                ),
                String::new(),
                "It moves to HubSpot's recycle bin and cannot be undone here:".into(),
                "restore it from the recycle bin within 90 days.".into(),
            ],
            PendingOp::ArchiveTickets { ids, subjects } => self.archive_body(ids, subjects),
            PendingOp::PinActivity {
                ticket_id,
                subject,
                title,
                replaces,
                ..
            } => {
                let mut l = vec![
                    format!("Pin “{title}”"),
                    format!("on #{ticket_id} {subject}"),
                ];
                if let Some(r) = replaces {
                    l.push(String::new());
                    l.push("It replaces the pinned activity (one pin per ticket):".into());
                    l.push(format!("“{r}”"));
                }
                l
            }
            PendingOp::Unpin {
                ticket_id,
                subject,
                title,
                ..
            } => {
                vec![
                    format!("Unpin “{title}”"),
                    format!("from #{ticket_id} {subject}"),
                ]
            }
            PendingOp::RemoveAssociation {
                ticket_id,
                subject,
                kind,
                title,
                labels,
                ..
            } => {
                let labels = if labels.is_empty() {
                    "unlabeled".to_owned()
                } else {
                    labels.join(", ")
                };
                vec![
                    format!("Ticket #{ticket_id} {subject}"),
                    format!("{}: {title} ({labels})", kind.label()),
                    String::new(),
                    "Every association type between the two records is removed.".into(),
                ]
            }
            PendingOp::AssociateThenPin {
                ticket_id,
                kind,
                title,
                ..
            } => vec![
                format!("HubSpot pins only activities associated with the ticket."),
                format!(
                    "Associate {} “{title}” with #{ticket_id}, then pin it?",
                    kind.label().to_lowercase()
                ),
            ],
            PendingOp::RestoreValue {
                ticket_id,
                subject,
                label,
                current_shown,
                restored_shown,
                ..
            } => vec![
                format!("Ticket #{ticket_id} {subject}"),
                String::new(),
                format!("{label} is now:     {}", or_empty(current_shown)),
                format!("it will be set to:  {}", or_empty(restored_shown)),
            ],
            PendingOp::BulkUpdate { ids, changes, .. } => self.bulk_body(ids, changes, Vec::new()),
            PendingOp::ApplyMacro {
                ids,
                changes,
                note,
                skipped,
                ..
            } => self.macro_body(ids, changes, note.as_ref(), skipped),
            PendingOp::CopyUrlInstead { url, why } => vec![
                why.clone(),
                String::new(),
                url.clone(),
                String::new(),
                "Copy the URL to open it yourself? (set $BROWSER to choose a browser)".into(),
            ],
            PendingOp::MergeTickets { sides } => merge_body(sides),
            PendingOp::LoadAllThenMark { marked, total } => {
                vec![
                    marked_of(*marked, *total),
                    String::new(),
                    "Load the rest of the view and mark every ticket?".into(),
                    "Cancel keeps just the loaded rows marked.".into(),
                ]
            }
        }
    }

    /// A bulk edit: each property's current values and the new one, the count, a few IDs.
    /// `extra` lines come before the count.
    fn bulk_body(&self, ids: &[String], changes: &[BulkChange], extra: Vec<String>) -> Vec<String> {
        let mut lines = Vec::new();
        for c in changes {
            lines.push(format!("{} now:  {}", c.label, summarize_values(&c.old)));
            lines.push(format!("will be:  {}", or_empty(&c.new)));
            lines.push(String::new());
        }
        lines.extend(extra);
        let n = ids.len();
        let plural = if n == 1 { "" } else { "s" };
        lines.push(format!(
            "{n} ticket{plural}, in one batch: {}",
            id_sample(ids)
        ));
        if let Some(n) = self.must_type() {
            lines.push(String::new());
            lines.push(format!("Type {n} to confirm: {}▏", self.typed));
        }
        lines
    }

    /// A macro on several tickets: the bulk edit's lines, with the note and the tickets left
    /// out before the count.
    fn macro_body(
        &self,
        ids: &[String],
        changes: &[BulkChange],
        note: Option<&(String, bool)>,
        skipped: &[String],
    ) -> Vec<String> {
        let mut extra = Vec::new();
        if let Some((template, pin)) = note {
            let pinned = if *pin { " (pinned)" } else { "" };
            extra.push(format!("and a note on each{pinned}: “{template}”"));
            extra.push(String::new());
        }
        if !skipped.is_empty() {
            let n = skipped.len();
            let plural = if n == 1 { " is" } else { "s are" };
            extra.push(format!(
                "{n} marked ticket{plural} in another pipeline, left out: {}",
                id_sample(skipped)
            ));
            extra.push(String::new());
        }
        self.bulk_body(ids, changes, extra)
    }

    /// Several tickets to delete: the first eight named, the rest counted, the count typed.
    fn archive_body(&self, ids: &[String], subjects: &[String]) -> Vec<String> {
        const BIN: [&str; 2] = [
            "They move to HubSpot's recycle bin and cannot be undone here:",
            "restore them from the recycle bin within 90 days.",
        ];
        let mut lines: Vec<String> = ids
            .iter()
            .zip(subjects)
            .take(8)
            .map(|(id, s)| format!("#{id} {s}"))
            .collect();
        if ids.len() > 8 {
            lines.push(format!("… and {} more", ids.len() - 8));
        }
        lines.push(String::new());
        lines.extend(BIN.map(String::from));
        lines.push(format!("Type {} to confirm: {}▏", ids.len(), self.typed));
        lines
    }

    /// What the status bar says when the dialog is declined.
    pub fn declined(&self) -> String {
        match &self.op {
            // Nothing was cancelled: the loaded rows stay marked.
            PendingOp::LoadAllThenMark { marked, total } => marked_of(*marked, *total),
            _ => "cancelled".to_owned(),
        }
    }

    pub fn confirm_label(&self) -> String {
        let label = match &self.op {
            PendingOp::MergeTickets { sides } => return format!("Keep #{}", sides[0].id),
            PendingOp::RestoreValue { .. } => "Restore",
            PendingOp::ArchiveTickets { .. } => "Delete",
            PendingOp::PinActivity { .. } => "Pin",
            PendingOp::Unpin { .. } => "Unpin",
            PendingOp::RemoveAssociation { .. } => "Remove",
            PendingOp::AssociateThenPin { .. } => "Associate and pin",
            PendingOp::BulkUpdate { .. } => "Update",
            PendingOp::LoadAllThenMark { .. } => "Load and mark all",
            PendingOp::CopyUrlInstead { .. } => "Copy URL",
            PendingOp::ApplyMacro { .. } => "Apply",
        };
        label.to_owned()
    }
}

/// Width of a merge dialog's row labels and of each ticket's column.
const MERGE_LABEL: usize = 9;
const MERGE_COLUMN: usize = 31;

/// Two tickets side by side, which one to keep, and that it cannot be undone.
fn merge_body(sides: &[MergeSide; 2]) -> Vec<String> {
    use crate::text::{pad_to_width, truncate_to_width};
    let cell = |s: &str| pad_to_width(&truncate_to_width(s, MERGE_COLUMN), MERGE_COLUMN);
    let row = |label: &str, f: &dyn Fn(&MergeSide) -> String| {
        format!(
            "{}{} {}",
            pad_to_width(label, MERGE_LABEL),
            cell(&f(&sides[0])),
            truncate_to_width(&f(&sides[1]), MERGE_COLUMN)
        )
        .trim_end()
        .to_owned()
    };
    let shown = |v: &str| or_empty(v).to_owned();
    vec![
        row("", &|s| format!("#{}", s.id)),
        row("Subject", &|s| shown(&s.subject)),
        row("Stage", &|s| shown(&s.stage)),
        row("Owner", &|s| shown(&s.owner)),
        row("Contact", &|s| {
            s.contact.as_deref().map_or("…".to_owned(), &shown)
        }),
        row("Created", &|s| shown(&s.created)),
        String::new(),
        "Which one survives? Its values win where both have one; the".into(),
        "associations and activities of both are combined.".into(),
        "Merging cannot be undone.".into(),
    ]
}

/// "200 of 984 marked: only loaded rows" (the list API reports no total: "the view has more").
pub fn marked_of(marked: usize, total: Option<u64>) -> String {
    match total {
        Some(t) => format!("{marked} of {t} marked: only loaded rows"),
        None => format!("{marked} marked: only loaded rows, the view has more"),
    }
}

/// "High ×80 · Low ×40 · (no value) ×28", the four commonest, then how many others.
fn summarize_values(values: &[(String, usize)]) -> String {
    let mut parts: Vec<String> = values
        .iter()
        .take(4)
        .map(|(v, n)| format!("{} ×{n}", or_empty(v)))
        .collect();
    if values.len() > 4 {
        let rest: usize = values[4..].iter().map(|(_, n)| n).sum();
        let others = values.len() - 4;
        let plural = if others == 1 { "" } else { "s" };
        parts.push(format!("{others} other value{plural} ×{rest}"));
    }
    parts.join(" · ")
}

/// "#1001, #1002, #1005 … and 145 more".
fn id_sample(ids: &[String]) -> String {
    let shown: Vec<String> = ids.iter().take(6).map(|id| format!("#{id}")).collect();
    if ids.len() > shown.len() {
        format!(
            "{} … and {} more",
            shown.join(", "),
            ids.len() - shown.len()
        )
    } else {
        shown.join(", ")
    }
}

fn or_empty(s: &str) -> &str {
    if s.is_empty() { "(no value)" } else { s }
}
