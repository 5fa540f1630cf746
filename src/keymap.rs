//! Keys to actions: `(context, key) -> Action`.
//!
//! Owns the default bindings (`assets/keymap.toml`, compiled in), the parsing of key strings
//! (`Ctrl-d`, `Shift-Tab`, `G`), the merge of the user's `[keys.<context>]` overrides, the
//! lookup with its fallback rules, and the lists the status bar hints and the help overlay are
//! drawn from, so what is shown can never drift from what a key does.
//!
//! Must not: decide what an action does (the focused pane does), read files (the caller hands
//! in the config text), or touch the terminal.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::Deserialize;
use toml::Spanned;

use crate::action::Action;

/// The default bindings; also the documentation of the file format.
pub const DEFAULT_KEYMAP: &str = include_str!("../assets/keymap.toml");

/// Where the focus is, which decides what a key means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Consulted last, from every context.
    Global,
    /// The ticket list.
    List,
    /// The ticket pane (Properties tab), and the fallback of the other tabs.
    Detail,
    /// Detail's History tab.
    History,
    /// Detail's Associations tab.
    Associations,
    /// Detail's Activity tab.
    Activity,
    /// Edit and create forms (text input).
    Form,
    /// The note, call and task forms; keys not bound here are the `form` context's.
    ActivityForm,
    /// Confirmation dialogs.
    Confirm,
    /// The `/` filter line (text input).
    Filter,
    /// Any list to choose from (a property's options, views, sort, commands): typing filters.
    Picker,
    /// An edit that met a colleague's change: overwrite, reload or keep editing.
    Conflict,
    /// The result of a bulk write, with failures to retry.
    Result,
    /// A draft left from an earlier run, offered back.
    Draft,
    /// The overlay over everything: help, a value read in full, an error to read.
    Overlay,
    /// The undo dialog: what will be put back, keep theirs or put back mine per ticket.
    Undo,
    /// The log of writes (`L`).
    Log,
    /// Triage mode (`T`): its own keys first, then the detail tab's.
    Triage,
    /// The search form (`s`): its fields, conditions, sort and columns (its lists are
    /// pickers). Its text and choice fields take typing: there plain characters are text.
    Search,
}

