//! Static schema of the sandbox portal: object kinds, association types, property
//! definitions and pipelines. Everything here is HubSpot-shaped data, not client types.

/// The CRM object kinds the sandbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Contact,
    Company,
    Deal,
    Ticket,
    Note,
    Email,
    Call,
    Task,
    Meeting,
}

pub const ALL_KINDS: [Kind; 9] = [
    Kind::Contact,
    Kind::Company,
    Kind::Deal,
    Kind::Ticket,
    Kind::Note,
    Kind::Email,
    Kind::Call,
    Kind::Task,
    Kind::Meeting,
];

impl Kind {
    /// Accepts singular or plural names (any case) and object type IDs (`0-5`).
    pub fn parse(s: &str) -> Option<Kind> {
        let l = s.to_ascii_lowercase();
        ALL_KINDS
            .into_iter()
            .find(|k| l == k.plural() || l == k.singular() || l == k.type_id())
    }
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Contact => "contacts",
            Kind::Company => "companies",
            Kind::Deal => "deals",
            Kind::Ticket => "tickets",
            Kind::Note => "notes",
            Kind::Email => "emails",
            Kind::Call => "calls",
            Kind::Task => "tasks",
            Kind::Meeting => "meetings",
        }
    }
    pub fn singular(self) -> &'static str {
        match self {
            Kind::Contact => "contact",
            Kind::Company => "company",
            Kind::Deal => "deal",
            Kind::Ticket => "ticket",
            Kind::Note => "note",
            Kind::Email => "email",
            Kind::Call => "call",
            Kind::Task => "task",
            Kind::Meeting => "meeting",
        }
    }
    pub fn type_id(self) -> &'static str {
        match self {
            Kind::Contact => "0-1",
            Kind::Company => "0-2",
            Kind::Deal => "0-3",
            Kind::Ticket => "0-5",
            Kind::Note => "0-46",
            Kind::Email => "0-49",
            Kind::Call => "0-48",
            Kind::Task => "0-27",
            Kind::Meeting => "0-47",
        }
    }
    /// Upper-case name used in HubSpot messages ("Could not get some TICKET objects").
    pub fn upper(self) -> &'static str {
        match self {
            Kind::Contact => "CONTACT",
            Kind::Company => "COMPANY",
            Kind::Deal => "DEAL",
            Kind::Ticket => "TICKET",
            Kind::Note => "NOTE",
            Kind::Email => "EMAIL",
            Kind::Call => "CALL",
            Kind::Task => "TASK",
            Kind::Meeting => "MEETING",
        }
    }
    pub fn is_engagement(self) -> bool {
        matches!(
            self,
            Kind::Note | Kind::Email | Kind::Call | Kind::Task | Kind::Meeting
        )
    }
    /// The property holding the creation timestamp.
    pub fn create_prop(self) -> &'static str {
        if self.is_engagement() {
            "hs_createdate"
        } else {
            "createdate"
        }
    }
    /// The property holding the last-modified timestamp (contacts differ).
    pub fn modified_prop(self) -> &'static str {
        if self == Kind::Contact {
            "lastmodifieddate"
        } else {
            "hs_lastmodifieddate"
        }
    }
    /// Properties returned when none are requested.
    pub fn default_props(self) -> &'static [&'static str] {
        match self {
            Kind::Ticket => &[
                "content",
                "hs_pipeline",
                "hs_pipeline_stage",
                "hs_ticket_category",
                "hs_ticket_priority",
                "subject",
                "createdate",
                "hs_lastmodifieddate",
                "hs_object_id",
            ],
            Kind::Contact => &[
                "firstname",
                "lastname",
                "email",
                "createdate",
                "lastmodifieddate",
                "hs_object_id",
            ],
            Kind::Company => &[
                "name",
                "domain",
                "createdate",
                "hs_lastmodifieddate",
                "hs_object_id",
            ],
            Kind::Deal => &[
                "dealname",
                "amount",
                "dealstage",
                "pipeline",
                "closedate",
                "createdate",
                "hs_lastmodifieddate",
                "hs_object_id",
            ],
            _ => &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
        }
    }
    /// Properties the search `query` looks at.
    pub fn query_props(self) -> &'static [&'static str] {
        match self {
            Kind::Ticket => &[
                "subject",
                "content",
                "hs_pipeline_stage",
                "hs_ticket_category",
                "hs_ticket_id",
            ],
            Kind::Contact => &["firstname", "lastname", "email", "phone", "company"],
            Kind::Company => &["name", "domain", "phone", "website"],
            Kind::Deal => &["dealname"],
            Kind::Note => &["hs_note_body"],
            Kind::Email => &["hs_email_subject", "hs_email_text"],
            Kind::Call => &["hs_call_title", "hs_call_body"],
            Kind::Task => &["hs_task_subject", "hs_task_body"],
            Kind::Meeting => &["hs_meeting_title", "hs_meeting_body"],
        }
    }
}

