//! The modal layer: every form, picker and dialog that opens over the panes is one [`Modal`]
//! on one stack, [`App::modals`]. The confirmation dialog and the help/text/error overlay are
//! the fixed upper layers above it (a confirmation can be asked from any modal, and help reads
//! over anything).
//!
//! From this one stack come the three orders that used to be kept by hand and disagreed:
//! which layer gets a key or a paste ([`App::top_layer`]), the keymap context the status bar
//! and the command palette speak of ([`App::context`]), and what `ui::draw` paints, bottom to
//! top ([`App::layers`]).
//!
//! Opening a modal of a kind that is already open replaces it where it stands (a form that
//! moves from editing to saving stays the same layer); any other opens on top. Each modal
//! handles its own keys in its flow module and the parent (`App`) owns the request IDs.
//!
//! Must not: do I/O or decide what a key means (the flows do).

use super::actions::AddAssociation;
use super::activity_form::ActivityForm;
use super::batch_open::BatchOpenForm;
use super::create::CreateForm;
use super::edit::EditForm;
use super::search_form::SearchForm;
use super::undo_flow::{LogModal, UndoDialog};
use super::views_flow::PickerModal;
use super::{App, PropertyChooser};
use crate::keymap::Context;

/// A form, picker or dialog over the panes.
#[derive(Debug)]
pub enum Modal {
    /// Editing one property of a ticket, or of the marked tickets (`e`, `E`).
    Edit(Box<EditForm>),
    /// Choosing the property of a bulk edit.
    Chooser(Box<PropertyChooser>),
    /// Opening tickets by ID or by a unique property (`b`).
    BatchOpen(Box<BatchOpenForm>),
    /// A new ticket (`n`).
    Create(Box<CreateForm>),
    /// Associating a record with the ticket (`a`).
    AddAssociation(Box<AddAssociation>),
    /// A view, sort or command picker.
    Picker(Box<PickerModal>),
    /// The search form (`s`).
    Search(Box<SearchForm>),
    /// A note, call or task being written on a ticket (`n`, `c`, `t`).
    Activity(Box<ActivityForm>),
    /// What an undo will put back, and the user's choice where someone changed it since.
    Undo(Box<UndoDialog>),
    /// The log of writes (`L`).
    Log(Box<LogModal>),
}

/// What takes keys and pasted text, and what is drawn, bottom to top: one order for all
/// three, so a layer cannot get keys but lose pastes, or be drawn under what it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The list or the detail (with the `/` filter line when it is being typed).
    Base,
    /// A draft left from an earlier run, offered back (only over the bare panes).
    DraftOffer,
    EditForm,
    Chooser,
    BatchOpen,
    Create,
    AddAssociation,
    Picker,
    SearchForm,
    ActivityForm,
    Log,
    Undo,
    Confirm,
    Overlay,
}

impl Modal {
    /// The layer this modal is.
    pub fn layer(&self) -> Layer {
        match self {
            Modal::Edit(_) => Layer::EditForm,
            Modal::Chooser(_) => Layer::Chooser,
            Modal::BatchOpen(_) => Layer::BatchOpen,
            Modal::Create(_) => Layer::Create,
            Modal::AddAssociation(_) => Layer::AddAssociation,
            Modal::Picker(_) => Layer::Picker,
            Modal::Search(_) => Layer::SearchForm,
            Modal::Activity(_) => Layer::ActivityForm,
            Modal::Undo(_) => Layer::Undo,
            Modal::Log(_) => Layer::Log,
        }
    }
}

impl From<EditForm> for Modal {
    fn from(f: EditForm) -> Self {
        Modal::Edit(Box::new(f))
    }
}
impl From<PropertyChooser> for Modal {
    fn from(c: PropertyChooser) -> Self {
        Modal::Chooser(Box::new(c))
    }
}
impl From<BatchOpenForm> for Modal {
    fn from(f: BatchOpenForm) -> Self {
        Modal::BatchOpen(Box::new(f))
    }
}
impl From<CreateForm> for Modal {
    fn from(f: CreateForm) -> Self {
        Modal::Create(Box::new(f))
    }
}
impl From<AddAssociation> for Modal {
    fn from(a: AddAssociation) -> Self {
        Modal::AddAssociation(Box::new(a))
    }
}
impl From<PickerModal> for Modal {
    fn from(p: PickerModal) -> Self {
        Modal::Picker(Box::new(p))
    }
}
impl From<SearchForm> for Modal {
    fn from(f: SearchForm) -> Self {
        Modal::Search(Box::new(f))
    }
}
impl From<UndoDialog> for Modal {
    fn from(d: UndoDialog) -> Self {
        Modal::Undo(Box::new(d))
    }
}
impl From<LogModal> for Modal {
    fn from(l: LogModal) -> Self {
        Modal::Log(Box::new(l))
    }
}
impl From<ActivityForm> for Modal {
    fn from(f: ActivityForm) -> Self {
        Modal::Activity(Box::new(f))
    }
}

