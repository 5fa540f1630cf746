//! Update tests of the note, call and task forms (`activity_form`, `activity_flow`): keys in,
//! exact effects out. Opening from the Activity tab, the list, triage and the command palette;
//! what each form sends; validation naming the field; HubSpot's refusal keeping the text (and
//! its draft); the external editor's round trip; drafts written, forgotten and restored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::activity_form::{Also, FieldId, FormError, parse_duration};
use super::detail::{Loadable, Tab};
use super::tests::fixtures::*;
use super::{App, Effect, Focus, Layer, Msg, update};
use crate::domain::{
    ActivityDetails, ActivityKind, ActivityOptions, AssociationTarget, CallDirection, NewActivity,
    PropertyOption, TaskPriority,
};
use crate::drafts::{Draft, DraftKind, activity_key};
use crate::protocol::{Command, Event};

fn ev(app: &mut App, e: Event) -> Vec<Effect> {
    update(app, Msg::Worker(e))
}

fn toast(app: &App) -> String {
    app.toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

fn shift_tab() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
}

/// The form's text of a field.
fn text(app: &App, id: FieldId) -> String {
    app.modals.activity().expect("form").text(id)
}

/// Ten tickets loaded, 1001's detail open (focused) on the Activity tab, its activities
/// loaded; `me` is Ben Carter (owner 12).
fn on_activity() -> App {
    let mut app = loaded(160, 48, 10, false);
    app.me = Some("ben@example.com".into());
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, key('4'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadActivities { .. }));
    ev(
        &mut app,
        Event::ActivitiesLoaded {
            req,
            ticket_id: "1001".into(),
            items: activities(),
        },
    );
    app
}

/// Presses `key` on the Activity tab and answers the associations the form asks for (once:
/// the detail keeps them). A call form asks for the call outcomes too: that request is
/// returned, unanswered.
fn open_with_associations(app: &mut App, c: char) -> Option<u64> {
    let fx = update(app, key(c));
    assert_eq!(app.top_layer(), Layer::ActivityForm);
    let mut options = None;
    let mut assoc = None;
    for cmd in commands(&fx) {
        match cmd {
            Command::LoadAssociations { req, ticket_id } if ticket_id == "1001" => {
                assoc = Some(req);
            }
            Command::LoadActivityOptions { req } if c == 'c' => options = Some(req),
            other => panic!("unexpected {other:?}"),
        }
    }
    if app.detail.associations.ready().is_some() {
        assert_eq!(assoc, None, "loaded already");
        return options;
    }
    assert_eq!(
        app.modals.activity().and_then(|f| f.also().cloned()),
        Some(Also::Loading)
    );
    ev(
        app,
        Event::AssociationsLoaded {
            req: assoc.expect("the ticket's associations are loaded"),
            ticket_id: "1001".into(),
            items: associations(),
        },
    );
    options
}

/// Types `text` (a `\n` is Enter) and returns the effects.
fn type_lines(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| match c {
            '\n' => update(app, code(KeyCode::Enter)),
            c => update(app, key(c)),
        })
        .collect()
}

/// The one `CreateActivity` among `fx`.
fn created(fx: &[Effect]) -> (u64, NewActivity) {
    match commands(fx).as_slice() {
        [Command::CreateActivity { req, activity }] => (*req, activity.clone()),
        other => panic!("expected one CreateActivity, got {other:?}"),
    }
}

fn also_both() -> Vec<(AssociationTarget, String)> {
    vec![
        (AssociationTarget::Contact, "201".into()),
        (AssociationTarget::Company, "301".into()),
    ]
}

