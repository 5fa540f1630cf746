//! HubSpot's wire types to the app's domain and protocol types, and the app's search terms to
//! HubSpot's search request: the one place the two vocabularies meet. The worker and the CLI
//! (`hubtix tickets ...`) both use it, so they show the same thing.
//!
//! Owns: pure conversions. Must not: do I/O or know about the UI.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::domain::{
    Activity, Associated, AssociationType, HistoryValue, ObjectKind, Owner, Pipeline, PropertyDef,
    PropertyGroup, PropertyOption, PropertyType, Stage, Ticket, parse_timestamp,
};
use crate::hubspot as hs;

fn order(n: Option<i64>) -> i32 {
    n.and_then(|n| i32::try_from(n).ok()).unwrap_or(i32::MAX)
}

pub fn ticket(o: hs::SimplePublicObject) -> Ticket {
    let properties = o
        .properties
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
    let history = o.properties_with_history.map(|h| {
        h.into_iter()
            .map(|(k, values)| (k, values.into_iter().map(history_value).collect()))
            .collect::<BTreeMap<_, _>>()
    });
    Ticket {
        id: o.id,
        properties,
        created_at: Some(o.created_at),
        updated_at: Some(o.updated_at),
        archived: o.archived,
        history,
    }
}

pub fn history_value(v: hs::ValueWithTimestamp) -> HistoryValue {
    HistoryValue {
        value: v.value,
        timestamp: v.timestamp,
        source_type: v.source_type,
        source_id: v.source_id,
        source_label: v.source_label,
        updated_by_user_id: v.updated_by_user_id,
    }
}

/// A history value from raw JSON (the CLI keeps records as HubSpot sent them).
pub fn history_value_json(v: &Value) -> Option<HistoryValue> {
    serde_json::from_value::<hs::ValueWithTimestamp>(v.clone())
        .ok()
        .map(history_value)
}

pub fn property(p: hs::Property) -> PropertyDef {
    let duration = is_duration(&p);
    let read_only_value = p
        .modification_metadata
        .as_ref()
        .is_some_and(|m| m.read_only_value);
    PropertyDef {
        kind: PropertyType::parse(&p.type_),
        // An option without a displayOrder (optional in the spec) keeps its place in the
        // list HubSpot sent, which is the order it shows.
        options: p
            .options
            .into_iter()
            .enumerate()
            .map(|(i, o)| PropertyOption {
                label: o.label,
                value: o.value,
                hidden: o.hidden,
                display_order: o
                    .display_order
                    .map_or_else(|| i32::try_from(i).unwrap_or(i32::MAX), |n| order(Some(n))),
            })
            .collect(),
        name: p.name,
        label: p.label,
        field_type: p.field_type,
        group_name: p.group_name,
        description: p.description,
        display_order: order(p.display_order),
        hidden: p.hidden,
        calculated: p.calculated,
        read_only_value,
        has_unique_value: p.has_unique_value,
        hubspot_defined: p.hubspot_defined,
        duration,
        referenced_object_type: p.referenced_object_type,
    }
}

/// HubSpot-defined ticket properties holding a number of milliseconds, for a portal whose
/// Properties API does not send `numberDisplayHint` (it is optional in the spec). The list is
/// UNCONFIRMED: these are documented as millisecond durations by portals' own exports, not
/// by HubSpot.
pub const KNOWN_DURATIONS: [&str; 5] = [
    "time_to_close",
    "time_to_first_agent_reply",
    "hs_time_to_first_rep_assignment",
    "hs_time_to_close_in_operating_hours",
    "hs_time_to_first_response_in_operating_hours",
];

/// Whether a property's numbers are durations in milliseconds: its `numberDisplayHint` says
/// `duration` [S: PR3 `Property.numberDisplayHint`], or, without a hint, it is one of the
/// [`KNOWN_DURATIONS`].
fn is_duration(p: &hs::Property) -> bool {
    if p.type_ != "number" {
        return false;
    }
    match p.extra.get("numberDisplayHint").and_then(Value::as_str) {
        Some(hint) => hint == "duration",
        None => p.hubspot_defined && KNOWN_DURATIONS.contains(&p.name.as_str()),
    }
}