impl Context {
    /// Every context, in the order the help overlay lists them.
    pub const ALL: [Context; 19] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::History,
        Context::Associations,
        Context::Activity,
        Context::Form,
        Context::ActivityForm,
        Context::Search,
        Context::Picker,
        Context::Confirm,
        Context::Conflict,
        Context::Result,
        Context::Draft,
        Context::Filter,
        Context::Overlay,
        Context::Undo,
        Context::Log,
        Context::Triage,
    ];

    /// Every context's name, as `[keys.<name>]` spells it: "global, list, ...".
    pub fn names() -> String {
        Context::ALL.map(Context::name).join(", ")
    }

    /// The name used in `[keys.<name>]`.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Detail => "detail",
            Context::History => "history",
            Context::Associations => "associations",
            Context::Activity => "activity",
            Context::Form => "form",
            Context::ActivityForm => "activity_form",
            Context::Confirm => "confirm",
            Context::Filter => "filter",
            Context::Picker => "picker",
            Context::Conflict => "conflict",
            Context::Result => "result",
            Context::Draft => "draft",
            Context::Overlay => "overlay",
            Context::Undo => "undo",
            Context::Log => "log",
            Context::Triage => "triage",
            Context::Search => "search",
        }
    }

    /// The context called `name`, if any.
    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Where a key not bound here is looked up next.
    pub fn parent(self) -> Option<Context> {
        match self {
            Context::Global => None,
            Context::History | Context::Associations | Context::Activity => Some(Context::Detail),
            Context::ActivityForm => Some(Context::Form),
            _ => Some(Context::Global),
        }
    }

    /// Modal and text-input contexts: plain characters typed there never reach the parent
    /// (typing `q` in a field types a q); only Ctrl/Alt chords and F-keys do.
    pub fn is_modal(self) -> bool {
        matches!(
            self,
            Context::Form
                | Context::ActivityForm
                | Context::Confirm
                | Context::Filter
                | Context::Picker
                | Context::Conflict
                | Context::Result
                | Context::Draft
                | Context::Overlay
                | Context::Undo
                | Context::Log
                | Context::Search
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A key with its modifiers, normalized so that what a terminal reports and what a keymap
/// file says compare equal: `Shift` is folded into characters (`G`, `?`), `BackTab` is
/// `Shift-Tab`, and only Ctrl, Alt and Shift are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl Key {
    /// A normalized key.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                // Terminals disagree on whether `G` comes with SHIFT and on whether a shifted
                // letter arrives upper-cased; fold both into the character.
                let shifted = modifiers.contains(KeyModifiers::SHIFT);
                modifiers.remove(KeyModifiers::SHIFT);
                if shifted && c.is_lowercase() {
                    let mut upper = c.to_uppercase();
                    match (upper.next(), upper.next()) {
                        (Some(u), None) => KeyCode::Char(u),
                        _ => KeyCode::Char(c),
                    }
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                modifiers.insert(KeyModifiers::SHIFT);
                KeyCode::Tab
            }
            other => other,
        };
        Key { code, modifiers }
    }

    /// The key of a crossterm key event (its kind is not looked at).
    pub fn from_event(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    /// The key code after normalization.
    pub fn code(&self) -> KeyCode {
        self.code
    }

    /// The modifiers after normalization (only Ctrl, Alt, Shift; never Shift on a character).
    pub fn modifiers(&self) -> KeyModifiers {
        self.modifiers
    }

    /// A printable character typed without Ctrl or Alt: what a text input would take.
    pub fn is_plain_char(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }

    fn is_chord(&self) -> bool {
        self.modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            || matches!(self.code, KeyCode::F(_))
    }

    /// Parses a key as written in keymap files: `j`, `G`, `?`, `Ctrl-d`, `shift-tab`, `F1`.
    pub fn parse(text: &str) -> Result<Key, KeyParseError> {
        let err = |reason: &'static str| KeyParseError {
            key: text.to_owned(),
            reason,
        };
        let mut rest = text;
        let mut modifiers = KeyModifiers::NONE;
        loop {
            // A lone remaining char is the key itself, even if it is `-`.
            if rest.chars().nth(1).is_none() {
                break;
            }
            let Some((head, tail)) = rest.split_once('-') else {
                break;
            };
            let modifier = match head.to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "c" => KeyModifiers::CONTROL,
                "alt" | "meta" | "m" => KeyModifiers::ALT,
                "shift" | "s" => KeyModifiers::SHIFT,
                _ => break,
            };
            if modifiers.contains(modifier) {
                return Err(err("modifier given twice"));
            }
            modifiers |= modifier;
            rest = tail;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err(err("no key after the modifiers")),
            (Some(c), None) if c.is_control() => {
                return Err(err("control characters are not keys"));
            }
            (Some(' '), None) => return Err(err("write a space as `Space`")),
            (Some(c), None) => KeyCode::Char(c),
            _ => named_key(rest).ok_or_else(|| err("unknown key name"))?,
        };
        Ok(Key::new(code, modifiers))
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    let lower = name.to_ascii_lowercase();
    let code = match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "space" => KeyCode::Char(' '),
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        _ => {
            let n: u8 = lower.strip_prefix('f')?.parse().ok()?;
            if !(1..=24).contains(&n) {
                return None;
            }
            KeyCode::F(n)
        }
    };
    Some(code)
}

impl fmt::Display for Key {
    /// The canonical spelling, the one used in `assets/keymap.toml`: `Ctrl-d`, `Shift-Tab`, `G`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("BackTab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Insert => f.write_str("Insert"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PageUp"),
            KeyCode::PageDown => f.write_str("PageDown"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            other => write!(f, "{other:?}"),
        }
    }
}

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Key::parse(s)
    }
}

/// A key string that is not a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad key \"{key}\": {reason}")]
pub struct KeyParseError {
    /// The text as written.
    pub key: String,
    /// Why it is not a key.
    pub reason: &'static str,
}