#[test]
fn a_note_from_the_activity_tab_goes_on_the_ticket_its_contact_and_its_company() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'n');
    let form = app.modals.activity().expect("form");
    assert_eq!(form.kind, ActivityKind::Note);
    assert_eq!(form.fields[form.focus].id, FieldId::Body);
    // Deals are not offered; the contact and the company are ticked.
    match form.also() {
        Some(Also::Ready(p)) => {
            assert_eq!(p.options.len(), 2);
            assert_eq!(p.chosen.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    let now = app.now;
    let fx = type_lines(&mut app, "Called back\nall good");
    assert!(
        fx.iter().all(|e| matches!(e, Effect::SaveDraft(_))),
        "typing only writes the draft: {fx:?}"
    );
    assert_eq!(text(&app, FieldId::Body), "Called back\nall good");
    let (req, activity) = created(&update(&mut app, ctrl('s')));
    assert_eq!(
        activity,
        NewActivity {
            ticket_id: "1001".into(),
            details: ActivityDetails::Note,
            body: "Called back\nall good".into(),
            timestamp: now,
            also: also_both(),
            pin: false,
        }
    );
    assert!(app.modals.activity().is_some_and(|f| f.saving == Some(req)));
    // Keys wait while it is saved.
    assert!(update(&mut app, key('x')).is_empty());
    assert!(update(&mut app, code(KeyCode::Esc)).is_empty());

    let fx = ev(
        &mut app,
        Event::ActivityCreated {
            req,
            ticket_id: "1001".into(),
            activity: activities()[0].clone(),
            pinned: false,
            pin_failed: None,
        },
    );
    assert_eq!(app.top_layer(), Layer::Base);
    assert_eq!(toast(&app), "note added to #1001");
    let reload = match fx.as_slice() {
        [
            Effect::DeleteDraft {
                ticket_id,
                property,
            },
            Effect::Api(Command::LoadActivities { req, ticket_id: t }),
        ] if ticket_id == "1001" && property == "activity:note" && t == "1001" => *req,
        other => panic!("{other:?}"),
    };
    assert!(app.detail.activities.waits_for(reload), "the tab reloads");
}

#[test]
fn a_pinned_note_says_so_and_reloads_the_ticket_with_its_activities() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'n');
    type_lines(&mut app, "Pin me");
    update(&mut app, code(KeyCode::Tab)); // Also on
    // Untick the company: Down, Space.
    update(&mut app, code(KeyCode::Down));
    update(&mut app, key(' '));
    update(&mut app, code(KeyCode::Tab)); // Pin
    update(&mut app, key(' '));
    let (req, activity) = created(&update(&mut app, ctrl('s')));
    assert!(activity.pin);
    assert_eq!(
        activity.also,
        vec![(AssociationTarget::Contact, "201".to_owned())]
    );
    let fx = ev(
        &mut app,
        Event::ActivityCreated {
            req,
            ticket_id: "1001".into(),
            activity: activities()[0].clone(),
            pinned: true,
            pin_failed: None,
        },
    );
    assert_eq!(toast(&app), "note added to #1001 (pinned)");
    let cmds: Vec<&Command> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Api(c) => Some(c),
            _ => None,
        })
        .collect();
    assert!(
        matches!(cmds[0], Command::LoadActivities { .. }),
        "{cmds:?}"
    );
    assert!(
        cmds.iter().any(|c| is_get(c)),
        "the pin is read back: {cmds:?}"
    );
}

#[test]
fn a_refused_pin_still_reports_the_note_and_why_it_is_not_pinned() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'n');
    type_lines(&mut app, "x");
    let (req, _) = created(&update(&mut app, ctrl('s')));
    let mut refusal = failure(400, "HTTP 400 VALIDATION_ERROR: not associated");
    refusal.correlation_id = Some("abc-123".into());
    ev(
        &mut app,
        Event::ActivityCreated {
            req,
            ticket_id: "1001".into(),
            activity: activities()[0].clone(),
            pinned: false,
            pin_failed: Some(Box::new(refusal)),
        },
    );
    assert_eq!(app.top_layer(), Layer::Base);
    assert_eq!(
        toast(&app),
        "note added to #1001, but not pinned: HTTP 400 VALIDATION_ERROR: not associated \
         (correlation id abc-123)"
    );
}

