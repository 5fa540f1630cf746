//! Pure tests of macros: parsing with the rest of config.toml, the check against a portal (one
//! line per problem, naming the macro and the field), the defaults and note expansion.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use super::*;
use crate::app::tests::fixtures;
use crate::config::Config;
use crate::domain::{Pipeline, PropertyType, Stage};

/// The fixtures' portal: the Support Pipeline as in real portals and the sandbox, an
/// Escalations pipeline, the owners Aiko (11), Ben (12) and Chloé (13); `createdate` is
/// read-only, `amount` a number, `due` a date, `escalated_at` a date-time, `vip` yes/no.
fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.tz = jiff::tz::TimeZone::UTC;
    let mut props = fixtures::properties();
    for p in &mut props {
        if p.name == "createdate" {
            p.read_only_value = true;
        }
    }
    props.push(fixtures::def("amount", "Amount", PropertyType::Number, 20));
    props.push(fixtures::def("due", "Due date", PropertyType::Date, 21));
    props.push(fixtures::def(
        "escalated_at",
        "Escalated at",
        PropertyType::DateTime,
        22,
    ));
    props.push(fixtures::def("vip", "VIP", PropertyType::Bool, 23));
    c.set_properties(props, fixtures::groups());
    c.set_pipelines(fixtures::pipelines());
    c.set_owners(fixtures::owners());
    c
}

fn check<'a>(catalog: &'a Catalog, keymap: &'a Keymap, me: Option<&'a str>) -> Check<'a> {
    Check {
        catalog,
        me,
        keymap,
        source_name: "config.toml",
    }
}

fn parse(text: &str) -> Vec<MacroDef> {
    Config::parse(text, Path::new("config.toml"))
        .expect("parses")
        .macros
        .expect("has macros")
}

/// The problems of a config (which must have some).
fn problems(text: &str, me: Option<&str>) -> Vec<String> {
    let (c, k) = (catalog(), Keymap::default());
    from_config(Some(&parse(text)), &check(&c, &k, me)).expect_err("a problem")
}

const ESCALATE: &str = r#"
me = "ben@example.com"

[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT", hs_pipeline_stage = "label:Waiting on us" }
note = "Escalated to tier 2 — {subject}"
"#;

#[test]
fn the_issues_example_parses_and_resolves() {
    let defs = parse(ESCALATE);
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].line, Some(4), "the line of its [[macros]] header");
    assert_eq!(
        defs[0].set.0,
        [
            ("hs_ticket_priority".to_owned(), "URGENT".to_owned()),
            (
                "hs_pipeline_stage".to_owned(),
                "label:Waiting on us".to_owned()
            )
        ],
        "in the order written"
    );
    let (c, k) = (catalog(), Keymap::default());
    let macros = from_config(Some(&defs), &check(&c, &k, None)).expect("valid");
    assert_eq!(
        macros,
        [Macro {
            name: "Escalate".into(),
            key: Some(Key::parse("E").unwrap()),
            properties: BTreeMap::from([
                ("hs_pipeline_stage".into(), "3".into()),
                ("hs_ticket_priority".into(), "URGENT".into()),
            ]),
            changes: vec![
                Change {
                    property: "hs_ticket_priority".into(),
                    what: "Priority".into(),
                    shown: "Urgent".into()
                },
                Change {
                    property: "hs_pipeline_stage".into(),
                    what: "Stage".into(),
                    shown: "Waiting on us".into()
                },
            ],
            stage_pipeline: Some("0".into()),
            note: Some(Note {
                template: "Escalated to tier 2 — {subject}".into(),
                pin: false,
            }),
            asks_me: vec![],
        }]
    );
    assert_eq!(
        macros[0].summary(),
        "Priority → Urgent, Stage → Waiting on us; note"
    );
}