/// A keymap file (the defaults or the user's config) that cannot be used. Names the file, the
/// line and the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    /// Not valid TOML, or `keys` has the wrong shape.
    #[error("{source_name}: {message}")]
    Toml {
        source_name: String,
        message: String,
    },
    /// `[keys.<context>]` with a context hubtix does not have.
    #[error(
        "{source_name} line {line}: unknown key context [keys.{context}] (expected one of: {names})",
        names = Context::names()
    )]
    UnknownContext {
        source_name: String,
        line: usize,
        context: String,
    },
    /// An entry whose name is not an action.
    #[error(
        "{source_name} line {line}: [keys.{context}] `{action}` is not an action (see the names in the default keymap)"
    )]
    UnknownAction {
        source_name: String,
        line: usize,
        context: String,
        action: String,
    },
    /// A key string that does not parse.
    #[error("{source_name} line {line}: [keys.{context}] {action}: {error}")]
    BadKey {
        source_name: String,
        line: usize,
        context: String,
        action: String,
        error: KeyParseError,
    },
    /// The same key twice in one context of one file.
    #[error(
        "{source_name} line {line}: [keys.{context}] {key} is bound to both `{first}` and `{second}`"
    )]
    DuplicateKey {
        source_name: String,
        line: usize,
        context: String,
        key: String,
        first: Action,
        second: Action,
    },
}

/// One action's keys in one context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Where the binding applies.
    pub context: Context,
    /// What the keys do.
    pub action: Action,
    /// The keys, first one preferred in hints.
    pub keys: Vec<Key>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct ContextMap {
    /// Actions in file order with their keys (an action with no keys is dropped).
    order: Vec<(Action, Vec<Key>)>,
    lookup: HashMap<Key, Action>,
}

impl ContextMap {
    fn bind(&mut self, action: Action, keys: Vec<Key>) {
        // The new keys are taken from whichever action had them.
        for key in &keys {
            if let Some(old) = self.lookup.insert(*key, action)
                && old != action
                && let Some((_, old_keys)) = self.order.iter_mut().find(|(a, _)| *a == old)
            {
                old_keys.retain(|k| k != key);
            }
        }
        // The action's previous keys are replaced.
        if let Some(pos) = self.order.iter().position(|(a, _)| *a == action) {
            let (_, old_keys) = self.order.remove(pos);
            for key in old_keys {
                if !keys.contains(&key) && self.lookup.get(&key) == Some(&action) {
                    self.lookup.remove(&key);
                }
            }
            self.order.insert(pos, (action, keys));
        } else {
            self.order.push((action, keys));
        }
        self.order.retain(|(_, k)| !k.is_empty());
    }
}

/// Resolves keys to actions per context. Build it with [`Keymap::default`] (the compiled-in
/// defaults) and layer the user's config on with [`Keymap::with_overrides`].
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    contexts: Vec<ContextMap>,
}

impl Default for Keymap {
    /// The compiled-in defaults from `assets/keymap.toml`.
    fn default() -> Self {
        let empty = Keymap {
            contexts: vec![ContextMap::default(); Context::ALL.len()],
        };
        // A unit test parses the same compiled-in text, so this cannot fail in a release.
        #[allow(clippy::expect_used)]
        empty
            .with_overrides(DEFAULT_KEYMAP, "assets/keymap.toml")
            .expect("the default keymap is valid (checked by a unit test)")
    }
}

/// `keys = one key` or `keys = [several]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeySpec {
    One(String),
    Many(Vec<String>),
}

type RawKeys = HashMap<Spanned<String>, HashMap<Spanned<String>, Spanned<KeySpec>>>;

/// The part of a config file this module reads; everything else is ignored.
#[derive(Debug, Deserialize)]
struct KeysDoc {
    #[serde(default)]
    keys: RawKeys,
}

impl Keymap {
    /// The defaults with the `[keys.<context>]` tables of `config_text` merged over them.
    /// `source_name` (usually the config file's path) prefixes error messages. Other tables of
    /// the file are ignored.
    pub fn from_config(config_text: &str, source_name: &str) -> Result<Keymap, KeymapError> {
        Keymap::default().with_overrides(config_text, source_name)
    }