/// A HubSpot-defined association type (one direction).
#[derive(Debug, Clone, Copy)]
pub struct AssocType {
    pub from: Kind,
    pub to: Kind,
    pub type_id: u32,
    pub label: Option<&'static str>,
    /// The v3 name (`ticket_to_contact`).
    pub name: &'static str,
    pub reverse: u32,
    /// Primary types imply this unlabeled type as well.
    pub implies: Option<u32>,
}

macro_rules! at {
    ($f:ident, $t:ident, $id:expr, $label:expr, $name:expr, $rev:expr, $imp:expr) => {
        AssocType {
            from: Kind::$f,
            to: Kind::$t,
            type_id: $id,
            label: $label,
            name: $name,
            reverse: $rev,
            implies: $imp,
        }
    };
}

/// API-NOTES §3. The first entry for a (from, to) pair is its default (unlabeled) type.
/// The label string "Primary" for the ticket↔company primary types is UNCONFIRMED.
pub const ASSOC_TYPES: &[AssocType] = &[
    at!(Ticket, Contact, 16, None, "ticket_to_contact", 15, None),
    at!(Contact, Ticket, 15, None, "contact_to_ticket", 16, None),
    at!(
        Ticket,
        Company,
        339,
        None,
        "ticket_to_company_unlabeled",
        340,
        None
    ),
    at!(
        Company,
        Ticket,
        340,
        None,
        "company_to_ticket_unlabeled",
        339,
        None
    ),
    at!(
        Ticket,
        Company,
        26,
        Some("Primary"),
        "ticket_to_company",
        25,
        Some(339)
    ),
    at!(
        Company,
        Ticket,
        25,
        Some("Primary"),
        "company_to_ticket",
        26,
        Some(340)
    ),
    at!(Ticket, Deal, 28, None, "ticket_to_deal", 27, None),
    at!(Deal, Ticket, 27, None, "deal_to_ticket", 28, None),
    at!(Ticket, Call, 219, None, "ticket_to_call", 220, None),
    at!(Call, Ticket, 220, None, "call_to_ticket", 219, None),
    at!(Ticket, Email, 223, None, "ticket_to_email", 224, None),
    at!(Email, Ticket, 224, None, "email_to_ticket", 223, None),
    at!(Ticket, Meeting, 225, None, "ticket_to_meeting", 226, None),
    at!(Meeting, Ticket, 226, None, "meeting_to_ticket", 225, None),
    at!(Ticket, Note, 227, None, "ticket_to_note", 228, None),
    at!(Note, Ticket, 228, None, "note_to_ticket", 227, None),
    at!(Ticket, Task, 229, None, "ticket_to_task", 230, None),
    at!(Task, Ticket, 230, None, "task_to_ticket", 229, None),
    at!(
        Contact,
        Company,
        279,
        None,
        "contact_to_company_unlabeled",
        280,
        None
    ),
    at!(
        Company,
        Contact,
        280,
        None,
        "company_to_contact_unlabeled",
        279,
        None
    ),
    at!(
        Contact,
        Company,
        1,
        Some("Primary"),
        "contact_to_company",
        2,
        Some(279)
    ),
    at!(
        Company,
        Contact,
        2,
        Some("Primary"),
        "company_to_contact",
        1,
        Some(280)
    ),
    at!(Deal, Contact, 3, None, "deal_to_contact", 4, None),
    at!(Contact, Deal, 4, None, "contact_to_deal", 3, None),
    at!(
        Deal,
        Company,
        341,
        None,
        "deal_to_company_unlabeled",
        342,
        None
    ),
    at!(
        Company,
        Deal,
        342,
        None,
        "company_to_deal_unlabeled",
        341,
        None
    ),
    at!(
        Deal,
        Company,
        5,
        Some("Primary"),
        "deal_to_company",
        6,
        Some(341)
    ),
    at!(
        Company,
        Deal,
        6,
        Some("Primary"),
        "company_to_deal",
        5,
        Some(342)
    ),
    at!(Contact, Note, 201, None, "contact_to_note", 202, None),
    at!(Note, Contact, 202, None, "note_to_contact", 201, None),
    // The activities an agent writes, to the ticket's contacts and companies too: the notes'
    // from API-NOTES §3; the calls' and tasks' are in the same [D-assoc] table but not copied
    // there, so they are as public integrations list them, consistently [O].
    at!(Company, Note, 189, None, "company_to_note", 190, None),
    at!(Note, Company, 190, None, "note_to_company", 189, None),
    at!(Contact, Call, 193, None, "contact_to_call", 194, None),
    at!(Call, Contact, 194, None, "call_to_contact", 193, None),
    at!(Company, Call, 181, None, "company_to_call", 182, None),
    at!(Call, Company, 182, None, "call_to_company", 181, None),
    at!(Contact, Task, 203, None, "contact_to_task", 204, None),
    at!(Task, Contact, 204, None, "task_to_contact", 203, None),
    at!(Company, Task, 191, None, "company_to_task", 192, None),
    at!(Task, Company, 192, None, "task_to_company", 191, None),
];