#[test]
fn an_empty_note_names_its_field_and_sends_nothing() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'n');
    update(&mut app, code(KeyCode::Tab));
    update(&mut app, code(KeyCode::Tab));
    type_lines(&mut app, "   ");
    assert!(update(&mut app, ctrl('s')).is_empty());
    let form = app.modals.activity().expect("form stays");
    assert_eq!(form.error, Some(FormError::Local("fill in Note".into())));
    assert_eq!(
        form.fields[form.focus].id,
        FieldId::Body,
        "focus on the field"
    );
    assert_eq!(
        form.field(FieldId::Body).and_then(|f| f.error.clone()),
        Some("required".into())
    );
}

#[test]
fn a_task_is_due_at_the_end_of_the_day_named_and_assigned_to_me_by_default() {
    let mut app = on_activity();
    open_with_associations(&mut app, 't');
    // The subject is required.
    assert!(update(&mut app, ctrl('s')).is_empty());
    assert_eq!(
        app.modals.activity().and_then(|f| f.error.clone()),
        Some(FormError::Local("fill in Subject".into()))
    );
    type_lines(&mut app, "Check the VAT rate\n"); // Enter moves on to Due
    assert_eq!(text(&app, FieldId::Due), "tomorrow");
    update(&mut app, code(KeyCode::Tab)); // Assigned to
    update(&mut app, code(KeyCode::Tab)); // Priority
    update(&mut app, code(KeyCode::Down));
    update(&mut app, code(KeyCode::Down));
    update(&mut app, code(KeyCode::Enter)); // accepted: on to the notes
    type_lines(&mut app, "The invoice says 19%");
    let (_, activity) = created(&update(&mut app, ctrl('s')));
    assert_eq!(
        activity,
        NewActivity {
            ticket_id: "1001".into(),
            details: ActivityDetails::Task {
                subject: "Check the VAT rate".into(),
                owner_id: Some("12".into()),
                priority: TaskPriority::Medium,
            },
            body: "The invoice says 19%".into(),
            timestamp: ts("2026-03-03T23:59:59.999Z"),
            also: also_both(),
            pin: false,
        }
    );
}

#[test]
fn a_due_date_that_is_not_one_names_the_field_and_the_words_that_work() {
    let mut app = on_activity();
    open_with_associations(&mut app, 't');
    type_lines(&mut app, "Follow up\n");
    // Clear "tomorrow" and type a date in other words.
    for _ in 0.."tomorrow".len() {
        update(&mut app, code(KeyCode::Backspace));
    }
    type_lines(&mut app, "someday");
    assert!(update(&mut app, ctrl('s')).is_empty());
    let form = app.modals.activity().expect("form");
    assert_eq!(form.fields[form.focus].id, FieldId::Due);
    let Some(FormError::Local(e)) = &form.error else {
        panic!("{:?}", form.error)
    };
    assert!(
        e.starts_with("Due: \"someday\" is not a date (try tomorrow"),
        "{e}"
    );
    for _ in 0.."someday".len() {
        update(&mut app, code(KeyCode::Backspace));
    }
    type_lines(&mut app, "in 3 days");
    let (_, activity) = created(&update(&mut app, ctrl('s')));
    assert_eq!(
        activity.timestamp,
        app.now + jiff::SignedDuration::from_hours(72)
    );
}

/// HubSpot's call outcomes, as the worker answers `LoadActivityOptions`.
fn outcomes(req: u64) -> Event {
    let call_outcomes = [
        ("f240bbac-87c9-4f6e-bf70-924b57d47db7", "Connected"),
        ("73a0d17f-1163-4015-bdd5-ec830791da20", "No answer"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (value, label))| PropertyOption {
        label: (*label).into(),
        value: (*value).into(),
        hidden: false,
        display_order: i32::try_from(i).unwrap(),
    })
    .collect();
    Event::ActivityOptionsLoaded {
        req,
        options: ActivityOptions { call_outcomes },
    }
}

