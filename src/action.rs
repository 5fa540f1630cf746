//! User intents: what a key press *means*, independent of which key it was.
//!
//! Owns the [`Action`] enum, whose `snake_case` names are the vocabulary of
//! `assets/keymap.toml` and of the `[keys.*]` tables in the user's config, plus the human
//! descriptions shown by the help overlay and the status bar hints.
//!
//! Must not: know about keys (that is [`crate::keymap`]), terminals, or app state. An action
//! says what the user wants; the focused pane's `update` decides what it does there.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares the enum together with its name, description and short hint label, so the three
/// can never fall out of step.
macro_rules! actions {
    ($( $(#[$meta:meta])* $variant:ident = $name:literal, $label:literal, $desc:literal; )*) => {
        /// A user intent. Serialized (and written in keymaps) as its `snake_case` name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Action {
            $( $(#[$meta])* #[doc = $desc] #[serde(rename = $name)] $variant, )*
        }

        impl Action {
            /// Every action, in the order the help overlay lists them.
            pub const ALL: &'static [Action] = &[ $( Action::$variant, )* ];

            /// The `snake_case` name used in keymap files (`"half_page_down"`).
            pub fn name(self) -> &'static str {
                match self { $( Action::$variant => $name, )* }
            }

            /// A one-line description for the help overlay (`"Scroll half a page down"`).
            pub fn description(self) -> &'static str {
                match self { $( Action::$variant => $desc, )* }
            }

            /// A terse label for the status bar hints (`"move"`, `"open"`). Actions sharing a
            /// label are shown together (`j/k move`).
            pub fn label(self) -> &'static str {
                match self { $( Action::$variant => $label, )* }
            }

            /// The action with this keymap name, if any.
            pub fn from_name(name: &str) -> Option<Action> {
                match name { $( $name => Some(Action::$variant), )* _ => None }
            }
        }
    };
}