#[test]
fn every_kind_of_value_resolves() {
    let text = r#"
[[macros]]
name = "Everything"
set = { hs_pipeline = "label:escalations", hs_pipeline_stage = "label:TRIAGE", hubspot_owner_id = "@me", hs_ticket_category = "label:Billing issue", amount = 12.5, due = "2026-11-01", escalated_at = "2026-11-01T14:30:00+09:00", vip = true, content = "" }
note = "Hi {contact}, about {{{id}}}"
pin = true

[[macros]]
name = "Hand to Chloé"
set = { hubspot_owner_id = "chloé@example.com" }
"#;
    let (c, k) = (catalog(), Keymap::default());
    let m = from_config(Some(&parse(text)), &check(&c, &k, Some("12"))).expect("valid");
    assert_eq!(
        m[0].properties,
        BTreeMap::from([
            ("amount".into(), "12.5".into()),
            ("content".into(), String::new()),
            ("due".into(), "2026-11-01".into()),
            ("escalated_at".into(), "2026-11-01T05:30:00Z".into()),
            ("hs_pipeline".into(), "7458291".into()),
            ("hs_pipeline_stage".into(), "7458292".into()),
            ("hs_ticket_category".into(), "BILLING_ISSUE".into()),
            ("hubspot_owner_id".into(), "12".into()),
            ("vip".into(), "true".into()),
        ])
    );
    assert_eq!(
        m[0].stage_pipeline, None,
        "it moves tickets to its pipeline"
    );
    assert_eq!(
        m[0].changes_text(),
        "Pipeline → Escalations, Stage → Triage, Owner → Ben Carter, Category → Billing \
         issue, Amount → 12.5, Due date → 2026-11-01, Escalated at → 2026-11-01 05:30, VIP → \
         Yes, Ticket description → (no value)"
    );
    assert!(m[0].note.as_ref().unwrap().needs_contact());
    assert!(m[0].note.as_ref().unwrap().pin);
    assert_eq!(m[1].properties["hubspot_owner_id"], "13");
}

