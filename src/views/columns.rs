//! What a view's column names mean, and what a cell of the urgency columns shows.
//!
//! A column is a property (`subject`, `hs_ticket_priority`, the short names of
//! [`super::canonical_property`]), or the time since or until a date-time property:
//! `since:<property>` ("3 d 4 h" ago) and `until:<property>` ("in 3 h 12 min", "late 2 d 1 h").
//! Short names stand for the urgency columns triage needs: `age` (since created),
//! `customer_wrote` (since the customer last wrote, `last_reply_date`), `idle` (since the last
//! change), and HubSpot's SLA due dates `response_due` and `close_due`
//! (`hs_time_to_first_response_sla_at`, `hs_time_to_close_sla_at`). An SLA shows as met once
//! its status says so; one past due — or an SLA status of overdue or late — is an alert.
//!
//! The names of the reply and SLA properties, and the labels of the SLA statuses, come from
//! portals' property exports, not from HubSpot's documentation (UNCONFIRMED). A portal without
//! them shows empty cells.
//!
//! Pure: the time comes in as an argument.

use jiff::Timestamp;

use crate::domain::{Catalog, PropertyDef, Ticket, format_duration, parse_timestamp};

/// How a column shows its property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column<'a> {
    /// The value, as the Properties tab shows it.
    Property(&'a str),
    /// How long ago the date-time was.
    Since(&'a str),
    /// How long until the date-time (a due date), or how late it is.
    Until(&'a str),
}

/// Reads a column as written in a view (already canonical: see [`canonical`]).
pub fn parse(spec: &str) -> Column<'_> {
    if let Some(p) = spec.strip_prefix("since:") {
        Column::Since(p)
    } else if let Some(p) = spec.strip_prefix("until:") {
        Column::Until(p)
    } else {
        Column::Property(spec)
    }
}

/// A column name as a view means it: the urgency short names spelled out, the property short
/// names as properties (`priority` → `hs_ticket_priority`).
pub fn canonical(name: &str) -> String {
    let name = name.trim();
    let spelled = match name.to_ascii_lowercase().as_str() {
        "age" => "since:createdate",
        "customer_wrote" => "since:last_reply_date",
        "idle" => "since:hs_lastmodifieddate",
        "response_due" => "until:hs_time_to_first_response_sla_at",
        "close_due" => "until:hs_time_to_close_sla_at",
        _ => "",
    };
    if !spelled.is_empty() {
        return spelled.to_owned();
    }
    match parse(name) {
        Column::Since(p) => format!("since:{}", super::canonical_property(p)),
        Column::Until(p) => format!("until:{}", super::canonical_property(p)),
        Column::Property(p) => super::canonical_property(p),
    }
}

/// The SLA status property that goes with an SLA due date (`…_sla_at` → `…_sla_status`).
fn status_of(due: &str) -> Option<String> {
    due.strip_suffix("_sla_at")
        .map(|p| format!("{p}_sla_status"))
}

/// The properties a column needs loaded: its own, and an SLA due date's status.
pub fn properties(spec: &str) -> Vec<String> {
    match parse(spec) {
        Column::Property(p) | Column::Since(p) => vec![p.to_owned()],
        Column::Until(p) => std::iter::once(p.to_owned()).chain(status_of(p)).collect(),
    }
}

/// The header of a time column: the urgency columns' short headers, else the property's
/// label.
pub fn header(spec: &str, catalog: &Catalog) -> Option<String> {
    let short = match spec {
        "since:createdate" => "Age",
        "since:last_reply_date" => "Cust. wrote",
        "since:hs_lastmodifieddate" => "Idle",
        "until:hs_time_to_first_response_sla_at" => "Resp. due",
        "until:hs_time_to_close_sla_at" => "Close due",
        _ => "",
    };
    if !short.is_empty() {
        return Some(short.to_owned());
    }
    match parse(spec) {
        Column::Since(p) | Column::Until(p) => Some(catalog.property_label(p).to_owned()),
        Column::Property(_) => None,
    }
}

/// A cell of the urgency columns: its text, and whether it is an alert (overdue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub alert: bool,
}

impl Cell {
    fn plain(text: String) -> Self {
        Self { text, alert: false }
    }
}