actions! {
    // Everywhere.
    Quit = "quit", "quit", "Quit hubtix";
    ForceQuit = "force_quit", "quit now", "Quit now (unsaved drafts are kept)";
    Help = "help", "help", "Show the key bindings in force";
    Back = "back", "back", "Go back; quit at the top level";
    NextPane = "next_pane", "pane", "Focus the next pane";
    PrevPane = "prev_pane", "pane", "Focus the previous pane";
    Refresh = "refresh", "refresh", "Refresh this pane";
    ReloadAll = "reload_all", "reload", "Reload everything";
    CommandPalette = "command_palette", "commands", "Open the command palette";
    // Movement.
    Up = "up", "move", "Move up";
    Down = "down", "move", "Move down";
    Top = "top", "top/bottom", "Jump to the top";
    Bottom = "bottom", "top/bottom", "Jump to the bottom";
    HalfPageDown = "half_page_down", "half page", "Scroll half a page down";
    HalfPageUp = "half_page_up", "half page", "Scroll half a page up";
    PageDown = "page_down", "page", "Scroll a page down";
    PageUp = "page_up", "page", "Scroll a page up";
    Open = "open", "open", "Open the selected item";
    // The ticket list.
    Filter = "filter", "filter", "Filter the loaded rows (fuzzy, instant)";
    Search = "search", "search", "Search and filter on the server";
    Sort = "sort", "sort", "Choose the sort order";
    Mark = "mark", "mark", "Mark or unmark the selected ticket";
    MarkAll = "mark_all", "mark all", "Mark all tickets, or clear the marks";
    NewTicket = "new_ticket", "new", "Create a ticket";
    Edit = "edit", "edit", "Edit (bulk edit when tickets are marked)";
    Delete = "delete", "delete", "Delete the marked or selected tickets";
    BatchOpen = "batch_open", "by IDs", "Open tickets by IDs or by a unique property";
    CopyId = "copy_id", "copy ID", "Copy the ticket ID";
    CopyUrl = "copy_url", "copy URL", "Copy the ticket's HubSpot URL";
    OpenInBrowser = "open_in_browser", "browser", "Open the ticket in the browser";
    SwitchView = "switch_view", "view", "Choose a saved view";
    NextView = "next_view", "view", "Switch to the next saved view";
    PrevView = "prev_view", "view", "Switch to the previous saved view";
    SwitchPipeline = "switch_pipeline", "pipeline", "Choose the pipeline";
    StartTriage = "triage", "triage", "Walk the view one ticket at a time";
    SkipTicket = "skip", "skip", "Triage: skip this ticket, open the next";
    PrevTicket = "previous_ticket", "back", "Triage: go back to the previous ticket";
    ClearNarrowing = "clear_narrowing", "widen",
        "Stop loading; undo the filter, batch open or view change (never quits)";
    Macros = "macros", "macros",
        "Apply a macro: several changes and a note at once (to the marked tickets, if any)";
    Undo = "undo", "undo",
        "Undo the last write of this run (shows what will be put back first); in the log: that write";
    WriteLog = "write_log", "log",
        "The log of every write, newest first (Enter: before and after; undo: that write)";
    Merge = "merge", "merge", "Merge the two marked tickets (asks which one survives)";
    // The detail pane and its tabs.
    NextTab = "next_tab", "tab", "Next tab";
    PrevTab = "prev_tab", "tab", "Previous tab";
    Tab1 = "tab_1", "tabs", "Properties tab";
    Tab2 = "tab_2", "tabs", "History tab";
    Tab3 = "tab_3", "tabs", "Associations tab";
    Tab4 = "tab_4", "tabs", "Activity tab";
    CustomerTickets = "customer_tickets", "customer",
        "The customer's tickets: every ticket of the ticket's contact (else company), newest first";
    HistoryOfProperty = "history_of_property", "history", "History of the selected property";
    HistoryFilter = "history_filter", "filter", "Filter the history by property";
    ShowFull = "show_full", "full", "Read the whole value (rich text as text, links as references)";
    AllProperties = "all_properties", "all", "Show every property, empty ones too, or only those with values";
    CopyValue = "copy_value", "copy", "Copy the value being read";
    RestoreValue = "restore_value", "restore", "Restore the selected past value";
    AddAssociation = "add_association", "add", "Add an association";
    RemoveAssociation = "remove_association", "remove", "Remove the selected association";
    Pin = "pin", "pin", "Pin the selected activity";
    Unpin = "unpin", "unpin", "Unpin the pinned activity";
    // Writing on the ticket: a note, a call, a task (Activity tab, and the list).
    NewNote = "new_note", "note", "Write a note on the ticket";
    LogCall = "log_call", "call", "Log a call on the ticket";
    NewTask = "new_task", "task", "Add a follow-up task on the ticket";
    // Forms and text inputs.
    Save = "save", "save", "Save";
    Cancel = "cancel", "cancel", "Cancel (asks when there are changes)";
    NextField = "next_field", "field", "Next field";
    PrevField = "prev_field", "field", "Previous field";
    Accept = "accept", "accept", "Accept the input";
    Toggle = "toggle", "choose", "Choose or unchoose the option (several may be chosen)";
    EditExternally = "edit_externally", "$EDITOR",
        "Edit the text in $VISUAL or $EDITOR (note, call and task forms)";
    // The search form (`s`) and its lists.
    SaveView = "save_view", "save as view", "Save the search as a view (named in Save as)";
    Clear = "clear", "clear", "Clear the field, or a list's marks or filter (Columns: back to the default)";
    Remove = "remove", "remove", "Remove the selected condition or column; clear a choice or the sort";
    Add = "add", "add", "Add a condition (on Conditions) or a column (on Columns)";
    NextCondition = "next_condition", "condition", "Select the next condition";
    PrevCondition = "prev_condition", "condition", "Select the previous condition";
    NewOrGroup = "new_or_group", "new OR-group", "Start a new OR-group: the next condition goes into it";
    SortDirection = "sort_direction", "direction", "Flip the sort direction";
    NextColumn = "next_column", "column", "Select the next column";
    PrevColumn = "prev_column", "column", "Select the previous column";
    MoveColumnLeft = "move_column_left", "move column", "Move the selected column left";
    MoveColumnRight = "move_column_right", "move column", "Move the selected column right";
    // An edit that met a colleague's change.
    Overwrite = "overwrite", "overwrite", "Save your value over the colleague's change";
    ReloadTicket = "reload_ticket", "reload", "Drop your change and show the ticket as it is";
    KeepEditing = "keep_editing", "keep editing", "Back to your value, to change it";
    // A draft left from an earlier run.
    RestoreDraft = "restore_draft", "restore and edit", "Open the editor with the draft";
    DiscardDraft = "discard_draft", "discard", "Throw the draft away";
    Later = "later", "later", "Keep the draft for the next start";
    // The result of a bulk write.
    Retry = "retry", "retry", "Try the failed ones again";
    Close = "close", "close", "Close";
    // Confirmation dialogs.
    Confirm = "confirm", "yes", "Confirm";
    Decline = "decline", "no", "Cancel (the safe choice)";
    ButtonLeft = "button_left", "buttons", "Select the button on the left";
    ButtonRight = "button_right", "buttons", "Select the button on the right";
    PressButton = "press_button", "press", "Press the selected button";
}