#[test]
fn each_problem_is_one_line_naming_the_macro_and_the_field() {
    let cases: &[(&str, &str)] = &[
        (
            r#"set = { priority = "HIGH" }"#,
            "set.priority: the portal has no ticket property named priority (did you mean \
             hs_ticket_priority, Priority?)",
        ),
        (
            r#"set = { colour = "red" }"#,
            "set.colour: the portal has no ticket property named colour",
        ),
        (
            r#"set = { createdate = "2026-01-01T00:00:00Z" }"#,
            "set.createdate: Create date (createdate) is read-only",
        ),
        (
            r#"set = { hs_pipeline_stage = "label:Solved" }"#,
            "set.hs_pipeline_stage: \"label:Solved\" is no stage of any pipeline (stages: New, \
             Waiting on contact, Waiting on us, Closed, Triage, Engineering investigating)",
        ),
        (
            r#"set = { hs_pipeline = "7458291", hs_pipeline_stage = "label:Closed" }"#,
            "set.hs_pipeline_stage: \"label:Closed\" is no stage of pipeline Escalations",
        ),
        (
            r#"set = { hs_pipeline_stage = "99" }"#,
            "set.hs_pipeline_stage: \"99\" is no stage of any pipeline",
        ),
        (
            r#"set = { hs_pipeline_stage = "" }"#,
            "set.hs_pipeline_stage: a ticket must have a stage: it cannot be cleared",
        ),
        (
            r#"set = { hs_pipeline = "label:Escalations" }"#,
            "set.hs_pipeline: a ticket moved to Escalations needs one of its stages: set \
             hs_pipeline_stage too",
        ),
        (
            r#"set = { hs_pipeline = "label:Sales", hs_pipeline_stage = "1" }"#,
            "set.hs_pipeline: \"label:Sales\" is no pipeline of this portal (pipelines: \
             Support Pipeline (0), Escalations (7458291))",
        ),
        (
            r#"set = { hs_ticket_priority = "urgent" }"#,
            "set.hs_ticket_priority: \"urgent\" is not an option of Priority (options: LOW, \
             MEDIUM, HIGH, URGENT)",
        ),
        (
            r#"set = { amount = "12 euros" }"#,
            "set.amount: \"12 euros\" is not a number",
        ),
        (
            r#"set = { due = "next friday" }"#,
            "set.due: \"next friday\" is not a date like 2026-11-01",
        ),
        (
            r#"set = { escalated_at = "2026-11-01" }"#,
            "set.escalated_at: \"2026-11-01\" is not a date and time",
        ),
        (
            r#"set = { vip = "yes" }"#,
            "set.vip: \"yes\" is not true or false",
        ),
        (
            r#"set = { hubspot_owner_id = "nobody@example.com" }"#,
            "set.hubspot_owner_id: \"nobody@example.com\" is no owner of this portal",
        ),
        (
            r#"set = { subject = "" }"#,
            "set.subject: a ticket must have a name",
        ),
        (
            r#"key = "j""#,
            "key: \"j\" already does `down` in the list (keys come first; choose another key, \
             or unbind it in [keys.list])",
        ),
        (r#"key = "q""#, "key: \"q\" already does `back` in the list"),
        (
            r#"key = "p""#,
            "key: \"p\" already does `switch_pipeline` in the list",
        ),
        (r#"key = "Ctrl-""#, "key: bad key \"Ctrl-\""),
        (r#"note = "Hi {name}""#, "note: unknown placeholder {name}"),
        (r#"note = "Hi {contact""#, "note: a `{` is not closed"),
        (r#"note = "  ""#, "note: the note is empty"),
        ("pin = true", "pin: there is no note to pin"),
        ("", "set: the macro changes nothing"),
    ];
    for (body, says) in cases {
        // Each case's one mistake; a macro of only a key or a pin would change nothing.
        let set = if body.starts_with("key") || body.starts_with("pin") {
            "set = { hs_ticket_priority = \"LOW\" }\n"
        } else {
            ""
        };
        let text = format!("[[macros]]\nname = \"Broken\"\n{body}\n{set}");
        let found = problems(&text, None);
        assert_eq!(found.len(), 1, "{body}: {found:?}");
        let line = &found[0];
        assert!(
            line.starts_with("config.toml line 1: macro \"Broken\": "),
            "{body}: names the file, line and macro: {line}"
        );
        assert!(line.contains(says), "{body}: {line}");
        assert!(!line.contains('\n'), "one line: {line}");
    }
}

#[test]
fn problems_of_several_macros_are_all_reported() {
    let text = "[[macros]]\nname = \"A\"\nkey = \"E\"\nset = { hs_ticket_priority = \"HIGH\" }\n\n\
                [[macros]]\nname = \"a\"\nkey = \"E\"\nset = { hs_ticket_priority = \"LOW\" }\n\n\
                [[macros]]\nname = \"C\"\nset = { nope = \"1\", hs_ticket_priority = \"x\" }\n";
    let found = problems(text, Some("11"));
    assert_eq!(
        found,
        [
            "config.toml line 6: macro \"a\": name: another macro is named \"A\" already",
            "config.toml line 11: macro \"C\": set.nope: the portal has no ticket property \
             named nope (names are internal, like hs_ticket_priority)",
            "config.toml line 11: macro \"C\": set.hs_ticket_priority: \"x\" is not an option \
             of Priority (options: LOW, MEDIUM, HIGH, URGENT)",
            "config.toml line 6: macro \"a\": key: \"E\" is the key of macro \"A\" already",
        ]
    );
}

/// A stage label two pipelines share is refused unless the macro names the pipeline.
#[test]
fn a_stage_label_in_two_pipelines_needs_the_pipeline() {
    let mut c = catalog();
    let mut pipelines = fixtures::pipelines();
    pipelines[1].stages.push(Stage {
        id: "7458295".into(),
        label: "Closed".into(),
        display_order: 3,
        closed: true,
    });
    c.set_pipelines(pipelines);
    let k = Keymap::default();
    let ambiguous =
        parse("[[macros]]\nname = \"Close\"\nset = { hs_pipeline_stage = \"label:closed\" }\n");
    let err = from_config(Some(&ambiguous), &check(&c, &k, None)).expect_err("ambiguous");
    assert_eq!(
        err,
        [
            "config.toml line 1: macro \"Close\": set.hs_pipeline_stage: \"label:closed\" is a \
          stage of Support Pipeline and Escalations: add hs_pipeline = \"label:…\" to say which"
        ]
    );
    let named = parse(
        "[[macros]]\nname = \"Close\"\nset = { hs_pipeline = \"label:Escalations\", hs_pipeline_stage = \"label:closed\" }\n",
    );
    let m = from_config(Some(&named), &check(&c, &k, None)).expect("named");
    assert_eq!(m[0].properties["hs_pipeline_stage"], "7458295");
}

/// A macro's key must not be one the keymap in force uses in the list or the detail; a key the
/// user rebound away is free.
#[test]
fn a_key_the_keymap_uses_is_refused_and_a_freed_one_taken() {
    let c = catalog();
    let text = "[[macros]]\nname = \"Mine\"\nkey = \"y\"\nset = { hubspot_owner_id = \"11\" }\n";
    let k = Keymap::default();
    let err = from_config(Some(&parse(text)), &check(&c, &k, None)).expect_err("y copies");
    assert!(
        err[0].contains("\"y\" already does `copy_id` in the list"),
        "{err:?}"
    );
    let rebound = Keymap::from_config(
        "[keys.list]\ncopy_id = \"c\"\n[keys.detail]\ncopy_id = \"c\"\n",
        "config.toml",
    )
    .unwrap();
    let m = from_config(Some(&parse(text)), &check(&c, &rebound, None)).expect("y is free");
    assert_eq!(m[0].key, Some(Key::parse("y").unwrap()));
    // A key of a detail tab counts too.
    let tab = "[[macros]]\nname = \"Tab\"\nkey = \"u\"\nset = { hubspot_owner_id = \"11\" }\n";
    let err = from_config(Some(&parse(tab)), &check(&c, &k, None)).expect_err("u restores");
    assert!(err[0].contains("`restore_value` in the history"), "{err:?}");
}

#[test]
fn a_mistake_in_the_shape_is_a_toml_error_by_line() {
    for (text, line, says) in [
        (
            "[[macros]]\nname = \"X\"\ncolor = \"red\"\n",
            3,
            "unknown field `color`",
        ),
        (
            "[[macros]]\nname = \"X\"\nset = { a = [1] }\n",
            3,
            "a string, a number or true/false",
        ),
        ("[[macros]]\nkey = \"E\"\n", 1, "missing field `name`"),
    ] {
        let err = Config::parse(text, Path::new("config.toml")).expect_err("refused");
        let msg = err.to_string();
        assert!(msg.contains(&format!("line {line}")), "{text}: {msg}");
        assert!(msg.contains(says), "{text}: {msg}");
    }
}

#[test]
fn notes_expand_per_ticket() {
    let vars = Vars {
        id: "1051",
        subject: "Printer on fire",
        contact: Some("Aiko Tanaka"),
    };
    assert_eq!(
        expand("Hi {contact}: #{id} “{subject}” {{kept}} {id}}}", &vars),
        "Hi Aiko Tanaka: #1051 “Printer on fire” {kept} 1051}"
    );
    for contact in [None, Some(""), Some("  ")] {
        let v = Vars { contact, ..vars };
        assert_eq!(expand("Hi {contact},", &v), "Hi there,");
    }
    assert_eq!(expand("{unknown} {", &vars), "{unknown} {");
    assert_eq!(
        placeholders("{id} {{x}} {subject}"),
        Ok(vec!["id", "subject"])
    );
    assert!(placeholders("a } b").is_err());
}

fn names(macros: &[Macro]) -> Vec<&str> {
    macros.iter().map(|m| m.name.as_str()).collect()
}

/// The defaults take the default pipeline's stages by their metadata and labels: against the
/// sandbox's and a real portal's Support Pipeline (New, Waiting on contact, Waiting on us,
/// Closed), all three; without `me`, no "Assign to me".
#[test]
fn defaults_fit_the_default_pipeline() {
    let c = catalog();
    let all = defaults(&c, Some("aiko@example.com"));
    assert_eq!(
        names(&all),
        ["Assign to me", "Close as resolved", "Waiting on contact"]
    );
    assert_eq!(all[0].properties["hubspot_owner_id"], "11");
    assert_eq!(all[1].properties["hs_pipeline_stage"], "4");
    assert_eq!(all[1].stage_pipeline.as_deref(), Some("0"));
    assert_eq!(all[2].properties["hs_pipeline_stage"], "2");
    assert!(all.iter().all(|m| m.key.is_none() && m.note.is_none()));
    // Without `me`, "Assign to me" asks who you are the first time it is run.
    let without_me = defaults(&c, None);
    assert_eq!(
        names(&without_me),
        ["Assign to me", "Close as resolved", "Waiting on contact"]
    );
    assert_eq!(without_me[0].asks_me, ["hubspot_owner_id"]);
    assert_eq!(
        names(&defaults(&c, Some("stranger@example.com"))),
        ["Close as resolved", "Waiting on contact"],
        "a `me` who is no owner: left out, not a failure"
    );
    // And what the user writes replaces them all.
    let k = Keymap::default();
    let mine = parse("[[macros]]\nname = \"Only\"\nset = { hs_ticket_priority = \"LOW\" }\n");
    assert_eq!(
        names(&from_config(Some(&mine), &check(&c, &k, None)).unwrap()),
        ["Only"]
    );
    assert!(
        from_config(Some(&[]), &check(&c, &k, None))
            .unwrap()
            .is_empty()
    );
    assert_eq!(from_config(None, &check(&c, &k, None)).unwrap().len(), 3);
}

/// A portal whose default pipeline has other stages: the closed one found by its metadata
/// (whatever its label), else by the label Closed; a missing "Waiting on contact" dropped.
#[test]
fn defaults_drop_what_the_portal_cannot_take() {
    let stage = |id: &str, label: &str, closed: bool| Stage {
        id: id.into(),
        label: label.into(),
        display_order: 0,
        closed,
    };
    let mut c = catalog();
    c.set_pipelines(vec![Pipeline {
        id: "100".into(),
        label: "Help desk".into(),
        display_order: 0,
        stages: vec![stage("101", "Open", false), stage("102", "Done", true)],
    }]);
    let d = defaults(&c, None);
    assert_eq!(names(&d), ["Assign to me", "Close as resolved"]);
    assert_eq!(d[1].properties["hs_pipeline_stage"], "102");
    // The stage defaults only, from here on: a `me` who is no owner leaves "Assign to me" out.
    let no_owner = Some("stranger@example.com");
    c.set_pipelines(vec![Pipeline {
        id: "100".into(),
        label: "Help desk".into(),
        display_order: 0,
        stages: vec![
            stage("101", "Waiting on Contact", false),
            stage("102", "closed", false),
        ],
    }]);
    let d = defaults(&c, no_owner);
    assert_eq!(names(&d), ["Close as resolved", "Waiting on contact"]);
    assert_eq!(d[0].properties["hs_pipeline_stage"], "102");
    c.set_pipelines(Vec::new());
    assert!(
        defaults(&c, no_owner).is_empty(),
        "no pipelines: no stage defaults"
    );
}

#[test]
fn an_owner_at_me_without_me_is_asked_when_run_not_refused_at_start() {
    let (c, k) = (catalog(), Keymap::default());
    let text = "[[macros]]\nname = \"Take\"\nset = { hubspot_owner_id = \"@me\", \
                hs_ticket_priority = \"HIGH\" }\n";
    let defs = parse(text);
    let mut macros = from_config(Some(&defs), &check(&c, &k, None)).expect("starts");
    let m = &mut macros[0];
    assert_eq!(m.asks_me, ["hubspot_owner_id"]);
    assert_eq!(m.properties["hubspot_owner_id"], ME);
    assert_eq!(
        m.summary(),
        "Owner → me (asked when first run), Priority → High"
    );
    m.set_me("11", "Aiko");
    assert!(m.asks_me.is_empty());
    assert_eq!(m.properties["hubspot_owner_id"], "11");
    assert_eq!(m.summary(), "Owner → Aiko, Priority → High");

    // With `me` set, it is that owner at once.
    let set = from_config(Some(&defs), &check(&c, &k, Some("11"))).expect("valid");
    assert!(set[0].asks_me.is_empty());
    assert_eq!(set[0].properties["hubspot_owner_id"], "11");

    // The command line has nobody to ask: `--set hubspot_owner_id=@me` is refused.
    let cli = resolve_properties(
        &[("hubspot_owner_id".to_owned(), "@me".to_owned())],
        &check(&c, &k, None),
    )
    .expect_err("no me");
    assert!(
        cli[0].contains("\"@me\" needs `me` in config.toml"),
        "{cli:?}"
    );
}