/// `form()`, `form_mut()` and `take_form()` for each kind of modal: the one of that kind on
/// the stack (there is at most one), wherever it stands.
macro_rules! access {
    ($variant:ident, $ty:ty, $get:ident, $get_mut:ident, $take:ident, $close:ident) => {
        impl Modals {
            pub fn $get(&self) -> Option<&$ty> {
                self.0.iter().find_map(|m| match m {
                    Modal::$variant(x) => Some(&**x),
                    _ => None,
                })
            }
            pub fn $get_mut(&mut self) -> Option<&mut $ty> {
                self.0.iter_mut().find_map(|m| match m {
                    Modal::$variant(x) => Some(&mut **x),
                    _ => None,
                })
            }
            /// Closes it, handing it back.
            pub fn $take(&mut self) -> Option<$ty> {
                let i = self
                    .0
                    .iter()
                    .position(|m| matches!(m, Modal::$variant(_)))?;
                match self.0.remove(i) {
                    Modal::$variant(x) => Some(*x),
                    _ => None,
                }
            }
            /// Closes it.
            pub fn $close(&mut self) {
                self.$take();
            }
        }
    };
}

access!(Edit, EditForm, form, form_mut, take_form, close_form);
access!(
    BatchOpen,
    BatchOpenForm,
    batch_open,
    batch_open_mut,
    take_batch_open,
    close_batch_open
);
access!(
    Create,
    CreateForm,
    create,
    create_mut,
    take_create,
    close_create
);
access!(
    AddAssociation,
    AddAssociation,
    add_assoc,
    add_assoc_mut,
    take_add_assoc,
    close_add_assoc
);
access!(
    Search,
    SearchForm,
    search,
    search_mut,
    take_search,
    close_search
);
access!(
    Chooser,
    PropertyChooser,
    chooser,
    chooser_mut,
    take_chooser,
    close_chooser
);
access!(
    Activity,
    ActivityForm,
    activity,
    activity_mut,
    take_activity,
    close_activity
);
access!(Undo, UndoDialog, undo, undo_mut, take_undo, close_undo);
access!(Log, LogModal, log, log_mut, take_log, close_log);
access!(
    Picker,
    PickerModal,
    picker,
    picker_mut,
    take_picker,
    close_picker
);

/// The stack of open modals, bottom to top; at most one of each kind. A field of its own on
/// `App`, so a flow can hold its modal and read the rest of the app at once.
#[derive(Debug, Default)]
pub struct Modals(Vec<Modal>);

impl Modals {
    /// Opens a modal: in place of an open one of the same kind, else on top.
    pub fn open(&mut self, modal: impl Into<Modal>) {
        let modal = modal.into();
        let layer = modal.layer();
        match self.0.iter_mut().find(|m| m.layer() == layer) {
            Some(slot) => *slot = modal,
            None => self.0.push(modal),
        }
    }

    /// The modals, bottom to top.
    pub fn iter(&self) -> impl Iterator<Item = &Modal> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl App {
    /// Every layer on screen, bottom to top: the panes, then the draft offer or the modals,
    /// then a confirmation, then an overlay. `ui::draw` paints them in this order.
    pub fn layers(&self) -> Vec<Layer> {
        let mut layers = vec![Layer::Base];
        if self.modals.is_empty() && !self.drafts.is_empty() && self.draft_restore.is_none() {
            layers.push(Layer::DraftOffer);
        }
        layers.extend(self.modals.iter().map(Modal::layer));
        if self.confirm.is_some() {
            layers.push(Layer::Confirm);
        }
        if self.overlay.is_some() {
            layers.push(Layer::Overlay);
        }
        layers
    }

    /// The layer on top, which gets the next key or paste.
    pub fn top_layer(&self) -> Layer {
        self.layers().last().copied().unwrap_or(Layer::Base)
    }

    /// The keymap context of the layer under the overlay (the overlay reads over it, and the
    /// status bar and the command palette speak of it).
    pub fn context(&self) -> Context {
        let layers = self.layers();
        let under_overlay = layers.iter().rev().find(|l| **l != Layer::Overlay);
        match under_overlay.copied().unwrap_or(Layer::Base) {
            Layer::Confirm => Context::Confirm,
            Layer::Base => self.base_context(),
            Layer::SearchForm => Context::Search,
            Layer::Picker | Layer::Chooser => Context::Picker,
            Layer::Overlay
            | Layer::DraftOffer
            | Layer::EditForm
            | Layer::BatchOpen
            | Layer::Create
            | Layer::AddAssociation => Context::Form,
            Layer::ActivityForm => Context::ActivityForm,
            Layer::Undo => Context::Undo,
            Layer::Log => Context::Log,
        }
    }
}