impl Action {
    /// The detail tab (1-based) this action selects, for `tab_1`..`tab_4`.
    pub fn tab_number(self) -> Option<u8> {
        match self {
            Action::Tab1 => Some(1),
            Action::Tab2 => Some(2),
            Action::Tab3 => Some(3),
            Action::Tab4 => Some(4),
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name is not an action; carries the name for the error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action `{0}`")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::from_name(s).ok_or_else(|| UnknownAction(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_from_str() {
        for &action in Action::ALL {
            let name = action.name();
            assert_eq!(Action::from_name(name), Some(action));
            assert_eq!(name.parse::<Action>(), Ok(action));
            let toml_value = toml::Value::try_from(action).expect("serialize");
            assert_eq!(toml_value.as_str(), Some(name));
            let back: Action = toml_value.try_into().expect("deserialize");
            assert_eq!(back, action);
        }
    }

    #[test]
    fn names_are_unique_snake_case_and_described() {
        let mut seen = std::collections::HashSet::new();
        for &action in Action::ALL {
            let name = action.name();
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name} is not snake_case"
            );
            assert!(!action.description().is_empty());
            assert!(!action.label().is_empty());
        }
    }

    #[test]
    fn brief_vocabulary_is_present() {
        for name in [
            "quit",
            "force_quit",
            "help",
            "back",
            "next_pane",
            "prev_pane",
            "refresh",
            "reload_all",
            "command_palette",
            "up",
            "down",
            "top",
            "bottom",
            "half_page_down",
            "half_page_up",
            "page_down",
            "page_up",
            "open",
            "filter",
            "search",
            "sort",
            "mark",
            "mark_all",
            "new_ticket",
            "edit",
            "delete",
            "batch_open",
            "copy_id",
            "copy_url",
            "open_in_browser",
            "next_tab",
            "prev_tab",
            "tab_1",
            "tab_2",
            "tab_3",
            "tab_4",
            "history_of_property",
            "history_filter",
            "show_full",
            "restore_value",
            "add_association",
            "remove_association",
            "pin",
            "unpin",
            "save",
            "cancel",
            "next_field",
            "prev_field",
            "confirm",
            "decline",
            "button_left",
            "button_right",
            "switch_view",
            "next_view",
            "prev_view",
            "switch_pipeline",
        ] {
            assert!(Action::from_name(name).is_some(), "missing {name}");
        }
        assert_eq!(Action::Tab3.tab_number(), Some(3));
        assert_eq!(Action::Open.tab_number(), None);
    }

    #[test]
    fn unknown_name_is_an_error() {
        assert_eq!(
            "frobnicate".parse::<Action>(),
            Err(UnknownAction("frobnicate".into()))
        );
        assert_eq!(UnknownAction("x".into()).to_string(), "unknown action `x`");
    }
}