pub fn group(g: hs::PropertyGroup) -> PropertyGroup {
    PropertyGroup {
        name: g.name,
        label: g.label,
        display_order: order(Some(g.display_order)),
    }
}

pub fn pipeline(p: hs::Pipeline) -> Pipeline {
    Pipeline {
        stages: p
            .stages
            .iter()
            .filter(|s| !s.archived)
            .map(|s| Stage {
                closed: s.is_closed(),
                id: s.id.clone(),
                label: s.label.clone(),
                display_order: order(Some(s.display_order)),
            })
            .collect(),
        id: p.id,
        label: p.label,
        display_order: order(Some(p.display_order)),
    }
}

pub fn owner(o: hs::PublicOwner) -> Owner {
    Owner {
        // History names the editing user; archived owners keep theirs here.
        user_id: o.user_id.or(o.user_id_including_inactive),
        id: o.id,
        first_name: o.first_name.unwrap_or_default(),
        last_name: o.last_name.unwrap_or_default(),
        email: o.email.unwrap_or_default(),
        archived: o.archived,
    }
}

/// Properties read to show an associated record or activity.
pub fn display_properties(kind: ObjectKind) -> &'static [&'static str] {
    match kind {
        ObjectKind::Contact => &["firstname", "lastname", "email"],
        ObjectKind::Company => &["name", "domain"],
        ObjectKind::Deal => &["dealname", "amount", "dealstage"],
        ObjectKind::Note => &["hs_note_body", "hs_timestamp", "hubspot_owner_id"],
        ObjectKind::Email => &[
            "hs_email_subject",
            "hs_email_text",
            "hs_email_direction",
            "hs_timestamp",
            "hubspot_owner_id",
        ],
        ObjectKind::Call => &[
            "hs_call_title",
            "hs_call_body",
            "hs_timestamp",
            "hubspot_owner_id",
        ],
        ObjectKind::Task => &[
            "hs_task_subject",
            "hs_task_body",
            "hs_task_status",
            "hs_timestamp",
            "hubspot_owner_id",
        ],
        ObjectKind::Meeting => &[
            "hs_meeting_title",
            "hs_meeting_body",
            "hs_timestamp",
            "hubspot_owner_id",
        ],
    }
}

fn prop<'a>(r: Option<&'a hs::SimplePublicObject>, name: &str) -> &'a str {
    r.and_then(|r| r.property(name)).unwrap_or("")
}

/// HubSpot's name of an association category (`HUBSPOT_DEFINED`, `USER_DEFINED`, ...).
pub fn category_name(c: hs::AssociationCategory) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn associated(
    kind: ObjectKind,
    link: &hs::AssociatedObject,
    r: Option<&hs::SimplePublicObject>,
) -> Associated {
    let (title, detail) = match kind {
        ObjectKind::Contact => {
            let name = format!("{} {}", prop(r, "firstname"), prop(r, "lastname"));
            let name = name.trim();
            let email = prop(r, "email");
            (
                if name.is_empty() { email } else { name }.to_owned(),
                email.to_owned(),
            )
        }
        ObjectKind::Company => (prop(r, "name").to_owned(), prop(r, "domain").to_owned()),
        ObjectKind::Deal => (prop(r, "dealname").to_owned(), prop(r, "amount").to_owned()),
        _ => {
            let a = r.map(|r| activity(kind, &link.to_object_id, r));
            (
                a.as_ref().map(|a| a.title.clone()).unwrap_or_default(),
                a.map(|a| a.body.lines().next().unwrap_or("").to_owned())
                    .unwrap_or_default(),
            )
        }
    };
    let title = if r.is_none() {
        format!("{} {} (not found)", kind.label(), link.to_object_id)
    } else if title.is_empty() {
        format!("{} {}", kind.label(), link.to_object_id)
    } else {
        title
    };
    Associated {
        kind,
        id: link.to_object_id.clone(),
        title,
        detail,
        types: link
            .association_types
            .iter()
            .map(|t| AssociationType {
                category: category_name(t.category),
                type_id: t.type_id,
                label: t.label.clone(),
            })
            .collect(),
    }
}