    /// This keymap with the `[keys.<context>]` tables of `text` merged over it: each entry
    /// `action = "key"` / `["k1", "k2"]` / `[]` replaces that action's keys in that context,
    /// and takes the keys away from any other action of the context.
    pub fn with_overrides(mut self, text: &str, source_name: &str) -> Result<Keymap, KeymapError> {
        let doc: KeysDoc = toml::from_str(text).map_err(|e| KeymapError::Toml {
            source_name: source_name.to_owned(),
            // Never TOML's own rendering: it quotes the line, which may hold the token.
            message: crate::config::describe_toml_error(text, &e),
        })?;
        let line_of = |span: std::ops::Range<usize>| {
            text.get(..span.start)
                .map_or(0, |before| before.matches('\n').count())
                + 1
        };
        // Apply in file order, so the help overlay lists actions as the file does.
        let mut contexts: Vec<_> = doc.keys.into_iter().collect();
        contexts.sort_by_key(|(name, _)| name.span().start);
        for (context_name, entries) in contexts {
            let line = line_of(context_name.span());
            let context_str = context_name.into_inner();
            let Some(context) = Context::from_name(&context_str) else {
                return Err(KeymapError::UnknownContext {
                    source_name: source_name.to_owned(),
                    line,
                    context: context_str,
                });
            };
            let mut entries: Vec<_> = entries.into_iter().collect();
            entries.sort_by_key(|(name, _)| name.span().start);
            let mut seen: HashMap<Key, Action> = HashMap::new();
            for (action_name, spec) in entries {
                let line = line_of(action_name.span());
                let action_str = action_name.into_inner();
                let Some(action) = Action::from_name(&action_str) else {
                    return Err(KeymapError::UnknownAction {
                        source_name: source_name.to_owned(),
                        line,
                        context: context_str,
                        action: action_str,
                    });
                };
                let key_strings = match spec.into_inner() {
                    KeySpec::One(k) => vec![k],
                    KeySpec::Many(ks) => ks,
                };
                let mut keys = Vec::with_capacity(key_strings.len());
                for key_string in key_strings {
                    let key = Key::parse(&key_string).map_err(|error| KeymapError::BadKey {
                        source_name: source_name.to_owned(),
                        line,
                        context: context_str.clone(),
                        action: action_str.clone(),
                        error,
                    })?;
                    if let Some(first) = seen.insert(key, action) {
                        return Err(KeymapError::DuplicateKey {
                            source_name: source_name.to_owned(),
                            line,
                            context: context_str,
                            key: key.to_string(),
                            first,
                            second: action,
                        });
                    }
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                self.contexts[context.index()].bind(action, keys);
            }
        }
        Ok(self)
    }

    /// The action of a key press in `context`, or `None` (then a text input may take it).
    ///
    /// Looks in `context`, then its parents (`history` → `detail` → `global`,
    /// `activity_form` → `form`). From modal contexts (`form`, `confirm`, `filter`) only
    /// Ctrl/Alt chords and F-keys fall through to `global`, so typing never triggers a global
    /// action. Release and repeat events give `None`.
    pub fn resolve(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        if event.kind != KeyEventKind::Press {
            return None;
        }
        self.resolve_key(context, Key::from_event(event))
    }

    /// Like [`Keymap::resolve`] for an already normalized key.
    pub fn resolve_key(&self, context: Context, key: Key) -> Option<Action> {
        let mut current = context;
        loop {
            if let Some(action) = self.contexts[current.index()].lookup.get(&key) {
                return Some(*action);
            }
            let parent = current.parent()?;
            if parent == Context::Global && current.is_modal() && !key.is_chord() {
                return None;
            }
            current = parent;
        }
    }

    /// The keys bound to `action` in `context` itself (not its parents), preferred first.
    pub fn keys_for(&self, context: Context, action: Action) -> &[Key] {
        self.contexts[context.index()]
            .order
            .iter()
            .find(|(a, _)| *a == action)
            .map_or(&[], |(_, keys)| keys.as_slice())
    }

    /// How a message names the key for `action` in `context` (or a parent it falls back to):
    /// its first key ("Esc"), or, when the user unbound it, the action's name with the
    /// command palette's key (": clear_narrowing"), so no message names a key that does not
    /// do it.
    pub fn key_name(&self, context: Context, action: Action) -> String {
        let mut current = Some(context);
        while let Some(c) = current {
            if let Some(k) = self.key_for(c, action) {
                return k.to_string();
            }
            current = c.parent();
        }
        match self
            .keys_for(Context::Global, Action::CommandPalette)
            .first()
        {
            Some(k) => format!("{k} {}", action.name()),
            None => action.name().to_owned(),
        }
    }

    /// The preferred key of `action` in `context` itself (the first one bound), for naming it
    /// in a footer or a message.
    pub fn key_for(&self, context: Context, action: Action) -> Option<Key> {
        self.keys_for(context, action).first().copied()
    }

    /// Every binding, context by context in [`Context::ALL`] order, actions in file order.
    /// This is what the help overlay draws.
    pub fn bindings(&self) -> Vec<Binding> {
        Context::ALL
            .into_iter()
            .flat_map(|context| self.bindings_in(context))
            .collect()
    }

    /// The bindings of one context (without its parents), in file order.
    pub fn bindings_in(&self, context: Context) -> Vec<Binding> {
        self.contexts[context.index()]
            .order
            .iter()
            .map(|(action, keys)| Binding {
                context,
                action: *action,
                keys: keys.clone(),
            })
            .collect()
    }

    /// Status bar hints for `context`: `("j/k", "move")`, `("Enter", "open")`, ... The
    /// context's own bindings then its non-global parents', one key per action (the first
    /// that really does that action here), actions sharing a label joined into one hint.
    pub fn hints(&self, context: Context) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(String, &'static str)> = Vec::new();
        let mut done: Vec<Action> = Vec::new();
        let mut current = Some(context);
        while let Some(ctx) =
            current.filter(|c| *c != Context::Global || context == Context::Global)
        {
            for (action, keys) in &self.contexts[ctx.index()].order {
                if done.contains(action) {
                    continue;
                }
                let Some(key) = keys
                    .iter()
                    .find(|k| self.resolve_key(context, **k) == Some(*action))
                else {
                    continue;
                };
                done.push(*action);
                let label = action.label();
                match hints.iter_mut().find(|(_, l)| *l == label) {
                    Some((keys_text, _)) => {
                        keys_text.push('/');
                        keys_text.push_str(&key.to_string());
                    }
                    None => hints.push((key.to_string(), label)),
                }
            }
            current = ctx.parent();
        }
        hints
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_parse() {
        let map = Keymap::default();
        assert!(!map.bindings().is_empty());
        for context in Context::ALL {
            assert!(
                !map.bindings_in(context).is_empty(),
                "{context} has no bindings"
            );
        }
    }

    #[test]
    fn every_action_is_documented_in_the_default_file() {
        for action in Action::ALL {
            assert!(
                DEFAULT_KEYMAP.contains(action.name()),
                "{} missing from assets/keymap.toml",
                action.name()
            );
        }
    }

    /// The "Default keys" table of UX.md, row by row. Scripts rely on these.
    #[test]
    fn ux_default_keys() {
        use Action::*;
        use Context as C;
        let map = Keymap::default();
        let table: &[(Context, &str, Action)] = &[
            // everywhere (checked from list and detail, which fall back to global)
            (C::List, "?", Help),
            (C::List, "q", Back),
            (C::Detail, "q", Back),
            (C::List, "Ctrl-c", ForceQuit),
            (C::Form, "Ctrl-c", ForceQuit),
            (C::Filter, "Ctrl-c", ForceQuit),
            (C::Confirm, "Ctrl-c", ForceQuit),
            (C::History, "Ctrl-c", ForceQuit),
            (C::List, "Tab", NextPane),
            (C::List, "Shift-Tab", PrevPane),
            (C::Detail, "Tab", NextPane),
            (C::List, "r", Refresh),
            (C::Detail, "r", Refresh),
            (C::List, "R", ReloadAll),
            (C::List, ":", CommandPalette),
            // list
            (C::List, "j", Down),
            (C::List, "k", Up),
            (C::List, "Down", Down),
            (C::List, "Up", Up),
            (C::List, "g", Top),
            (C::List, "G", Bottom),
            (C::List, "Ctrl-d", HalfPageDown),
            (C::List, "Ctrl-u", HalfPageUp),
            (C::List, "Enter", Open),
            (C::List, "/", Filter),
            (C::List, "s", Search),
            (C::List, "S", Sort),
            (C::List, "Space", Mark),
            (C::List, "V", MarkAll),
            (C::List, "n", NewTicket),
            (C::List, "e", Edit),
            (C::List, "D", Delete),
            (C::List, "b", BatchOpen),
            (C::List, "y", CopyId),
            (C::List, "Y", CopyUrl),
            (C::List, "o", OpenInBrowser),
            (C::List, "M", Merge),
            // detail
            (C::Detail, "[", PrevTab),
            (C::Detail, "]", NextTab),
            (C::Detail, "1", Tab1),
            (C::Detail, "2", Tab2),
            (C::Detail, "3", Tab3),
            (C::Detail, "4", Tab4),
            (C::Detail, "j", Down),
            (C::Detail, "k", Up),
            (C::Detail, "e", Edit),
            (C::Detail, "h", HistoryOfProperty),
            (C::Detail, "C", CustomerTickets),
            (C::Detail, "Esc", Back),
            // history
            (C::History, "j", Down),
            (C::History, "k", Up),
            (C::History, "f", HistoryFilter),
            (C::History, "Enter", ShowFull),
            (C::History, "u", RestoreValue),
            (C::History, "]", NextTab),
            (C::History, "Esc", Back),
            // associations
            (C::Associations, "j", Down),
            (C::Associations, "k", Up),
            (C::Associations, "a", AddAssociation),
            (C::Associations, "x", RemoveAssociation),
            (C::Associations, "Enter", Open),
            // activity
            (C::Activity, "j", Down),
            (C::Activity, "k", Up),
            (C::Activity, "p", Pin),
            (C::Activity, "P", Unpin),
            (C::Activity, "Enter", ShowFull),
            // forms
            (C::Form, "Tab", NextField),
            (C::Form, "Shift-Tab", PrevField),
            (C::Form, "Ctrl-s", Save),
            (C::Form, "Esc", Cancel),
            (C::Form, "Enter", Open),
            // confirmation
            (C::Confirm, "y", Confirm),
            (C::Confirm, "n", Decline),
            (C::Confirm, "Esc", Decline),
            (C::Confirm, "Left", ButtonLeft),
            (C::Confirm, "Right", ButtonRight),
            // filter line
            (C::Filter, "Enter", Accept),
            (C::Filter, "Esc", Cancel),
            // pickers
            (C::Picker, "Up", Up),
            (C::Picker, "Down", Down),
            (C::Picker, "Space", Toggle),
            (C::Picker, "Ctrl-u", Clear),
            (C::Picker, "Enter", Accept),
            (C::Picker, "Esc", Cancel),
            // search form
            (C::Search, "Tab", NextField),
            (C::Search, "Shift-Tab", PrevField),
            (C::Search, "Ctrl-s", Search),
            (C::Search, "Ctrl-w", SaveView),
            (C::Search, "Esc", Cancel),
            (C::Search, "Enter", Open),
            (C::Search, "Up", Up),
            (C::Search, "Down", Down),
            (C::Search, "Ctrl-u", Clear),
            (C::Search, "x", Remove),
            (C::Search, "Delete", Remove),
            (C::Search, "a", Add),
            (C::Search, "j", NextCondition),
            (C::Search, "k", PrevCondition),
            (C::Search, "o", NewOrGroup),
            (C::Search, "d", SortDirection),
            (C::Search, "Space", SortDirection),
            (C::Search, "h", PrevColumn),
            (C::Search, "Left", PrevColumn),
            (C::Search, "l", NextColumn),
            (C::Search, "Right", NextColumn),
            (C::Search, "<", MoveColumnLeft),
            (C::Search, ">", MoveColumnRight),
            (C::Search, "Ctrl-c", ForceQuit),
        ];
        for (context, k, action) in table {
            assert_eq!(
                map.resolve_key(*context, key(k)),
                Some(*action),
                "{k} in {context}"
            );
        }
    }

    #[test]
    fn resolves_crossterm_events_as_terminals_send_them() {
        let map = Keymap::default();
        // `G` usually arrives with SHIFT, sometimes without, sometimes as shifted lowercase.
        for event in [
            press(KeyCode::Char('G'), KeyModifiers::SHIFT),
            press(KeyCode::Char('G'), KeyModifiers::NONE),
            press(KeyCode::Char('g'), KeyModifiers::SHIFT),
        ] {
            assert_eq!(map.resolve(Context::List, &event), Some(Action::Bottom));
        }
        assert_eq!(
            map.resolve(
                Context::List,
                &press(KeyCode::Char('?'), KeyModifiers::SHIFT)
            ),
            Some(Action::Help)
        );
        assert_eq!(
            map.resolve(Context::List, &press(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
        assert_eq!(
            map.resolve(Context::List, &press(KeyCode::BackTab, KeyModifiers::NONE)),
            Some(Action::PrevPane)
        );
        assert_eq!(
            map.resolve(
                Context::List,
                &press(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::ForceQuit)
        );
        let mut release = press(KeyCode::Char('j'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(map.resolve(Context::List, &release), None);
        // Ctrl-d is not d.
        assert_eq!(map.resolve_key(Context::List, key("Ctrl-j")), None);
    }

    #[test]
    fn text_inputs_keep_plain_characters() {
        let map = Keymap::default();
        for c in ['q', '?', 'r', 'R', ':', 'j', 'e', 'D'] {
            let k = Key::new(KeyCode::Char(c), KeyModifiers::NONE);
            assert_eq!(map.resolve_key(Context::Filter, k), None, "{c} in filter");
            assert_eq!(map.resolve_key(Context::Form, k), None, "{c} in form");
        }
        assert_eq!(
            map.resolve_key(Context::Form, key("F1")),
            Some(Action::Help)
        );
        assert_eq!(map.resolve_key(Context::Confirm, key("q")), None);
        // The search form is modal too: `q` and `?` never reach global from there.
        assert_eq!(map.resolve_key(Context::Search, key("q")), None);
        assert_eq!(map.resolve_key(Context::Search, key("?")), None);
        assert_eq!(
            map.resolve_key(Context::Search, key("F1")),
            Some(Action::Help)
        );
        assert_eq!(
            map.resolve_key(Context::Confirm, key("Tab")),
            Some(Action::ButtonRight)
        );
        // The non-modal tabs do fall back to detail and global.
        assert_eq!(
            map.resolve_key(Context::Activity, key("q")),
            Some(Action::Back)
        );
    }

    #[test]
    fn key_strings_round_trip() {
        for (written, canonical) in [
            ("j", "j"),
            ("G", "G"),
            ("Shift-g", "G"),
            ("Ctrl-d", "Ctrl-d"),
            ("ctrl-c", "Ctrl-c"),
            ("CTRL-C", "Ctrl-C"),
            ("Shift-Tab", "Shift-Tab"),
            ("BackTab", "Shift-Tab"),
            ("shift-tab", "Shift-Tab"),
            ("Enter", "Enter"),
            ("return", "Enter"),
            ("Esc", "Esc"),
            ("escape", "Esc"),
            ("Space", "Space"),
            ("Up", "Up"),
            ("PageDown", "PageDown"),
            ("pgup", "PageUp"),
            ("F1", "F1"),
            ("f12", "F12"),
            ("?", "?"),
            ("Shift-?", "?"),
            ("[", "["),
            ("1", "1"),
            ("-", "-"),
            ("Ctrl--", "Ctrl--"),
            ("Alt-x", "Alt-x"),
            ("Ctrl-Alt-Delete", "Ctrl-Alt-Delete"),
            ("Alt-Ctrl-x", "Ctrl-Alt-x"),
            ("Ctrl-Space", "Ctrl-Space"),
            ("é", "é"),
            ("Shift-é", "É"),
        ] {
            let parsed = key(written);
            assert_eq!(parsed.to_string(), canonical, "display of {written}");
            assert_eq!(key(canonical), parsed, "parse of {canonical}");
        }
        // Every key of the default file displays as written there.
        let map = Keymap::default();
        for binding in map.bindings() {
            for k in &binding.keys {
                assert_eq!(key(&k.to_string()), *k);
                assert!(
                    DEFAULT_KEYMAP.contains(&format!("\"{k}\"")),
                    "{k} is not written canonically in the default file"
                );
            }
        }
    }

    #[test]
    fn bad_key_strings() {
        for bad in [
            "",
            "Ctrl-",
            "Hyper-x",
            "Foo",
            "F0",
            "F99",
            "Ctrl-Ctrl-c",
            " ",
            "\u{1b}",
        ] {
            assert!(Key::parse(bad).is_err(), "{bad:?} should not parse");
        }
        let e = Key::parse("Ctrl-Foo").expect_err("bad");
        assert_eq!(e.to_string(), "bad key \"Ctrl-Foo\": unknown key name");
    }

    #[test]
    fn overrides_merge_over_defaults() {
        let config = r#"
portal_id = "123"   # other settings are ignored here

[keys.list]
delete = "x"            # replaces D
down = ["j", "Ctrl-n"]
mark = []               # unbinds Space
edit = "y"              # takes y away from copy_id

[keys.global]
quit = "Ctrl-q"
"#;
        let map = Keymap::from_config(config, "config.toml").expect("valid");
        assert_eq!(
            map.resolve_key(Context::List, key("x")),
            Some(Action::Delete)
        );
        assert_eq!(map.resolve_key(Context::List, key("D")), None);
        assert_eq!(
            map.resolve_key(Context::List, key("Ctrl-n")),
            Some(Action::Down)
        );
        assert_eq!(map.resolve_key(Context::List, key("Down")), None);
        assert_eq!(map.resolve_key(Context::List, key("Space")), None);
        assert_eq!(map.resolve_key(Context::List, key("y")), Some(Action::Edit));
        assert_eq!(map.keys_for(Context::List, Action::CopyId), &[] as &[Key]);
        assert_eq!(
            map.resolve_key(Context::List, key("Ctrl-q")),
            Some(Action::Quit)
        );
        // Untouched defaults survive, in other contexts too.
        assert_eq!(
            map.resolve_key(Context::List, key("G")),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.resolve_key(Context::Detail, key("y")),
            Some(Action::CopyId)
        );
        assert_eq!(map.resolve_key(Context::List, key("q")), Some(Action::Back));
        // Hints follow the override.
        let hints = map.hints(Context::List);
        assert!(hints.contains(&("x".to_owned(), "delete")), "{hints:?}");
        assert!(!hints.iter().any(|(_, l)| *l == "mark"), "{hints:?}");
        // A file without [keys] changes nothing.
        let same = Keymap::from_config("portal_id = \"1\"\n", "c").expect("valid");
        assert_eq!(same.bindings(), Keymap::default().bindings());
    }

    #[test]
    fn bad_bindings_are_reported_with_line_and_entry() {
        let err = |text: &str| {
            Keymap::from_config(text, "config.toml")
                .expect_err("should fail")
                .to_string()
        };
        assert_eq!(
            err("\n[keys.lsit]\ndown = \"j\"\n"),
            "config.toml line 2: unknown key context [keys.lsit] (expected one of: global, list, detail, history, associations, activity, form, activity_form, search, picker, confirm, conflict, result, draft, filter, overlay, undo, log, triage)"
        );
        assert_eq!(
            err("[keys.list]\ndown = \"j\"\nexplode = \"x\"\n"),
            "config.toml line 3: [keys.list] `explode` is not an action (see the names in the default keymap)"
        );
        assert_eq!(
            err("[keys.detail]\n\n\nup = [\"k\", \"Ctrl-Foo\"]\n"),
            "config.toml line 4: [keys.detail] up: bad key \"Ctrl-Foo\": unknown key name"
        );
        assert_eq!(
            err("[keys.list]\nup = \"k\"\ndown = \"k\"\n"),
            "config.toml line 3: [keys.list] k is bound to both `up` and `down`"
        );
        let toml_error = err("[keys.list]\nup = 3\n");
        assert!(toml_error.starts_with("config.toml: "), "{toml_error}");
        assert!(toml_error.contains("line 2"), "{toml_error}");
    }

    #[test]
    fn hints_come_from_the_bindings() {
        let map = Keymap::default();
        let hints = map.hints(Context::List);
        assert_eq!(hints[0], ("j/k".to_owned(), "move"));
        assert!(hints.contains(&("Enter".to_owned(), "open")));
        assert!(hints.contains(&("/".to_owned(), "filter")));
        assert!(hints.contains(&("D".to_owned(), "delete")));
        // File order is status-bar order: the UX.md mock's hints come first.
        let first: Vec<&str> = hints.iter().take(8).map(|(_, l)| *l).collect();
        assert_eq!(
            first,
            [
                "move", "open", "edit", "new", "filter", "search", "delete", "mark"
            ]
        );
        assert!(
            map.hints(Context::Detail)
                .contains(&("[/]".to_owned(), "tab"))
        );
        // History shows its own keys first, then detail's that still apply there.
        let history = map.hints(Context::History);
        assert_eq!(history[0], ("f".to_owned(), "filter"));
        assert!(history.contains(&("j/k".to_owned(), "move")));
        // detail's `e` applies in history too, but not `Enter`-as-something-else.
        assert!(history.contains(&("Enter".to_owned(), "full")));
        // Global hints are only shown for the global context.
        assert!(!hints.iter().any(|(_, l)| *l == "help"));
        assert!(
            map.hints(Context::Global)
                .contains(&("?".to_owned(), "help"))
        );
    }

    #[test]
    fn context_names_round_trip() {
        for context in Context::ALL {
            assert_eq!(Context::from_name(context.name()), Some(context));
        }
        assert_eq!(Context::from_name("nope"), None);
    }
}