fn outcome_options(app: &App) -> Vec<String> {
    match &app
        .modals
        .activity()
        .unwrap()
        .field(FieldId::Outcome)
        .unwrap()
        .input
    {
        super::activity_form::Input::Pick(p) => p.options.iter().map(|o| o.label.clone()).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_call_sends_its_direction_hubspots_outcome_and_duration_in_ms() {
    let mut app = on_activity();
    let req = open_with_associations(&mut app, 'c').expect("the outcomes are asked for");
    assert_eq!(outcome_options(&app), ["(no outcome)"], "until they load");
    type_lines(&mut app, "Callback about the VAT\n"); // Title, on to Direction
    update(&mut app, code(KeyCode::Down)); // Inbound
    update(&mut app, code(KeyCode::Enter)); // on to Outcome
    type_lines(&mut app, "conn"); // filters the outcomes, before they are here
    // Nothing matches yet: Enter stays and says so.
    update(&mut app, code(KeyCode::Enter));
    let form = app.modals.activity().unwrap();
    assert_eq!(form.fields[form.focus].id, FieldId::Outcome);
    assert_eq!(
        form.field(FieldId::Outcome).and_then(|f| f.error.clone()),
        Some("nothing matches; clear the filter".into())
    );
    assert!(ev(&mut app, outcomes(req)).is_empty());
    assert_eq!(
        outcome_options(&app),
        ["(no outcome)", "Connected", "No answer"]
    );
    update(&mut app, code(KeyCode::Enter)); // Connected; on to Duration
    type_lines(&mut app, "1h 20m\n"); // on to the notes
    type_lines(&mut app, "She confirmed the rate.");
    let (_, activity) = created(&update(&mut app, ctrl('s')));
    assert_eq!(
        activity.details,
        ActivityDetails::Call {
            title: "Callback about the VAT".into(),
            direction: CallDirection::Inbound,
            outcome: Some("f240bbac-87c9-4f6e-bf70-924b57d47db7".into()),
            duration_ms: Some(4_800_000),
        }
    );
    assert_eq!(activity.body, "She confirmed the rate.");
    assert_eq!(activity.timestamp, app.now, "a call happened now");
}

#[test]
fn when_the_outcomes_fail_to_load_a_call_has_none_and_a_bad_duration_is_named() {
    let mut app = on_activity();
    let req = open_with_associations(&mut app, 'c').expect("asked for");
    let mut lost = failure(403, "HTTP 403 MISSING_SCOPES");
    lost.correlation_id = Some("f00d".into());
    assert!(ev(&mut app, Event::Failed { req, failure: lost }).is_empty());
    assert_eq!(outcome_options(&app), ["(no outcome)"]);
    assert_eq!(
        app.modals
            .activity()
            .and_then(|f| f.field(FieldId::Outcome))
            .and_then(|f| f.error.clone()),
        Some(
            "HubSpot's call outcomes could not be loaded: HTTP 403 MISSING_SCOPES \
             (correlation id f00d)"
                .into()
        )
    );
    for _ in 0..3 {
        update(&mut app, code(KeyCode::Tab));
    }
    type_lines(&mut app, "5x");
    assert!(update(&mut app, ctrl('s')).is_empty());
    assert_eq!(
        app.modals.activity().and_then(|f| f.error.clone()),
        Some(FormError::Local(
            "Duration: \"5x\" is not a duration (try 5m, 1h 20m, 90s)".into()
        ))
    );
    update(&mut app, code(KeyCode::Backspace));
    update(&mut app, code(KeyCode::Backspace));
    let (_, activity) = created(&update(&mut app, ctrl('s')));
    assert_eq!(
        activity.details,
        ActivityDetails::Call {
            title: String::new(),
            direction: CallDirection::Outbound,
            outcome: None,
            duration_ms: None,
        }
    );
}

#[test]
fn durations_read_as_people_write_them() {
    assert_eq!(parse_duration(""), Ok(None));
    assert_eq!(parse_duration("5m"), Ok(Some(300_000)));
    assert_eq!(parse_duration("1h 20m"), Ok(Some(4_800_000)));
    assert_eq!(parse_duration("1h20m"), Ok(Some(4_800_000)));
    assert_eq!(parse_duration("90s"), Ok(Some(90_000)));
    assert_eq!(parse_duration(" 2 min "), Ok(Some(120_000)));
    assert_eq!(
        parse_duration("45"),
        Ok(Some(2_700_000)),
        "a bare number is minutes"
    );
    for bad in ["5x", "h", "1h 20", "-5m", "1.5h", "99999999999999999999h"] {
        assert!(parse_duration(bad).is_err(), "{bad}");
    }
}

#[test]
fn from_the_list_n_stays_new_ticket_and_shift_n_c_t_write_on_the_selected_ticket() {
    let mut app = loaded(160, 48, 10, false);
    assert_eq!(app.focus, Focus::List);
    update(&mut app, key('n'));
    assert_eq!(
        app.top_layer(),
        Layer::Create,
        "n is a new ticket in the list"
    );
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, key('j'));
    for (k, kind) in [
        ('N', ActivityKind::Note),
        ('c', ActivityKind::Call),
        ('t', ActivityKind::Task),
    ] {
        let fx = update(&mut app, key(k));
        let form = app.modals.activity().expect("form");
        assert_eq!((form.kind, form.ticket_id.as_str()), (kind, "1002"));
        assert_eq!(form.subject, "Login fails on SSO");
        // The selected ticket's associations (once), and a call's outcomes.
        let asked: Vec<Command> = commands(&fx);
        let want: &[&str] = match k {
            'N' => &["associations"],
            'c' => &["outcomes"],
            _ => &[],
        };
        let got: Vec<&str> = asked
            .iter()
            .map(|c| match c {
                Command::LoadAssociations { ticket_id, .. } if ticket_id == "1002" => {
                    "associations"
                }
                Command::LoadActivityOptions { .. } => "outcomes",
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got, want, "{k}");
        update(&mut app, code(KeyCode::Esc));
        assert_eq!(app.top_layer(), Layer::Base);
    }
}

#[test]
fn the_command_palette_offers_the_forms_from_the_list() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key(':'));
    type_text(&mut app, "write a note");
    update(&mut app, code(KeyCode::Enter));
    let form = app
        .modals
        .activity()
        .expect("the palette opened the note form");
    assert_eq!(
        (form.kind, form.ticket_id.as_str()),
        (ActivityKind::Note, "1001")
    );
}