pub fn activity(kind: ObjectKind, id: &str, r: &hs::SimplePublicObject) -> Activity {
    let p = |n: &str| r.property(n).unwrap_or("");
    let (title, body) = match kind {
        ObjectKind::Note => (String::new(), p("hs_note_body")),
        ObjectKind::Email => (p("hs_email_subject").to_owned(), p("hs_email_text")),
        ObjectKind::Call => (p("hs_call_title").to_owned(), p("hs_call_body")),
        ObjectKind::Task => {
            let status = p("hs_task_status");
            let subject = p("hs_task_subject");
            (
                if status.is_empty() {
                    subject.to_owned()
                } else {
                    format!("{subject} [{status}]")
                },
                p("hs_task_body"),
            )
        }
        ObjectKind::Meeting => (p("hs_meeting_title").to_owned(), p("hs_meeting_body")),
        _ => (String::new(), ""),
    };
    // Bodies are rich text (notes, calls) or plain text (an email's `hs_email_text`): read
    // as such, links as references; a title taken from the body is its first plain line.
    let plain = if crate::text::looks_like_html(body) {
        crate::text::html_to_text(body)
    } else {
        crate::text::sanitize_multiline(body).into_owned()
    };
    let body = crate::text::readable(body);
    let title = if title.trim().is_empty() {
        plain
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_owned()
    } else {
        title
    };
    Activity {
        kind,
        id: id.to_owned(),
        timestamp: parse_timestamp(p("hs_timestamp")).or(Some(r.created_at)),
        title,
        body,
        owner_id: r.property("hubspot_owner_id").map(str::to_owned),
    }
}

/// A new note, call or task as HubSpot's create takes it: its properties (the body as
/// minimal HTML, `hs_timestamp` in milliseconds precision), and its associations to the
/// ticket and to the contacts and companies the agent kept ticked.
pub fn new_activity(a: &crate::domain::NewActivity) -> hs::CreateInput {
    use crate::domain::{ActivityDetails, AssociationTarget};
    let kind = a.kind();
    let mut p = std::collections::BTreeMap::new();
    p.insert(
        "hs_timestamp".to_owned(),
        a.timestamp
            .round(jiff::Unit::Millisecond)
            .unwrap_or(a.timestamp)
            .to_string(),
    );
    p.insert(
        kind.body_property().to_owned(),
        crate::text::text_to_html(&a.body),
    );
    match &a.details {
        ActivityDetails::Note => {}
        ActivityDetails::Call {
            title,
            direction,
            outcome,
            duration_ms,
        } => {
            p.insert("hs_call_title".to_owned(), title.clone());
            p.insert(
                "hs_call_direction".to_owned(),
                direction.api_value().to_owned(),
            );
            if let Some(o) = outcome {
                p.insert("hs_call_disposition".to_owned(), o.clone());
            }
            if let Some(ms) = duration_ms {
                p.insert("hs_call_duration".to_owned(), ms.to_string());
            }
        }
        ActivityDetails::Task {
            subject,
            owner_id,
            priority,
        } => {
            p.insert("hs_task_subject".to_owned(), subject.clone());
            p.insert("hs_task_status".to_owned(), "NOT_STARTED".to_owned());
            p.insert("hs_task_type".to_owned(), "TODO".to_owned());
            if let Some(v) = priority.api_value() {
                p.insert("hs_task_priority".to_owned(), v.to_owned());
            }
            if let Some(o) = owner_id {
                p.insert("hubspot_owner_id".to_owned(), o.clone());
            }
        }
    }
    let to = |target: AssociationTarget, id: &str| hs::AssociationInput {
        to: hs::ObjectId::new(id.to_owned()),
        types: vec![hs::AssociationSpec::hubspot(
            kind.association_type_to(target),
        )],
    };
    let mut associations = vec![to(AssociationTarget::Ticket, &a.ticket_id)];
    associations.extend(a.also.iter().map(|(t, id)| to(*t, id)));
    hs::CreateInput {
        properties: p,
        associations,
        object_write_trace_id: None,
    }
}

