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
}

/// Which button has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Button {
    #[default]
    Cancel,
    Confirm,
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
            _ => None,
        }
    }

    /// Whether a yes is accepted now.
    pub fn can_confirm(&self) -> bool {
        self.must_type().is_none_or(|t| t == self.typed)
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
        }
    }

    /// The lines the dialog says: what is affected, before and after.
    pub fn body(&self) -> Vec<String> {
        const BIN: &str = "They move to HubSpot's recycle bin, restorable there for 90 days.";
        match &self.op {
            PendingOp::ArchiveTickets { ids, subjects } if ids.len() == 1 => vec![
                format!(
                    "#{} {}",
                    ids[0],
                    subjects.first().map_or("", String::as_str)
                ),
                String::new(),
                "It moves to HubSpot's recycle bin, restorable there for 90 days.".into(),
            ],
            PendingOp::ArchiveTickets { ids, subjects } => {
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
                lines.push(BIN.into());
                lines.push(format!("Type {} to confirm: {}▏", ids.len(), self.typed));
                lines
            }
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
        }
    }

    pub fn confirm_label(&self) -> &'static str {
        match &self.op {
            PendingOp::RestoreValue { .. } => "Restore",
            PendingOp::ArchiveTickets { .. } => "Delete",
            PendingOp::PinActivity { .. } => "Pin",
            PendingOp::Unpin { .. } => "Unpin",
            PendingOp::RemoveAssociation { .. } => "Remove",
            PendingOp::AssociateThenPin { .. } => "Associate and pin",
        }
    }
}

fn or_empty(s: &str) -> &str {
    if s.is_empty() { "(no value)" } else { s }
}