#[test]
fn hubspots_refusal_keeps_the_text_names_the_field_and_keeps_the_draft() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'n');
    let typed = type_lines(&mut app, "Keep me");
    let Some(Effect::SaveDraft(draft)) = typed.last() else {
        panic!("{typed:?}")
    };
    assert_eq!(draft.property, activity_key("note"));
    assert_eq!(draft.value, "Keep me");
    let (req, _) = created(&update(&mut app, ctrl('s')));
    let mut refusal = failure(
        400,
        "HTTP 400 VALIDATION_ERROR: Property values were not valid",
    );
    refusal.field_errors = vec![("hs_note_body".into(), "too long".into())];
    refusal.correlation_id = Some("c0ffee".into());
    let fx = ev(
        &mut app,
        Event::Failed {
            req,
            failure: refusal,
        },
    );
    assert!(fx.is_empty(), "nothing sent, the draft not deleted: {fx:?}");
    let form = app.modals.activity().expect("the form stays");
    assert_eq!(form.saving, None);
    assert_eq!(form.text(FieldId::Body), "Keep me");
    assert_eq!(
        form.field(FieldId::Body).and_then(|f| f.error.clone()),
        Some("too long".into())
    );
    let Some(FormError::Failed(f)) = &form.error else {
        panic!("{:?}", form.error)
    };
    assert_eq!(
        f.said("", ""),
        "HubSpot refused Note: HTTP 400 VALIDATION_ERROR: Property values were not valid \
         (correlation id c0ffee)"
    );
    // Saved again once it is fixed.
    update(&mut app, code(KeyCode::Backspace));
    created(&update(&mut app, ctrl('s')));
}