/// The call outcomes a call can be logged with: the visible options of the portal's
/// `hs_call_disposition` (its custom outcomes included) in the portal's order, or HubSpot's
/// defaults when the property lists none (`None`: the portal has no such property).
pub fn call_outcomes(disposition: Option<hs::Property>) -> Vec<PropertyOption> {
    let mut options: Vec<PropertyOption> = disposition
        .map(property)
        .map(|p| p.options)
        .unwrap_or_default()
        .into_iter()
        .filter(|o| !o.hidden)
        .collect();
    // A stable sort: options without an order keep HubSpot's.
    options.sort_by_key(|o| o.display_order);
    if options.is_empty() {
        options = crate::domain::DEFAULT_CALL_OUTCOMES
            .iter()
            .enumerate()
            .map(|(i, (value, label))| PropertyOption {
                label: (*label).to_owned(),
                value: (*value).to_owned(),
                hidden: false,
                display_order: i32::try_from(i).unwrap_or(i32::MAX),
            })
            .collect();
    }
    options
}

/// A client error as the app keeps it: data, not a string, so the UI lays it out.
impl crate::protocol::Failure {
    pub fn from_api(e: &hs::ApiError) -> Self {
        use crate::protocol::FailureKind as K;
        let kind = match e {
            hs::ApiError::Http(_) => K::Http,
            hs::ApiError::RateLimited { .. } => K::RateLimited,
            hs::ApiError::Network(_) => K::Network,
            hs::ApiError::Timeout => K::Timeout,
            hs::ApiError::Decode(_) => K::BadResponse,
            hs::ApiError::WriteOutcomeUnknown { .. } => K::OutcomeUnknown,
            hs::ApiError::Config(_) => K::Config,
            hs::ApiError::Refused(_) => K::Refused,
        };
        Self {
            kind,
            category: e.category().map(str::to_owned),
            message: e.message(),
            correlation_id: e.correlation_id().map(str::to_owned),
            summary: e.summary(),
            status: e.status(),
            not_found: e.is_not_found(),
            auth: e.is_auth(),
            missing_scopes: e.missing_scopes().unwrap_or_default(),
            field_errors: e.field_errors(),
            outcome_unknown: matches!(e, hs::ApiError::WriteOutcomeUnknown { .. }),
            context: None,
        }
    }
}

/// The app's search terms as HubSpot's search takes them.
pub mod search {
    use crate::domain::search as d;
    use crate::hubspot as hs;

    pub fn operator(op: d::FilterOperator) -> hs::FilterOperator {
        match op {
            d::FilterOperator::Eq => hs::FilterOperator::Eq,
            d::FilterOperator::Neq => hs::FilterOperator::Neq,
            d::FilterOperator::Lt => hs::FilterOperator::Lt,
            d::FilterOperator::Lte => hs::FilterOperator::Lte,
            d::FilterOperator::Gt => hs::FilterOperator::Gt,
            d::FilterOperator::Gte => hs::FilterOperator::Gte,
            d::FilterOperator::Between => hs::FilterOperator::Between,
            d::FilterOperator::In => hs::FilterOperator::In,
            d::FilterOperator::NotIn => hs::FilterOperator::NotIn,
            d::FilterOperator::HasProperty => hs::FilterOperator::HasProperty,
            d::FilterOperator::NotHasProperty => hs::FilterOperator::NotHasProperty,
            d::FilterOperator::ContainsToken => hs::FilterOperator::ContainsToken,
            d::FilterOperator::NotContainsToken => hs::FilterOperator::NotContainsToken,
        }
    }

    pub fn filter(f: &d::Filter) -> hs::Filter {
        hs::Filter {
            property_name: f.property_name.clone(),
            operator: operator(f.operator),
            value: f.value.clone(),
            high_value: f.high_value.clone(),
            values: f.values.clone(),
        }
    }

    pub fn group(g: &d::FilterGroup) -> hs::FilterGroup {
        hs::FilterGroup {
            filters: g.filters.iter().map(filter).collect(),
        }
    }