/// What a time column, or an SLA status column, shows for `ticket` at `now`; `None` for
/// any other column (shown as its value).
pub fn cell(spec: &str, ticket: &Ticket, catalog: &Catalog, now: Timestamp) -> Option<Cell> {
    let when = |p: &str| {
        if p == "createdate" {
            parse_timestamp(ticket.prop(p)).or(ticket.created_at)
        } else if p == "hs_lastmodifieddate" {
            ticket.last_modified()
        } else {
            parse_timestamp(ticket.prop(p))
        }
    };
    match parse(spec) {
        Column::Since(p) => {
            Some(Cell::plain(when(p).map_or_else(String::new, |t| {
                crate::domain::time_since(now, t)
            })))
        }
        Column::Until(p) => Some(until_cell(ticket, catalog, p, when(p), now)),
        Column::Property(p) => {
            let def = catalog.property(p)?;
            sla_status_alert(def, ticket.prop(p)).map(|alert| Cell {
                text: catalog.display_value(Some(ticket), p, ticket.prop(p)),
                alert,
            })
        }
    }
}

/// A due date: "met" (or "met late", an alert) once its SLA status says it was completed,
/// else the time left ("in 3 h 12 min") or how late it is ("late 2 d 1 h", an alert).
fn until_cell(
    ticket: &Ticket,
    catalog: &Catalog,
    due_prop: &str,
    due: Option<Timestamp>,
    now: Timestamp,
) -> Cell {
    let Some(due) = due else {
        return Cell::plain(String::new());
    };
    let status = status_of(due_prop).and_then(|s| {
        let def = catalog.property(&s)?;
        let value = ticket.prop(&s);
        let label = def.option_label(value).unwrap_or_else(|| value.to_owned());
        Some(label.to_ascii_lowercase())
    });
    match status.as_deref() {
        Some(s) if s.starts_with("completed") && s.contains("late") => Cell {
            text: "met late".into(),
            alert: true,
        },
        Some(s) if s.starts_with("completed") => Cell::plain("met".into()),
        _ => {
            let left = due.duration_since(now).as_millis();
            let ms = i64::try_from(left.unsigned_abs()).unwrap_or(i64::MAX);
            if left < 0 {
                Cell {
                    text: format!("late {}", format_duration(ms)),
                    alert: true,
                }
            } else {
                Cell::plain(format!("in {}", format_duration(ms)))
            }
        }
    }
}