#[test]
fn a_lost_answer_is_not_sent_again_and_the_activities_are_read() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'n');
    type_lines(&mut app, "Maybe");
    let (req, _) = created(&update(&mut app, ctrl('s')));
    let mut lost = failure(504, "timed out after sending");
    lost.outcome_unknown = true;
    let fx = ev(&mut app, Event::Failed { req, failure: lost });
    assert!(matches!(
        commands(&fx).as_slice(),
        [Command::LoadActivities { ticket_id, .. }] if ticket_id == "1001"
    ));
    let form = app.modals.activity().expect("stays");
    let Some(FormError::Failed(f)) = &form.error else {
        panic!()
    };
    assert!(
        f.headline()
            .starts_with("HubSpot did not confirm the note: it may exist already"),
        "{}",
        f.headline()
    );
}

#[test]
fn esc_asks_before_throwing_text_away_and_forgets_the_draft() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'n');
    // Nothing typed: closes at once, with no draft to forget.
    assert!(update(&mut app, code(KeyCode::Esc)).is_empty());
    assert_eq!(app.top_layer(), Layer::Base);
    open_with_associations(&mut app, 'n');
    type_lines(&mut app, "draft");
    assert!(update(&mut app, code(KeyCode::Esc)).is_empty());
    assert!(app.modals.activity().is_some_and(|f| f.confirm_discard));
    update(&mut app, key('n'));
    assert!(app.modals.activity().is_some_and(|f| !f.confirm_discard));
    assert_eq!(text(&app, FieldId::Body), "draft", "n keeps it");
    update(&mut app, code(KeyCode::Esc));
    let fx = update(&mut app, key('y'));
    assert_eq!(
        fx,
        vec![Effect::DeleteDraft {
            ticket_id: "1001".into(),
            property: "activity:note".into()
        }]
    );
    assert_eq!(app.top_layer(), Layer::Base);
    assert_eq!(toast(&app), "note on #1001 discarded");
}

#[test]
fn ctrl_c_quits_and_keeps_the_draft() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'n');
    type_lines(&mut app, "unsaved");
    assert_eq!(update(&mut app, ctrl('c')), vec![Effect::Quit]);
}

#[test]
fn ctrl_e_hands_the_text_out_and_takes_back_what_the_editor_left() {
    let mut app = on_activity();
    open_with_associations(&mut app, 't');
    type_lines(&mut app, "Subject");
    let fx = update(&mut app, ctrl('e'));
    assert_eq!(
        fx,
        vec![Effect::EditExternally {
            text: String::new()
        }]
    );
    let form = app.modals.activity().expect("form");
    assert_eq!(
        form.fields[form.focus].id,
        FieldId::Body,
        "the text has the focus"
    );
    // Keys and pastes wait for the editor.
    assert!(update(&mut app, key('z')).is_empty());
    assert!(update(&mut app, Msg::Paste("pasted".into())).is_empty());
    let fx = update(
        &mut app,
        Msg::EditedExternally(Ok("First line\nsecond line\n\n".into())),
    );
    assert_eq!(text(&app, FieldId::Body), "First line\nsecond line");
    match fx.as_slice() {
        [Effect::SaveDraft(d)] => assert_eq!(d.value, "First line\nsecond line"),
        other => panic!("the new text is kept as a draft: {other:?}"),
    }
    // A failed editor leaves the text and says why.
    update(&mut app, ctrl('e'));
    let fx = update(
        &mut app,
        Msg::EditedExternally(Err("false ended with exit status: 1".into())),
    );
    assert!(fx.is_empty());
    let form = app.modals.activity().expect("form");
    assert_eq!(form.text(FieldId::Body), "First line\nsecond line");
    assert_eq!(
        form.error,
        Some(FormError::Local(
            "Ctrl-e: false ended with exit status: 1".into()
        ))
    );
    // An answer nobody waits for changes nothing.
    assert!(update(&mut app, Msg::EditedExternally(Ok("late".into()))).is_empty());
    assert_eq!(text(&app, FieldId::Body), "First line\nsecond line");
}