pub fn assoc_type(from: Kind, to: Kind, type_id: u32) -> Option<&'static AssocType> {
    ASSOC_TYPES
        .iter()
        .find(|a| a.from == from && a.to == to && a.type_id == type_id)
}
pub fn assoc_type_by_name(from: Kind, to: Kind, name: &str) -> Option<&'static AssocType> {
    ASSOC_TYPES
        .iter()
        .find(|a| a.from == from && a.to == to && a.name.eq_ignore_ascii_case(name))
}
pub fn default_assoc(from: Kind, to: Kind) -> Option<&'static AssocType> {
    ASSOC_TYPES.iter().find(|a| a.from == from && a.to == to)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PType {
    String,
    Number,
    Date,
    DateTime,
    Bool,
    Enum,
}

impl PType {
    pub fn as_str(self) -> &'static str {
        match self {
            PType::String => "string",
            PType::Number => "number",
            PType::Date => "date",
            PType::DateTime => "datetime",
            PType::Bool => "bool",
            PType::Enum => "enumeration",
        }
    }
}

/// Where an enumeration's options come from.
#[derive(Debug, Clone, Copy)]
pub enum Opts {
    None,
    Fixed(&'static [(&'static str, &'static str)]),
    Pipelines(Kind),
    Stages(Kind),
    Owners,
}

#[derive(Debug, Clone, Copy)]
pub struct PropDef {
    pub name: &'static str,
    pub label: &'static str,
    pub ptype: PType,
    pub field_type: &'static str,
    pub group: &'static str,
    pub description: &'static str,
    pub opts: Opts,
    /// Value cannot be written through the API (calculated or system-maintained).
    pub read_only: bool,
    pub calculated: bool,
    pub custom: bool,
    pub unique: bool,
    /// `numberDisplayHint` of a number property (`duration`: milliseconds).
    pub number_hint: Option<&'static str>,
}

const fn p(
    name: &'static str,
    label: &'static str,
    ptype: PType,
    field_type: &'static str,
    group: &'static str,
) -> PropDef {
    PropDef {
        name,
        label,
        ptype,
        field_type,
        group,
        description: "",
        opts: Opts::None,
        read_only: false,
        calculated: false,
        custom: false,
        unique: false,
        number_hint: None,
    }
}
const fn ro(mut d: PropDef) -> PropDef {
    d.read_only = true;
    d
}
const fn calc(mut d: PropDef) -> PropDef {
    d.read_only = true;
    d.calculated = true;
    d
}
const fn opts(mut d: PropDef, o: Opts) -> PropDef {
    d.opts = o;
    d
}
const fn custom(mut d: PropDef, description: &'static str) -> PropDef {
    d.custom = true;
    d.description = description;
    d
}
const fn uniq(mut d: PropDef) -> PropDef {
    d.unique = true;
    d
}
/// A number of milliseconds HubSpot's UI shows as a duration.
const fn dur(mut d: PropDef) -> PropDef {
    d.number_hint = Some("duration");
    d
}

use PType::*;

const PRIORITIES: &[(&str, &str)] = &[
    ("LOW", "Low"),
    ("MEDIUM", "Medium"),
    ("HIGH", "High"),
    ("URGENT", "Urgent"),
];
const CATEGORIES: &[(&str, &str)] = &[
    ("PRODUCT_ISSUE", "Product issue"),
    ("BILLING_ISSUE", "Billing issue"),
    ("FEATURE_REQUEST", "Feature request"),
    ("GENERAL_INQUIRY", "General inquiry"),
    ("OTHER", "Other"),
];
const SOURCES: &[(&str, &str)] = &[
    ("CHAT", "Chat"),
    ("EMAIL", "Email"),
    ("FORM", "Form"),
    ("PHONE", "Phone"),
];
const RESOLUTIONS: &[(&str, &str)] = &[
    ("ISSUE_FIXED", "Issue fixed"),
    ("WORKAROUND_PROVIDED", "Workaround provided"),
    ("DUPLICATE", "Duplicate"),
    ("NO_RESPONSE", "No response from customer"),
    ("WONT_FIX", "Won't fix"),
];
const BOOL_OPTS: &[(&str, &str)] = &[("true", "Yes"), ("false", "No")];
/// The SLA status properties' options. The codes and their labels are UNCONFIRMED: portals'
/// exports show the values `0`..`4`, and one maps them to these labels.
pub const SLA_STATUSES: &[(&str, &str)] = &[
    ("0", "Active SLA"),
    ("1", "Overdue"),
    ("2", "Due soon"),
    ("3", "Completed on time"),
    ("4", "Completed late"),
];
pub const PRODUCT_AREAS: &[(&str, &str)] = &[
    ("BILLING_PORTAL", "Billing portal"),
    ("MOBILE_APP", "Mobile app"),
    ("PUBLIC_API", "Public API"),
    ("PRINTING", "Printing"),
    ("SSO", "Single sign-on"),
];
pub const ESCALATION_LEVELS: &[(&str, &str)] =
    &[("L1", "Level 1"), ("L2", "Level 2"), ("L3", "Level 3")];
pub const PLATFORMS: &[(&str, &str)] = &[
    ("WINDOWS", "Windows"),
    ("MACOS", "macOS"),
    ("LINUX", "Linux"),
    ("IOS", "iOS"),
    ("ANDROID", "Android"),
    ("WEB", "Web"),
];
const OBJECT_SOURCES: &[(&str, &str)] = &[
    ("INTERNAL_PROCESSING", "Internal processing"),
    ("CRM_UI", "CRM UI"),
    ("CONVERSATIONS", "Conversations"),
    ("INTEGRATION", "Integration"),
];
const EMAIL_DIRECTIONS: &[(&str, &str)] = &[
    ("EMAIL", "Outgoing email"),
    ("INCOMING_EMAIL", "Incoming email"),
    ("FORWARDED_EMAIL", "Forwarded email"),
];
const TASK_STATUS: &[(&str, &str)] = &[
    ("NOT_STARTED", "Not started"),
    ("IN_PROGRESS", "In progress"),
    ("WAITING", "Waiting"),
    ("COMPLETED", "Completed"),
    ("DEFERRED", "Deferred"),
];
const CALL_DIRECTIONS: &[(&str, &str)] = &[("INBOUND", "Inbound"), ("OUTBOUND", "Outbound")];
/// HubSpot's default call outcomes (`hs_call_disposition`): internal values are GUIDs, the
/// same in every portal, which may add its own. HubSpot's calls guide lists them; the copies
/// of that page available here cut the table, so the six pairs are as several public
/// integrations quote them, identically [O] — UNCONFIRMED from HubSpot's own text. Whether
/// the Properties API lists them as the property's `options` (or only the calling
/// dispositions API does) is UNCONFIRMED too; the sandbox serves them as options.
pub const CALL_OUTCOMES: &[(&str, &str)] = &[
    ("9d9162e7-6cf3-4944-bf63-4dff82258764", "Busy"),
    ("f240bbac-87c9-4f6e-bf70-924b57d47db7", "Connected"),
    ("a4c4c377-d246-4b32-a13b-75a56a4cd0ff", "Left live message"),
    ("b2cf5968-551e-4856-9783-52b3da59a7d0", "Left voicemail"),
    ("73a0d17f-1163-4015-bdd5-ec830791da20", "No answer"),
    ("17b47fee-58de-441e-a44c-c6300d46f273", "Wrong number"),
];
/// `hs_call_status`. HubSpot's calls guide lists BUSY, CALLING_CRM_USER, CANCELED,
/// COMPLETED, … [D]; the copy read here cut the list there, so the rest is UNCONFIRMED.
const CALL_STATUS: &[(&str, &str)] = &[
    ("BUSY", "Busy"),
    ("CALLING_CRM_USER", "Calling CRM user"),
    ("CANCELED", "Canceled"),
    ("COMPLETED", "Completed"),
    ("CONNECTING", "Connecting"),
    ("FAILED", "Failed"),
    ("IN_PROGRESS", "In progress"),
    ("NO_ANSWER", "No answer"),
    ("QUEUED", "Queued"),
    ("RINGING", "Ringing"),
];
/// `hs_task_priority`: "Values include LOW, MEDIUM, or HIGH" (HubSpot's tasks guide [D]);
/// tasks have no URGENT, unlike tickets. Whether a portal also offers `NONE` is UNCONFIRMED.
const TASK_PRIORITIES: &[(&str, &str)] = &[("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High")];
/// `hs_task_type`: "EMAIL, CALL, or TODO" (HubSpot's tasks guide [D]).
const TASK_TYPES: &[(&str, &str)] = &[("EMAIL", "Email"), ("CALL", "Call"), ("TODO", "To-do")];
const INDUSTRIES: &[(&str, &str)] = &[
    ("COMPUTER_SOFTWARE", "Computer Software"),
    ("RETAIL", "Retail"),
    ("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics and Supply Chain"),
    ("FINANCIAL_SERVICES", "Financial Services"),
    ("HOSPITAL_HEALTH_CARE", "Hospital & Health Care"),
];

const TI: &str = "ticketinformation";

pub const TICKET_PROPS: &[PropDef] = &[
    p("subject", "Ticket name", String, "text", TI),
    p("content", "Ticket description", String, "textarea", TI),
    opts(
        p("hs_pipeline", "Pipeline", Enum, "select", TI),
        Opts::Pipelines(Kind::Ticket),
    ),
    opts(
        p("hs_pipeline_stage", "Ticket status", Enum, "select", TI),
        Opts::Stages(Kind::Ticket),
    ),
    opts(
        p("hs_ticket_priority", "Priority", Enum, "select", TI),
        Opts::Fixed(PRIORITIES),
    ),
    // fieldType of hs_ticket_category is UNCONFIRMED (checkbox vs select); clients write
    // `;`-joined values, so it is served as a multi-select checkbox.
    opts(
        p("hs_ticket_category", "Category", Enum, "checkbox", TI),
        Opts::Fixed(CATEGORIES),
    ),
    opts(
        p("hubspot_owner_id", "Ticket owner", Enum, "select", TI),
        Opts::Owners,
    ),
    opts(
        p("source_type", "Source", Enum, "select", TI),
        Opts::Fixed(SOURCES),
    ),
    ro(p("createdate", "Create date", DateTime, "date", TI)),
    ro(p(
        "hs_lastmodifieddate",
        "Last modified date",
        DateTime,
        "date",
        TI,
    )),
    p("closed_date", "Close date", DateTime, "date", TI),
    ro(p("hs_object_id", "Record ID", Number, "number", TI)),
    ro(p("hs_ticket_id", "Ticket ID", Number, "number", TI)),
    p(
        "hs_pinned_engagement_id",
        "Pinned Engagement ID",
        Number,
        "number",
        TI,
    ),
    calc(opts(
        p("hs_is_closed", "Closed", Bool, "booleancheckbox", TI),
        Opts::Fixed(BOOL_OPTS),
    )),
    calc(dur(p(
        "time_to_close",
        "Time to close",
        Number,
        "number",
        TI,
    ))),
    // Reply times and SLAs: HubSpot fills them from conversations and the inbox's SLA rules;
    // read-only. Names and labels from portals' property exports (UNCONFIRMED).
    calc(dur(p(
        "time_to_first_agent_reply",
        "Time to first agent email reply",
        Number,
        "number",
        TI,
    ))),
    ro(p(
        "first_agent_reply_date",
        "First agent email response date",
        DateTime,
        "date",
        TI,
    )),
    ro(p(
        "last_reply_date",
        "Last customer reply date",
        DateTime,
        "date",
        TI,
    )),
    ro(p(
        "hs_time_to_first_response_sla_at",
        "Time to First Response SLA Due Date",
        DateTime,
        "date",
        TI,
    )),
    ro(opts(
        p(
            "hs_time_to_first_response_sla_status",
            "Time to First Response SLA Status",
            Enum,
            "select",
            TI,
        ),
        Opts::Fixed(SLA_STATUSES),
    )),
    ro(p(
        "hs_time_to_close_sla_at",
        "Time to Close SLA Due Date",
        DateTime,
        "date",
        TI,
    )),
    ro(opts(
        p(
            "hs_time_to_close_sla_status",
            "Time to Close SLA Ticket Status",
            Enum,
            "select",
            TI,
        ),
        Opts::Fixed(SLA_STATUSES),
    )),
    opts(
        p("hs_resolution", "Resolution", Enum, "select", TI),
        Opts::Fixed(RESOLUTIONS),
    ),
    ro(opts(
        p(
            "hs_merged_object_ids",
            "Merged Ticket IDs",
            Enum,
            "checkbox",
            TI,
        ),
        Opts::None,
    )),
    ro(p(
        "hs_object_source",
        "Record creation source",
        String,
        "text",
        TI,
    )),
    ro(opts(
        p(
            "hs_object_source_label",
            "Record source",
            Enum,
            "select",
            TI,
        ),
        Opts::Fixed(OBJECT_SOURCES),
    )),
    // Custom properties covering every type/fieldType combination.
    uniq(custom(
        p(
            "external_ticket_ref",
            "External ticket reference",
            String,
            "text",
            "ticket_custom",
        ),
        "Reference in the customer's own tracker, e.g. EXT-000123. Unique.",
    )),
    custom(
        p(
            "customer_impact_notes",
            "Customer impact notes",
            String,
            "textarea",
            "ticket_custom",
        ),
        "Free-form impact notes.",
    ),
    custom(
        p(
            "affected_users",
            "Affected users",
            Number,
            "number",
            "ticket_custom",
        ),
        "How many end users are affected.",
    ),
    custom(
        p(
            "sla_due_date",
            "SLA due date",
            Date,
            "date",
            "ticket_custom",
        ),
        "Date the SLA expires.",
    ),
    custom(
        p(
            "follow_up_at",
            "Follow up at",
            DateTime,
            "date",
            "ticket_custom",
        ),
        "When to follow up.",
    ),
    custom(
        opts(
            p(
                "is_vip",
                "VIP customer",
                Bool,
                "booleancheckbox",
                "ticket_custom",
            ),
            Opts::Fixed(BOOL_OPTS),
        ),
        "Whether the requester is a VIP.",
    ),
    custom(
        opts(
            p(
                "product_area",
                "Product area",
                Enum,
                "select",
                "ticket_custom",
            ),
            Opts::Fixed(PRODUCT_AREAS),
        ),
        "Which part of the product is affected.",
    ),
    custom(
        opts(
            p(
                "escalation_level",
                "Escalation level",
                Enum,
                "radio",
                "ticket_custom",
            ),
            Opts::Fixed(ESCALATION_LEVELS),
        ),
        "Support tier handling the ticket.",
    ),
    custom(
        opts(
            p(
                "affected_platforms",
                "Affected platforms",
                Enum,
                "checkbox",
                "ticket_custom",
            ),
            Opts::Fixed(PLATFORMS),
        ),
        "Platforms on which the issue occurs.",
    ),
];

const CI: &str = "contactinformation";
pub const CONTACT_PROPS: &[PropDef] = &[
    p("firstname", "First Name", String, "text", CI),
    p("lastname", "Last Name", String, "text", CI),
    uniq(p("email", "Email", String, "text", CI)),
    p("phone", "Phone Number", String, "text", CI),
    p("company", "Company Name", String, "text", CI),
    p("jobtitle", "Job Title", String, "text", CI),
    opts(
        p("hubspot_owner_id", "Contact owner", Enum, "select", CI),
        Opts::Owners,
    ),
    ro(p("createdate", "Create Date", DateTime, "date", CI)),
    ro(p(
        "lastmodifieddate",
        "Last Modified Date",
        DateTime,
        "date",
        CI,
    )),
    ro(p("hs_object_id", "Record ID", Number, "number", CI)),
];

const CO: &str = "companyinformation";
pub const COMPANY_PROPS: &[PropDef] = &[
    p("name", "Name", String, "text", CO),
    p("domain", "Company Domain Name", String, "text", CO),
    p("website", "Website URL", String, "text", CO),
    p("phone", "Phone Number", String, "text", CO),
    p("city", "City", String, "text", CO),
    opts(
        p("industry", "Industry", Enum, "select", CO),
        Opts::Fixed(INDUSTRIES),
    ),
    opts(
        p("hubspot_owner_id", "Company owner", Enum, "select", CO),
        Opts::Owners,
    ),
    ro(p("createdate", "Create Date", DateTime, "date", CO)),
    ro(p(
        "hs_lastmodifieddate",
        "Last Modified Date",
        DateTime,
        "date",
        CO,
    )),
    ro(p("hs_object_id", "Record ID", Number, "number", CO)),
];

const DI: &str = "dealinformation";
pub const DEAL_PROPS: &[PropDef] = &[
    p("dealname", "Deal Name", String, "text", DI),
    p("amount", "Amount", Number, "number", DI),
    opts(
        p("pipeline", "Pipeline", Enum, "select", DI),
        Opts::Pipelines(Kind::Deal),
    ),
    opts(
        p("dealstage", "Deal Stage", Enum, "radio", DI),
        Opts::Stages(Kind::Deal),
    ),
    p("closedate", "Close Date", DateTime, "date", DI),
    opts(
        p("hubspot_owner_id", "Deal owner", Enum, "select", DI),
        Opts::Owners,
    ),
    ro(p("createdate", "Create Date", DateTime, "date", DI)),
    ro(p(
        "hs_lastmodifieddate",
        "Last Modified Date",
        DateTime,
        "date",
        DI,
    )),
    ro(p("hs_object_id", "Record ID", Number, "number", DI)),
];

macro_rules! engagement_common {
    ($g:expr) => {
        [
            p("hs_timestamp", "Activity date", DateTime, "date", $g),
            opts(
                p(
                    "hubspot_owner_id",
                    "Activity assigned to",
                    Enum,
                    "select",
                    $g,
                ),
                Opts::Owners,
            ),
            ro(p("hs_createdate", "Create date", DateTime, "date", $g)),
            ro(p(
                "hs_lastmodifieddate",
                "Last modified date",
                DateTime,
                "date",
                $g,
            )),
            ro(p("hs_object_id", "Record ID", Number, "number", $g)),
        ]
    };
}
const EN: [PropDef; 5] = engagement_common!("engagement");
pub const NOTE_PROPS: &[PropDef] = &[
    p("hs_note_body", "Note body", String, "html", "engagement"),
    p(
        "hs_attachment_ids",
        "Attachment IDs",
        Enum,
        "checkbox",
        "engagement",
    ),
    EN[0],
    EN[1],
    EN[2],
    EN[3],
    EN[4],
];
pub const EMAIL_PROPS: &[PropDef] = &[
    p("hs_email_subject", "Subject", String, "text", "engagement"),
    p(
        "hs_email_text",
        "Body (text)",
        String,
        "textarea",
        "engagement",
    ),
    opts(
        p(
            "hs_email_direction",
            "Email direction",
            Enum,
            "select",
            "engagement",
        ),
        Opts::Fixed(EMAIL_DIRECTIONS),
    ),
    EN[0],
    EN[1],
    EN[2],
    EN[3],
    EN[4],
];
pub const CALL_PROPS: &[PropDef] = &[
    p("hs_call_title", "Call title", String, "text", "engagement"),
    p("hs_call_body", "Call notes", String, "html", "engagement"),
    opts(
        p(
            "hs_call_direction",
            "Call direction",
            Enum,
            "select",
            "engagement",
        ),
        Opts::Fixed(CALL_DIRECTIONS),
    ),
    p(
        "hs_call_duration",
        "Call duration (ms)",
        Number,
        "number",
        "engagement",
    ),
    opts(
        p(
            "hs_call_disposition",
            "Call outcome",
            Enum,
            "select",
            "engagement",
        ),
        Opts::Fixed(CALL_OUTCOMES),
    ),
    opts(
        p(
            "hs_call_status",
            "Call status",
            Enum,
            "select",
            "engagement",
        ),
        Opts::Fixed(CALL_STATUS),
    ),
    EN[0],
    EN[1],
    EN[2],
    EN[3],
    EN[4],
];
pub const TASK_PROPS: &[PropDef] = &[
    p(
        "hs_task_subject",
        "Task title",
        String,
        "text",
        "engagement",
    ),
    p("hs_task_body", "Task notes", String, "html", "engagement"),
    opts(
        p(
            "hs_task_status",
            "Task status",
            Enum,
            "select",
            "engagement",
        ),
        Opts::Fixed(TASK_STATUS),
    ),
    opts(
        p("hs_task_priority", "Priority", Enum, "select", "engagement"),
        Opts::Fixed(TASK_PRIORITIES),
    ),
    opts(
        p("hs_task_type", "Task type", Enum, "select", "engagement"),
        Opts::Fixed(TASK_TYPES),
    ),
    EN[0],
    EN[1],
    EN[2],
    EN[3],
    EN[4],
];
pub const MEETING_PROPS: &[PropDef] = &[
    p(
        "hs_meeting_title",
        "Meeting name",
        String,
        "text",
        "engagement",
    ),
    p(
        "hs_meeting_body",
        "Meeting description",
        String,
        "html",
        "engagement",
    ),
    p(
        "hs_meeting_start_time",
        "Start time",
        DateTime,
        "date",
        "engagement",
    ),
    p(
        "hs_meeting_end_time",
        "End time",
        DateTime,
        "date",
        "engagement",
    ),
    EN[0],
    EN[1],
    EN[2],
    EN[3],
    EN[4],
];

pub fn props_of(kind: Kind) -> &'static [PropDef] {
    match kind {
        Kind::Ticket => TICKET_PROPS,
        Kind::Contact => CONTACT_PROPS,
        Kind::Company => COMPANY_PROPS,
        Kind::Deal => DEAL_PROPS,
        Kind::Note => NOTE_PROPS,
        Kind::Email => EMAIL_PROPS,
        Kind::Call => CALL_PROPS,
        Kind::Task => TASK_PROPS,
        Kind::Meeting => MEETING_PROPS,
    }
}