/// Whether an SLA status value is an alert: `Some(true)` for overdue or completed late,
/// `Some(false)` for another SLA status, `None` for a property that is no SLA status. Read by
/// the option's label (HubSpot's codes for them are UNCONFIRMED) or the `overdue` /
/// `sla_completed_late` values of `hs_most_relevant_sla_status`.
pub fn sla_status_alert(def: &PropertyDef, value: &str) -> Option<bool> {
    if !def.name.ends_with("sla_status") {
        return None;
    }
    let label = def
        .option_label(value)
        .unwrap_or_else(|| value.to_owned())
        .to_ascii_lowercase();
    let value = value.to_ascii_lowercase();
    Some(
        label == "overdue"
            || label == "completed late"
            || value == "overdue"
            || value == "sla_completed_late",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PropertyOption, PropertyType};

    fn def(name: &str, kind: PropertyType, options: &[(&str, &str)]) -> PropertyDef {
        PropertyDef {
            name: name.into(),
            label: name.into(),
            kind,
            field_type: "select".into(),
            group_name: "ticketinformation".into(),
            description: String::new(),
            options: options
                .iter()
                .enumerate()
                .map(|(i, (v, l))| PropertyOption {
                    label: (*l).into(),
                    value: (*v).into(),
                    hidden: false,
                    display_order: i32::try_from(i).unwrap_or(0),
                })
                .collect(),
            display_order: 0,
            hidden: false,
            calculated: true,
            read_only_value: true,
            has_unique_value: false,
            hubspot_defined: true,
            referenced_object_type: None,
            duration: false,
        }
    }

    const STATUSES: &[(&str, &str)] = &[
        ("0", "Active SLA"),
        ("1", "Overdue"),
        ("2", "Due soon"),
        ("3", "Completed on time"),
        ("4", "Completed late"),
    ];

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        c.set_properties(
            vec![
                def("createdate", PropertyType::DateTime, &[]),
                def("last_reply_date", PropertyType::DateTime, &[]),
                def("hs_time_to_close_sla_at", PropertyType::DateTime, &[]),
                def(
                    "hs_time_to_close_sla_status",
                    PropertyType::Enumeration,
                    STATUSES,
                ),
            ],
            vec![],
        );
        c
    }

    fn ticket(props: &[(&str, &str)]) -> Ticket {
        Ticket {
            id: "1".into(),
            properties: props
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        }
    }

    fn now() -> Timestamp {
        "2026-11-01T12:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn short_names_spell_out_the_urgency_columns() {
        assert_eq!(canonical("age"), "since:createdate");
        assert_eq!(canonical("Close_due"), "until:hs_time_to_close_sla_at");
        assert_eq!(canonical("since:modified"), "since:hs_lastmodifieddate");
        assert_eq!(canonical("priority"), "hs_ticket_priority");
        assert_eq!(
            properties("until:hs_time_to_close_sla_at"),
            ["hs_time_to_close_sla_at", "hs_time_to_close_sla_status"]
        );
        assert_eq!(properties("since:createdate"), ["createdate"]);
        assert_eq!(
            header("since:createdate", &catalog()).as_deref(),
            Some("Age")
        );
        assert_eq!(header("subject", &catalog()), None);
    }

    #[test]
    fn since_columns_read_how_long_ago() {
        let c = catalog();
        let t = ticket(&[
            ("createdate", "2026-10-24T02:00:00Z"),
            ("last_reply_date", "2026-11-01T08:48:00Z"),
        ]);
        let text = |spec: &str| cell(spec, &t, &c, now()).map(|c| (c.text, c.alert));
        assert_eq!(text("since:createdate"), Some(("8 d 10 h".into(), false)));
        assert_eq!(
            text("since:last_reply_date"),
            Some(("3 h 12 min".into(), false))
        );
        assert_eq!(text("since:follow_up_at"), Some((String::new(), false)));
        assert_eq!(text("subject"), None);
    }

    #[test]
    fn due_dates_count_down_and_turn_to_alerts_when_late() {
        let c = catalog();
        let due = |at: &str, status: &str| {
            let t = ticket(&[
                ("hs_time_to_close_sla_at", at),
                ("hs_time_to_close_sla_status", status),
            ]);
            cell("until:hs_time_to_close_sla_at", &t, &c, now()).map(|c| (c.text, c.alert))
        };
        assert_eq!(
            due("2026-11-01T15:12:00Z", "0"),
            Some(("in 3 h 12 min".into(), false))
        );
        assert_eq!(
            due("2026-10-30T11:00:00Z", "1"),
            Some(("late 2 d 1 h".into(), true))
        );
        // Past due but its status not recalculated yet: the clock decides.
        assert_eq!(
            due("2026-10-30T11:00:00Z", "0"),
            Some(("late 2 d 1 h".into(), true))
        );
        assert_eq!(
            due("2026-10-30T11:00:00Z", "3"),
            Some(("met".into(), false))
        );
        assert_eq!(
            due("2026-10-30T11:00:00Z", "4"),
            Some(("met late".into(), true))
        );
        assert_eq!(due("", ""), Some((String::new(), false)));
    }

    #[test]
    fn sla_status_columns_alert_when_overdue_or_late() {
        let c = catalog();
        let status = |v: &str| {
            let t = ticket(&[("hs_time_to_close_sla_status", v)]);
            cell("hs_time_to_close_sla_status", &t, &c, now()).map(|c| (c.text, c.alert))
        };
        assert_eq!(status("1"), Some(("Overdue".into(), true)));
        assert_eq!(status("4"), Some(("Completed late".into(), true)));
        assert_eq!(status("2"), Some(("Due soon".into(), false)));
        let most = def(
            "hs_most_relevant_sla_status",
            PropertyType::Enumeration,
            &[],
        );
        assert_eq!(sla_status_alert(&most, "overdue"), Some(true));
        assert_eq!(sla_status_alert(&most, "active_sla"), Some(false));
        assert_eq!(
            sla_status_alert(
                &def("hs_ticket_priority", PropertyType::Enumeration, &[]),
                "HIGH"
            ),
            None
        );
    }
}