#[test]
fn pastes_keep_line_breaks_in_the_text_and_not_in_a_line() {
    let mut app = on_activity();
    open_with_associations(&mut app, 'c');
    update(&mut app, Msg::Paste("Callback\r\nabout VAT".into()));
    assert_eq!(text(&app, FieldId::Title), "Callback about VAT");
    update(&mut app, shift_tab()); // wraps to Also on
    update(&mut app, shift_tab()); // the notes
    update(&mut app, Msg::Paste("一行目\n二行目\u{1b}[31m".into()));
    assert_eq!(
        text(&app, FieldId::Body),
        "一行目\n二行目",
        "escapes dropped"
    );
}

#[test]
fn saving_waits_for_the_tickets_contacts_and_companies_and_goes_without_them_if_they_fail() {
    let mut app = on_activity();
    let fx = update(&mut app, key('n'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    type_lines(&mut app, "Early");
    assert!(update(&mut app, ctrl('s')).is_empty());
    assert!(matches!(
        app.modals.activity().and_then(|f| f.error.clone()),
        Some(FormError::Local(e)) if e.contains("still loading")
    ));
    ev(
        &mut app,
        Event::Failed {
            req,
            failure: failure(500, "HTTP 500"),
        },
    );
    assert!(matches!(
        app.modals.activity().and_then(|f| f.also().cloned()),
        Some(Also::Failed(_))
    ));
    assert!(matches!(app.detail.associations, Loadable::Failed(_)));
    let (_, activity) = created(&update(&mut app, ctrl('s')));
    assert!(activity.also.is_empty());
}

#[test]
fn an_activity_draft_is_offered_at_start_and_restored_on_its_ticket() {
    let mut app = loaded(160, 48, 10, false);
    let fields = BTreeMap::from([
        ("subject".to_owned(), "Ring back".to_owned()),
        ("due".to_owned(), "2026-03-10".to_owned()),
        ("owner".to_owned(), "13".to_owned()),
        ("priority".to_owned(), "HIGH".to_owned()),
        ("body".to_owned(), "Two\nlines".to_owned()),
    ]);
    update(
        &mut app,
        Msg::DraftsFound(vec![Draft {
            ticket_id: "1003".into(),
            property: activity_key("task"),
            value: "Two\nlines".into(),
            opened_modified: String::new(),
            subject: "Invoice shows the wrong VAT rate".into(),
            label: "New task".into(),
            kind: DraftKind::Activity {
                activity: "task".into(),
                fields,
            },
        }]),
    );
    assert_eq!(app.top_layer(), Layer::DraftOffer);
    let fx = update(&mut app, code(KeyCode::Enter));
    let cmds = commands(&fx);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::GetTicket { id, .. } if id == "1003"))
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::LoadActivities { ticket_id, .. } if ticket_id == "1003"))
    );
    let assoc = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    assert_eq!(app.top_layer(), Layer::ActivityForm);
    assert_eq!((app.focus, app.detail.tab), (Focus::Detail, Tab::Activity));
    assert_eq!(app.list.selected_id(), Some("1003"));
    assert_eq!(
        toast(&app),
        "draft of the task on #1003 restored: Ctrl-s saves, Esc discards"
    );
    ev(
        &mut app,
        Event::AssociationsLoaded {
            req: assoc,
            ticket_id: "1003".into(),
            items: associations(),
        },
    );
    let (_, activity) = created(&update(&mut app, ctrl('s')));
    assert_eq!(activity.ticket_id, "1003");
    assert_eq!(activity.body, "Two\nlines");
    assert_eq!(activity.timestamp, ts("2026-03-10T23:59:59.999Z"));
    assert_eq!(
        activity.details,
        ActivityDetails::Task {
            subject: "Ring back".into(),
            owner_id: Some("13".into()),
            priority: TaskPriority::High,
        }
    );
}