/// A built-in definition (tests; the running sandbox reads `schema::Schema`).
#[cfg(test)]
pub fn prop(kind: Kind, name: &str) -> Option<&'static PropDef> {
    props_of(kind).iter().find(|d| d.name == name)
}

/// Property groups: (name, label).
pub fn groups_of(kind: Kind) -> &'static [(&'static str, &'static str)] {
    match kind {
        Kind::Ticket => &[
            (TI, "Ticket information"),
            ("ticket_custom", "Custom ticket properties"),
        ],
        Kind::Contact => &[(CI, "Contact information")],
        Kind::Company => &[(CO, "Company information")],
        Kind::Deal => &[(DI, "Deal information")],
        _ => &[("engagement", "Engagement information")],
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Stage {
    pub id: &'static str,
    pub label: &'static str,
    pub closed: bool,
    /// Deals only: win probability.
    pub probability: Option<&'static str>,
}

#[derive(Debug, Clone, Copy)]
pub struct Pipeline {
    pub id: &'static str,
    pub label: &'static str,
    pub display_order: i32,
    /// Epoch milliseconds; default pipelines have 0.
    pub created_ms: i64,
    pub stages: &'static [Stage],
}

const fn st(id: &'static str, label: &'static str, closed: bool) -> Stage {
    Stage {
        id,
        label,
        closed,
        probability: None,
    }
}
const fn ds(id: &'static str, label: &'static str, closed: bool, prob: &'static str) -> Stage {
    Stage {
        id,
        label,
        closed,
        probability: Some(prob),
    }
}

pub const TICKET_PIPELINES: &[Pipeline] = &[
    Pipeline {
        id: "0",
        label: "Support Pipeline",
        display_order: 0,
        created_ms: 0,
        stages: &[
            st("1", "New", false),
            st("2", "Waiting on contact", false),
            st("3", "Waiting on us", false),
            st("4", "Closed", true),
        ],
    },
    Pipeline {
        id: "7458291",
        label: "Escalations",
        display_order: 1,
        created_ms: 1_767_225_600_000, // 2026-01-01T00:00:00Z
        stages: &[
            st("7458292", "Triage", false),
            st("7458293", "Engineering investigating", false),
            st("7458294", "Fix scheduled", false),
            st("7458295", "Resolved", true),
        ],
    },
];

pub const DEAL_PIPELINES: &[Pipeline] = &[Pipeline {
    id: "default",
    label: "Sales Pipeline",
    display_order: 0,
    created_ms: 0,
    stages: &[
        ds(
            "appointmentscheduled",
            "Appointment Scheduled",
            false,
            "0.2",
        ),
        ds("qualifiedtobuy", "Qualified To Buy", false, "0.4"),
        ds(
            "presentationscheduled",
            "Presentation Scheduled",
            false,
            "0.6",
        ),
        ds(
            "decisionmakerboughtin",
            "Decision Maker Bought-In",
            false,
            "0.8",
        ),
        ds("contractsent", "Contract Sent", false, "0.9"),
        ds("closedwon", "Closed Won", true, "1.0"),
        ds("closedlost", "Closed Lost", true, "0.0"),
    ],
}];

pub fn pipelines_of(kind: Kind) -> &'static [Pipeline] {
    match kind {
        Kind::Ticket => TICKET_PIPELINES,
        Kind::Deal => DEAL_PIPELINES,
        _ => &[],
    }
}
