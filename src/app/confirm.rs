//! Confirmation dialogs: what they guard is data ([`PendingOp`]), phrased by the view.
//! Cancel is selected when a dialog opens and nothing is remembered between dialogs;
//! declining emits no effect, confirming emits exactly the one command the op stands for.

/// An operation waiting for the user's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingOp {
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
}

impl Confirm {
    /// A new dialog, Cancel selected.
    pub fn new(op: PendingOp) -> Self {
        Self {
            op,
            button: Button::Cancel,
        }
    }

    pub fn title(&self) -> String {
        match &self.op {
            PendingOp::RestoreValue { label, .. } => format!("Restore {label}?"),
        }
    }

    /// The lines the dialog says: what is affected, before and after.
    pub fn body(&self) -> Vec<String> {
        match &self.op {
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
        }
    }
}

fn or_empty(s: &str) -> &str {
    if s.is_empty() { "(no value)" } else { s }
}