#[test]
fn the_keys_are_the_keymaps_and_unbound_letters_are_text() {
    let mut app = on_activity();
    // Rebound: the form saves with Ctrl-g, Ctrl-s is text-area editing (nothing sent).
    app.keymap = crate::keymap::Keymap::from_config(
        "[keys.form]\nsave = \"Ctrl-g\"\n[keys.activity_form]\nedit_externally = \"F4\"\n[keys.activity]\nnew_note = \"w\"\n",
        "config.toml",
    )
    .unwrap();
    assert!(
        update(&mut app, key('n')).is_empty(),
        "n is no longer a note"
    );
    open_with_associations(&mut app, 'w');
    type_lines(&mut app, "q?j");
    assert_eq!(text(&app, FieldId::Body), "q?j", "plain letters are text");
    assert!(update(&mut app, ctrl('s')).is_empty());
    assert_eq!(
        update(&mut app, Msg::Key(KeyEvent::from(KeyCode::F(4)))),
        vec![Effect::EditExternally { text: "q?j".into() }]
    );
    update(&mut app, Msg::EditedExternally(Ok("q?j".into())));
    created(&update(&mut app, ctrl('g')));
}

#[test]
fn in_triage_n_writes_on_the_ticket_on_screen_and_the_next_one_opens() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('T'));
    assert_eq!(app.triage.as_ref().and_then(|t| t.current()), Some("1001"));
    let fx = update(&mut app, key('n'));
    let form = app.modals.activity().expect("the note form");
    assert_eq!(form.ticket_id, "1001");
    let req = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    ev(
        &mut app,
        Event::AssociationsLoaded {
            req,
            ticket_id: "1001".into(),
            items: associations(),
        },
    );
    type_lines(&mut app, "Triaged");
    let (req, _) = created(&update(&mut app, ctrl('s')));
    let fx = ev(
        &mut app,
        Event::ActivityCreated {
            req,
            ticket_id: "1001".into(),
            activity: activities()[0].clone(),
            pinned: false,
            pin_failed: None,
        },
    );
    let walk = app.triage.as_ref().expect("still walking");
    assert_eq!(walk.current(), Some("1002"), "the next ticket opened");
    assert_eq!(
        walk.done.get("1001"),
        Some(&vec![super::triage::Done::Activity("note")])
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Api(Command::GetTicket { id, .. }) if id == "1002")),
        "{fx:?}"
    );
}

#[test]
fn a_note_draft_opens_at_once_and_a_task_draft_waits_for_the_owners() {
    let mut app = app(160, 48);
    let fx = app.start();
    let draft = |activity: &str, body: &str| Draft {
        ticket_id: "1002".into(),
        property: activity_key(activity),
        value: body.into(),
        opened_modified: String::new(),
        subject: "Login fails on SSO".into(),
        label: format!("New {activity}"),
        kind: DraftKind::Activity {
            activity: activity.into(),
            fields: BTreeMap::from([("body".to_owned(), body.to_owned())]),
        },
    };
    update(
        &mut app,
        Msg::DraftsFound(vec![draft("task", "later"), draft("note", "now")]),
    );
    // The owners are not here yet: the task waits, offered still.
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.top_layer(), Layer::DraftOffer);
    assert_eq!(
        toast(&app),
        "the owners are still loading; try again in a moment"
    );
    update(&mut app, code(KeyCode::Esc)); // later
    update(&mut app, code(KeyCode::Enter));
    let form = app.modals.activity().expect("the note opens at once");
    assert_eq!(
        (form.ticket_id.as_str(), form.subject.as_str()),
        ("1002", "Login fails on SSO")
    );
    assert_eq!(form.text(FieldId::Body), "now");
    answer_catalog(&mut app, &fx);
    assert!(app.modals.activity().is_some());
}