    pub fn sort(s: &d::Sort) -> hs::Sort {
        hs::Sort {
            property_name: s.property_name.clone(),
            direction: match s.direction {
                d::SortDirection::Ascending => hs::SortDirection::Ascending,
                d::SortDirection::Descending => hs::SortDirection::Descending,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property_json(extra: &str) -> hs::Property {
        serde_json::from_str(&format!(
            r#"{{"name":"time_to_close","label":"Time to close","type":"number",
                "fieldType":"number","groupName":"ticketinformation","description":"",
                "options":[],"hubspotDefined":true{extra}}}"#
        ))
        .expect("property")
    }

    #[test]
    fn durations_come_from_the_display_hint_else_the_known_list() {
        assert!(property(property_json(r#","numberDisplayHint":"duration""#)).duration);
        assert!(
            !property(property_json(r#","numberDisplayHint":"unformatted""#)).duration,
            "the hint wins over the list"
        );
        assert!(property(property_json("")).duration, "known without a hint");
        let mut custom = property_json(r#","numberDisplayHint":"duration""#);
        custom.name = "affected_users".into();
        custom.extra.clear();
        assert!(!property(custom).duration);
    }

    #[test]
    fn options_without_a_display_order_keep_their_place() {
        let p: hs::Property = serde_json::from_str(
            r#"{"name":"hs_ticket_priority","label":"Priority","type":"enumeration",
                "fieldType":"select","groupName":"ticketinformation","description":"",
                "options":[{"label":"Low","value":"LOW","hidden":false},
                           {"label":"Medium","value":"MEDIUM","hidden":false},
                           {"label":"High","value":"HIGH","hidden":false},
                           {"label":"Urgent","value":"URGENT","hidden":false}]}"#,
        )
        .expect("property");
        let orders: Vec<(String, i32)> = property(p)
            .options
            .into_iter()
            .map(|o| (o.value, o.display_order))
            .collect();
        assert_eq!(
            orders,
            [("LOW", 0), ("MEDIUM", 1), ("HIGH", 2), ("URGENT", 3)].map(|(v, n)| (v.to_owned(), n))
        );
    }

    #[test]
    fn activity_bodies_are_read_as_rich_or_plain_text() {
        let note: hs::SimplePublicObject = serde_json::from_value(serde_json::json!({
            "id": "5000001",
            "properties": {"hs_note_body": "<p>See <a href=\"https://example.com/kb/7\">the article</a></p><p>Thanks</p>"},
            "createdAt": "2026-10-01T00:00:00Z",
            "updatedAt": "2026-10-01T00:00:00Z",
            "archived": false
        }))
        .expect("note");
        let a = activity(ObjectKind::Note, "5000001", &note);
        assert_eq!(a.title, "See the article");
        assert_eq!(
            a.body,
            "See the article [1]\n\nThanks\n\n[1] https://example.com/kb/7"
        );
        let email: hs::SimplePublicObject = serde_json::from_value(serde_json::json!({
            "id": "5000002",
            "properties": {"hs_email_subject": "Re: printer", "hs_email_text": "Hello,\n\nIt works again.\n\nBest regards,\nSupport"},
            "createdAt": "2026-10-01T00:00:00Z",
            "updatedAt": "2026-10-01T00:00:00Z",
            "archived": false
        }))
        .expect("email");
        let a = activity(ObjectKind::Email, "5000002", &email);
        assert_eq!(
            a.body, "Hello,\n\nIt works again.\n\nBest regards,\nSupport",
            "a plain-text email keeps its lines"
        );
    }

    fn disposition(options: serde_json::Value) -> hs::Property {
        serde_json::from_value(serde_json::json!({
            "name": "hs_call_disposition", "label": "Call outcome", "type": "enumeration",
            "fieldType": "select", "groupName": "call", "options": options
        }))
        .expect("a property")
    }

    #[test]
    fn call_outcomes_are_the_portals_visible_options_in_its_order_else_hubspots() {
        let outcomes = call_outcomes(Some(disposition(serde_json::json!([
            {"label": "Wrong number", "value": "w", "displayOrder": 5, "hidden": false},
            {"label": "Retired", "value": "r", "displayOrder": 0, "hidden": true},
            {"label": "Callback booked", "value": "c", "displayOrder": 1, "hidden": false},
        ]))));
        let labels: Vec<&str> = outcomes.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(labels, ["Callback booked", "Wrong number"]);
        for none in [None, Some(disposition(serde_json::json!([])))] {
            let defaults = call_outcomes(none);
            assert_eq!(defaults.len(), 6);
            assert_eq!(defaults[1].label, "Connected");
            assert_eq!(defaults[1].value, "f240bbac-87c9-4f6e-bf70-924b57d47db7");
        }
    }
}
