//! Deterministic seed data for a given (seed, tickets).
//!
//! All timestamps are relative to a FIXED reference date, [`REFERENCE_MS`] =
//! 2026-11-01T00:00:00Z, never the wall clock: tickets are created over the ~6 months before
//! it. A caller may move the whole data set to end at another moment (`reference_ms`, used by
//! demo mode with the current hour): the data is built for the fixed reference, then every
//! timestamp is shifted by the same offset, so everything but the times is identical.
//! Notable records (stable for every seed):
//! - tickets are `1001 ..= 1000 + tickets` (live), plus up to 10 archived tickets from `900001`
//!   (`tickets / 100` of them, at most 10);
//! - ticket 1001: Japanese subject "プリンターが燃えている", has a pinned engagement;
//! - ticket 1002: "Login fails on SSO"; 1003: a 2,000-character subject; 1004: emoji, control
//!   characters and ANSI escapes ("\u{1b}[2J"); 1005: right-to-left text; 1006: HTML content;
//! - unique property `external_ticket_ref` = `EXT-{id - 1000:06}` (e.g. ticket 1123 has
//!   "EXT-000123"), except tickets whose id ends in 0 (no reference);
//! - contacts 201..=260, companies 301..=325, deals 401..=420, owners 71000001..=71000012
//!   (userIds 9000001..), engagements from 5000001 (ids unique across engagement kinds).

use super::model::{
    CALL_OUTCOMES, Kind, PLATFORMS, PRODUCT_AREAS, PType, Pipeline, TICKET_PIPELINES, props_of,
};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::store::{Owner, Record, Source, Store, Val, iso, parse_time};

pub const REFERENCE_MS: i64 = 1_793_491_200_000;
const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
const SPAN: i64 = 180 * DAY;

const NAMES_EN: &str = include_str!("../../assets/sandbox/names_en.txt");
const NAMES_JA: &str = include_str!("../../assets/sandbox/names_ja.txt");
const COMPANIES: &str = include_str!("../../assets/sandbox/companies.txt");
const SUBJECTS_EN: &str = include_str!("../../assets/sandbox/subjects_en.txt");
const SUBJECTS_JA: &str = include_str!("../../assets/sandbox/subjects_ja.txt");
const BODIES_EN: &str = include_str!("../../assets/sandbox/bodies_en.txt");
const BODIES_JA: &str = include_str!("../../assets/sandbox/bodies_ja.txt");
const NOTES: &str = include_str!("../../assets/sandbox/notes.txt");

fn lines(s: &'static str) -> Vec<&'static str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

fn pick<'a, T>(rng: &mut fastrand::Rng, v: &'a [T]) -> &'a T {
    &v[rng.usize(..v.len())]
}

struct Words {
    subjects_en: Vec<&'static str>,
    subjects_ja: Vec<&'static str>,
    bodies_en: Vec<&'static str>,
    bodies_ja: Vec<&'static str>,
    notes: Vec<&'static str>,
}

/// The seed's long texts, each held once. Values repeat across tickets (subjects, bodies,
/// notes and what is formatted from them), so records share one copy of each.
#[derive(Default)]
struct Texts(RefCell<HashSet<Arc<str>>>);

impl Texts {
    fn val(&self, s: String) -> Val {
        if let Some(v) = Val::short(&s) {
            return v;
        }
        let mut set = self.0.borrow_mut();
        if let Some(a) = set.get(s.as_str()) {
            return Val::Shared(a.clone());
        }
        let a: Arc<str> = Arc::from(s);
        set.insert(a.clone());
        Val::Shared(a)
    }
}

/// Seeded tickets and engagements, per kind in id order, until they go into the store in
/// one go ([`Store::insert_bulk`]): a map built at once has full nodes, one filled record by
/// record about half-full ones.
#[derive(Default)]
struct Staged(HashMap<Kind, Vec<(u64, Record)>>);

impl Staged {
    fn push(&mut self, kind: Kind, rec: Record) {
        self.0.entry(kind).or_default().push((rec.id, rec));
    }
    fn get(&self, kind: Kind, id: u64) -> Option<&Record> {
        let recs = self.0.get(&kind)?;
        let i = recs.binary_search_by_key(&id, |(k, _)| *k).ok()?;
        Some(&recs[i].1)
    }
    fn into_store(self, st: &mut Store) {
        for (kind, recs) in self.0 {
            st.insert_bulk(kind, recs);
        }
    }
}

/// What a seeded ticket draws on: the texts, and the records it may be associated with.
struct Pools {
    words: Words,
    texts: Texts,
    contacts: Vec<u64>,
    companies: Vec<u64>,
    deals: Vec<u64>,
}

/// The seeded portal for (seed, tickets), ending at `reference_ms` (default
/// [`REFERENCE_MS`]).
pub fn build(seed: u64, tickets: usize, reference_ms: Option<i64>) -> Store {
    let mut st = build_at_reference(seed, tickets);
    if let Some(r) = reference_ms {
        shift(&mut st, r - REFERENCE_MS);
    }
    st
}

/// Moves every seeded timestamp by `offset` ms: record creation/modification/archival times,
/// history timestamps, date and datetime property values (current and in history) and owner
/// creation times. A date-only value moves to the day its shifted midnight falls on.
fn shift(st: &mut Store, offset: i64) {
    if offset == 0 {
        return;
    }
    for o in &mut st.owners {
        o.created += offset;
    }
    for (kind, map) in &mut st.objects {
        let times: Vec<(&str, PType)> = props_of(*kind)
            .iter()
            .filter(|d| matches!(d.ptype, PType::Date | PType::DateTime))
            .map(|d| (d.name, d.ptype))
            .collect();
        let time_type = |name: &str| times.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        for r in map.values_mut() {
            r.created += offset;
            r.updated += offset;
            if let Some(a) = &mut r.archived_at {
                *a += offset;
            }
            for (name, v) in r.props.iter_mut() {
                if let Some(t) = time_type(name) {
                    *v = Val::from(shift_value(&v.as_str(), t, offset));
                }
            }
            for (name, h) in r.history.iter_mut() {
                h.ts += offset;
                if let Some(t) = time_type(name) {
                    h.value = Val::from(shift_value(&h.value.as_str(), t, offset));
                }
            }
        }
    }
}

fn shift_value(v: &str, t: PType, offset: i64) -> String {
    let Some(ms) = parse_time(v) else {
        return v.to_owned();
    };
    if t == PType::Date {
        let day = (ms + offset).div_euclid(DAY) * DAY;
        iso(day).chars().take(10).collect()
    } else {
        iso(ms + offset)
    }
}

fn build_at_reference(seed: u64, tickets: usize) -> Store {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut st = Store::default();
    seed_owners(&mut st);
    let companies = seed_companies(&mut st, &mut rng);
    let contacts = seed_contacts(&mut st, &mut rng, &companies);
    let deals = seed_deals(&mut st, &mut rng, &companies, &contacts);
    let pools = Pools {
        words: Words {
            subjects_en: lines(SUBJECTS_EN),
            subjects_ja: lines(SUBJECTS_JA),
            bodies_en: lines(BODIES_EN),
            bodies_ja: lines(BODIES_JA),
            notes: lines(NOTES),
        },
        texts: Texts::default(),
        contacts,
        companies,
        deals,
    };
    st.next_id.insert(Kind::Note, 5_000_001);
    let n = i64::try_from(tickets.max(1)).unwrap_or(i64::MAX);
    let mut staged = Staged::default();
    for i in 0..tickets {
        let ii = i64::try_from(i).unwrap_or(0);
        let slot = SPAN / n;
        let created = REFERENCE_MS - SPAN + ii * SPAN / n + rng.i64(0..slot.max(1));
        let r = seed_ticket(
            &mut st,
            &mut staged,
            &mut rng,
            &pools,
            1001 + i as u64,
            created,
        );
        staged.push(Kind::Ticket, r);
    }
    let archived = (tickets / 100).min(10);
    for k in 0..archived {
        let created = REFERENCE_MS - SPAN + rng.i64(0..SPAN / 2);
        let id = 900_001 + k as u64;
        let mut r = seed_ticket(&mut st, &mut staged, &mut rng, &pools, id, created);
        r.archived_at = Some(r.updated + rng.i64(DAY..20 * DAY));
        staged.push(Kind::Ticket, r);
    }
    staged.into_store(&mut st);
    // New tickets created through the API get ids after the seeded ones.
    st.next_id.insert(Kind::Ticket, 1001 + tickets as u64);
    st
}

fn seed_owners(st: &mut Store) {
    let owners: [(&str, &str, &str, &str, bool); 12] = [
        (
            "Alice",
            "Johnson",
            "alice.johnson@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "太郎",
            "山田",
            "taro.yamada@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "Bob",
            "Martinez",
            "bob.martinez@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "花子",
            "佐藤",
            "hanako.sato@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "Priya",
            "Sharma",
            "priya.sharma@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "健",
            "鈴木",
            "ken.suzuki@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "Emma",
            "Schmidt",
            "emma.schmidt@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "美咲",
            "高橋",
            "misaki.takahashi@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "David",
            "Okafor",
            "david.okafor@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
        (
            "Frank",
            "Rossi",
            "frank.rossi@hubtix-demo.example.com",
            "PERSON",
            true,
        ),
        ("Tier 2", "Queue", "", "QUEUE", false),
        (
            "翔太",
            "田中",
            "shota.tanaka@hubtix-demo.example.com",
            "PERSON",
            false,
        ),
    ];
    for (k, (first, last, email, ty, archived)) in owners.into_iter().enumerate() {
        let k = k as u64;
        st.owners.push(Owner {
            id: 71_000_001 + k,
            user_id: 9_000_001 + k,
            email: email.to_owned(),
            first: first.to_owned(),
            last: last.to_owned(),
            owner_type: if ty == "QUEUE" { "QUEUE" } else { "PERSON" },
            archived,
            team: Some(if k.is_multiple_of(2) {
                (4_100_001, "Support Tier 1")
            } else {
                (4_100_002, "Support Japan")
            }),
            created: REFERENCE_MS - 700 * DAY + i64::try_from(k).unwrap_or(0) * 9 * DAY,
        });
    }
}

/// Active PERSON owners (assignable).
fn active_owners(st: &Store) -> Vec<(u64, u64)> {
    st.owners
        .iter()
        .filter(|o| !o.archived && o.owner_type == "PERSON")
        .map(|o| (o.id, o.user_id))
        .collect()
}

fn seed_companies(st: &mut Store, rng: &mut fastrand::Rng) -> Vec<u64> {
    let mut ids = Vec::new();
    for (k, line) in lines(COMPANIES).into_iter().enumerate() {
        let f: Vec<&str> = line.split('|').collect();
        let id = 301 + k as u64;
        let created = REFERENCE_MS - 600 * DAY + i64::try_from(k).unwrap_or(0) * 11 * DAY;
        let mut r = Record::new(id, created);
        let src = Source::Import(77_001);
        r.created_source = src;
        r.init("name", f[0]);
        r.init("domain", f.get(1).copied().unwrap_or_default().to_owned());
        r.init(
            "website",
            format!("https://{}", f.get(1).copied().unwrap_or_default()),
        );
        r.init("city", f.get(2).copied().unwrap_or_default().to_owned());
        r.init("industry", f.get(3).copied().unwrap_or_default().to_owned());
        r.init("phone", format!("+1 555 01{:02}", rng.u32(0..100)));
        st.insert(Kind::Company, r);
        ids.push(id);
    }
    ids
}

fn seed_contacts(st: &mut Store, rng: &mut fastrand::Rng, companies: &[u64]) -> Vec<u64> {
    let en: Vec<Vec<&str>> = lines(NAMES_EN)
        .into_iter()
        .map(|l| l.split('|').collect())
        .collect();
    let ja: Vec<Vec<&str>> = lines(NAMES_JA)
        .into_iter()
        .map(|l| l.split('|').collect())
        .collect();
    let mut ids = Vec::new();
    for k in 0..60usize {
        let id = 201 + k as u64;
        let created = REFERENCE_MS - 400 * DAY + i64::try_from(k).unwrap_or(0) * 5 * DAY;
        let company = companies[k % companies.len()];
        let (first, last, lf, ll) = if k % 3 == 1 {
            let n = &ja[(k / 3) % ja.len()];
            (n[0], n[1], n[2], n[3])
        } else {
            let n = &en[k % en.len()];
            (n[0], n[1], n[0], n[1])
        };
        let domain = st
            .live(Kind::Company, company)
            .and_then(|c| c.props.get("domain").map(Cow::into_owned))
            .unwrap_or_default();
        let company_name = st
            .live(Kind::Company, company)
            .and_then(|c| c.props.get("name").map(Cow::into_owned))
            .unwrap_or_default();
        let local: String = format!("{lf}.{ll}")
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let mut r = Record::new(id, created);
        let src = if k % 2 == 0 {
            Source::CrmUi(9_000_001)
        } else {
            Source::Import(77_002)
        };
        r.created_source = src;
        r.init("firstname", first);
        r.init("lastname", last);
        r.init(
            "email",
            format!(
                "{local}{}@{domain}",
                if k >= 26 {
                    (k / 26).to_string()
                } else {
                    String::new()
                }
            ),
        );
        r.init("company", company_name);
        r.init("phone", format!("+81 3 5555 {:04}", rng.u32(0..10_000)));
        r.init(
            "jobtitle",
            *pick(
                rng,
                &[
                    "IT Manager",
                    "Office Manager",
                    "CTO",
                    "Accountant",
                    "総務担当",
                    "情報システム部",
                ],
            ),
        );
        st.insert(Kind::Contact, r);
        st.associate((Kind::Contact, id), (Kind::Company, company), 1);
        ids.push(id);
    }
    ids
}

fn seed_deals(
    st: &mut Store,
    rng: &mut fastrand::Rng,
    companies: &[u64],
    contacts: &[u64],
) -> Vec<u64> {
    let products = [
        "Enterprise renewal",
        "Support add-on",
        "Printer fleet",
        "SSO upgrade",
        "年間ライセンス",
    ];
    let stages = [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "contractsent",
        "closedwon",
        "closedlost",
    ];
    let owners = active_owners(st);
    let mut ids = Vec::new();
    for k in 0..20usize {
        let id = 401 + k as u64;
        let created = REFERENCE_MS - 300 * DAY + i64::try_from(k).unwrap_or(0) * 13 * DAY;
        let company = companies[(k * 7) % companies.len()];
        let cname = st
            .live(Kind::Company, company)
            .and_then(|c| c.props.get("name").map(Cow::into_owned))
            .unwrap_or_default();
        let mut r = Record::new(id, created);
        let src = Source::CrmUi(owners[k % owners.len()].1 as u32);
        r.created_source = src;
        r.init(
            "dealname",
            format!("{cname} – {}", products[k % products.len()]),
        );
        r.init("amount", (rng.u32(10..500) * 100).to_string());
        r.init("pipeline", "default");
        r.init("dealstage", stages[k % stages.len()]);
        r.init("closedate", Val::Time(created + rng.i64(30..120) * DAY));
        r.init("hubspot_owner_id", owners[k % owners.len()].0.to_string());
        st.insert(Kind::Deal, r);
        st.associate((Kind::Deal, id), (Kind::Company, company), 5);
        st.associate(
            (Kind::Deal, id),
            (Kind::Contact, contacts[(k * 3) % contacts.len()]),
            3,
        );
        ids.push(id);
    }
    ids
}

/// The latest moment a seeded change may have: an hour before the reference.
const END: i64 = REFERENCE_MS - HOUR;

/// One ticket with its history, associations, engagements and pin. The random draws happen
/// in a fixed order (text, stage, source, properties, agent, history, associations,
/// engagements, pin): reordering them changes every seeded portal.
fn seed_ticket(
    st: &mut Store,
    staged: &mut Staged,
    rng: &mut fastrand::Rng,
    pools: &Pools,
    id: u64,
    created: i64,
) -> Record {
    let owners = active_owners(st);
    let japanese = rng.f32() < 0.35;
    let (subject, content) = ticket_text(rng, &pools.words, id, japanese);
    let pipeline = if id % 7 == 6 {
        &TICKET_PIPELINES[1]
    } else {
        &TICKET_PIPELINES[0]
    };
    let age = (REFERENCE_MS - created) as f64 / SPAN as f64; // 0 = new, 1 = 6 months old
    let final_stage = if rng.f64() < 0.15 + 0.7 * age {
        3
    } else {
        *pick(rng, &[0usize, 0, 1, 2, 2])
    };
    let creation_source = match rng.u32(0..10) {
        0..=3 => Source::Conversations,
        4..=6 => Source::CrmUi(owners[rng.usize(..owners.len())].1 as u32),
        7..=8 => Source::Api,
        _ => Source::Import(77_010),
    };
    let mut r = Record::new(id, created);
    r.created_source = creation_source;
    init_ticket_core(
        &mut r,
        rng,
        pools.texts.val(subject.clone()),
        pools.texts.val(content),
        pipeline,
    );
    init_ticket_triage(&mut r, rng, id);
    init_ticket_custom(&mut r, rng, id, pipeline);
    let agent = owners[rng.usize(..owners.len())];
    write_ticket_history(&mut r, rng, (agent, &pools.texts), japanese, &subject);
    close_ticket_over_time(&mut r, rng, agent, pipeline, final_stage);

    let first_contact = associate_ticket(st, rng, pools, id);
    let target = EngagementTarget {
        id,
        created,
        subject: &subject,
        agent,
        first_contact,
    };
    let (engagements, last) = seed_engagements(st, staged, rng, pools, &target);
    seed_replies_and_sla(&mut r, staged, &engagements, pipeline.id == "0");
    if !engagements.is_empty() && (id == 1001 || rng.f32() < 0.25) {
        let pin = engagements[0];
        let ts = (last + HOUR).min(END);
        r.write(
            "hs_pinned_engagement_id",
            pin.to_string(),
            ts,
            Source::CrmUi(agent.1 as u32),
        );
        r.updated = r.updated.max(ts);
    }
    r.shrink();
    st.shrink_edges((Kind::Ticket, id));
    r
}

/// Subject and content: fixed for the notable tickets 1001..=1006, else picked (Japanese
/// when `japanese`), sometimes wrapped in HTML or left empty.
fn ticket_text(rng: &mut fastrand::Rng, w: &Words, id: u64, japanese: bool) -> (String, String) {
    let (subject, mut content): (String, String) = match id {
        1001 => ("プリンターが燃えている".into(), w.bodies_ja[2].into()),
        1002 => ("Login fails on SSO".into(), w.bodies_en[0].into()),
        1003 => {
            let base = "Very long subject line pasted from an automated monitoring alert ";
            (base.repeat(2000 / base.len() + 1).chars().take(2000).collect(), w.bodies_en[3].into())
        }
        1004 => (
            "🔥 Printer on fire \u{1b}[2J\u{1b}[31mRED ALERT\u{1b}[0m 🚒🧯".into(),
            "Tabs\tand bells\u{7} and backspaces\u{8}, NUL-ish \u{1}\u{2} and CR\r\nnext line \u{1b}]0;pwned\u{7}".into(),
        ),
        1005 => (
            "مشكلة في تسجيل الدخول — שגיאה בהתחברות".into(),
            "لا أستطيع تسجيل الدخول منذ الصباح. אני לא מצליח להתחבר מהבוקר.".into(),
        ),
        1006 => (
            "HTML formatted ticket from the web form".into(),
            "<p>Hello,</p><p>Steps:</p><ol><li>Open <b>Settings</b></li><li>Click &quot;Save&quot;</li></ol><script>alert('x')</script><img src=x onerror=alert(1)>".into(),
        ),
        _ if japanese => (pick(rng, &w.subjects_ja).to_string(), pick(rng, &w.bodies_ja).to_string()),
        _ => (pick(rng, &w.subjects_en).to_string(), pick(rng, &w.bodies_en).to_string()),
    };
    if id > 1006 && rng.f32() < 0.15 {
        content = format!("<p>{content}</p><p>-- <br><i>Sent from my phone</i></p>");
    }
    if id > 1006 && rng.f32() < 0.08 {
        content.clear();
    }
    (subject, content)
}

/// Subject, content, pipeline at its first stage, and where the ticket came from.
fn init_ticket_core(
    r: &mut Record,
    rng: &mut fastrand::Rng,
    subject: Val,
    content: Val,
    pipeline: &Pipeline,
) {
    r.init("subject", subject);
    r.init("content", content);
    r.init("hs_pipeline", pipeline.id);
    r.init("hs_pipeline_stage", pipeline.stages[0].id);
    r.init("hs_is_closed", "false");
    let source_type = match r.created_source {
        Source::Conversations => *pick(rng, &["CHAT", "EMAIL"]),
        Source::Api => "FORM",
        _ => *pick(rng, &["PHONE", "EMAIL"]),
    };
    r.init("source_type", source_type);
    let (obj_source, obj_label) = match r.created_source {
        Source::Conversations => ("CONVERSATIONS", "CONVERSATIONS"),
        Source::CrmUi(_) => ("CRM_UI", "CRM_UI"),
        Source::Api => ("API", "INTERNAL_PROCESSING"),
        _ => ("IMPORT", "INTEGRATION"),
    };
    r.init("hs_object_source", obj_source);
    r.init("hs_object_source_label", obj_label);
}

/// Priority (always on 1001, HIGH) and category (sometimes two).
fn init_ticket_triage(r: &mut Record, rng: &mut fastrand::Rng, id: u64) {
    if rng.f32() < 0.9 || id == 1001 {
        let p = if id == 1001 {
            "HIGH"
        } else {
            *pick(rng, &["LOW", "MEDIUM", "MEDIUM", "HIGH", "URGENT"])
        };
        r.init("hs_ticket_priority", p);
    }
    if rng.f32() < 0.8 {
        let cats = [
            "PRODUCT_ISSUE",
            "BILLING_ISSUE",
            "FEATURE_REQUEST",
            "GENERAL_INQUIRY",
            "OTHER",
        ];
        let first = *pick(rng, &cats);
        let mut c = Val::from(first);
        if rng.f32() < 0.15 {
            let second = pick(rng, &cats);
            if !first.contains(second) {
                c = Val::new(&format!("{first};{second}"));
            }
        }
        r.init("hs_ticket_category", c);
    }
}

/// The custom properties: external reference (unique), affected users, product area,
/// platforms, VIP, SLA date, impact notes, and the escalation level outside pipeline 0.
fn init_ticket_custom(r: &mut Record, rng: &mut fastrand::Rng, id: u64, pipeline: &Pipeline) {
    if !id.is_multiple_of(10) {
        r.init(
            "external_ticket_ref",
            format!("EXT-{:06}", id.saturating_sub(1000)),
        );
    }
    if rng.f32() < 0.4 {
        r.init("affected_users", rng.u32(1..500).to_string());
    }
    if rng.f32() < 0.3 {
        r.init("product_area", pick(rng, PRODUCT_AREAS).0);
    }
    if rng.f32() < 0.25 {
        let mut ps: Vec<&str> = PLATFORMS
            .iter()
            .filter(|_| rng.f32() < 0.35)
            .map(|p| p.0)
            .collect();
        if ps.is_empty() {
            ps.push("WEB");
        }
        r.init("affected_platforms", ps.join(";"));
    }
    if rng.f32() < 0.2 {
        r.init("is_vip", "true");
    }
    if rng.f32() < 0.3 {
        let due = (r.created / DAY + rng.i64(2..15)) * DAY;
        r.init("sla_due_date", iso(due)[..10].to_owned());
    }
    if rng.f32() < 0.1 {
        r.init(
            "customer_impact_notes",
            "Blocks month-end closing for the finance team.\n月末処理ができません。",
        );
    }
    if pipeline.id != "0" {
        r.init("escalation_level", *pick(rng, &["L1", "L2", "L3"]));
    }
}

/// The next change's time after `r.updated`: an hour to four days later, never past [`END`].
fn next_change(rng: &mut fastrand::Rng, r: &mut Record) -> i64 {
    r.updated = (r.updated + rng.i64(HOUR..4 * DAY)).min(END);
    r.updated
}

/// Later history: assignment (sometimes to the archived owner first), a priority change and
/// an "[Urgent]" subject edit. `r.updated` follows the last change.
fn write_ticket_history(
    r: &mut Record,
    rng: &mut fastrand::Rng,
    (agent, texts): ((u64, u64), &Texts),
    japanese: bool,
    subject: &str,
) {
    let id = r.id;
    if rng.f32() < 0.85 || id == 1001 {
        let ts = next_change(rng, r);
        let src = if rng.f32() < 0.5 {
            Source::Workflow(31_337_001)
        } else {
            Source::CrmUi(agent.1 as u32)
        };
        // Some tickets were first assigned to the (now archived) owner, then reassigned.
        if rng.f32() < 0.1 {
            r.write("hubspot_owner_id", "71000010", ts, src);
            let ts = next_change(rng, r);
            r.write(
                "hubspot_owner_id",
                agent.0.to_string(),
                ts,
                Source::CrmUi(agent.1 as u32),
            );
        } else {
            r.write("hubspot_owner_id", agent.0.to_string(), ts, src);
        }
    }
    if rng.f32() < 0.3 {
        let ts = next_change(rng, r);
        r.write(
            "hs_ticket_priority",
            *pick(rng, &["HIGH", "URGENT", "MEDIUM"]),
            ts,
            Source::CrmUi(agent.1 as u32),
        );
    }
    if rng.f32() < 0.1 && id > 1006 {
        let ts = next_change(rng, r);
        let edited = if japanese {
            format!("【至急】{subject}")
        } else {
            format!("[Urgent] {subject}")
        };
        r.write(
            "subject",
            texts.val(edited),
            ts,
            Source::CrmUi(agent.1 as u32),
        );
    }
}

/// Stage moves up to `final_stage`; reaching a closed stage sets the close date, time to
/// close and a resolution.
fn close_ticket_over_time(
    r: &mut Record,
    rng: &mut fastrand::Rng,
    agent: (u64, u64),
    pipeline: &Pipeline,
    final_stage: usize,
) {
    for s in 1..=final_stage {
        let ts = next_change(rng, r);
        let src = match rng.u32(0..10) {
            0..=6 => Source::CrmUi(agent.1 as u32),
            7..=8 => Source::Workflow(31_337_002),
            _ => Source::Api,
        };
        r.write("hs_pipeline_stage", pipeline.stages[s].id, ts, src);
        if pipeline.stages[s].closed {
            r.write("hs_is_closed", "true", ts, Source::Calculated);
            r.write("closed_date", Val::Time(ts), ts, Source::Calculated);
            r.write(
                "time_to_close",
                (ts - r.created).to_string(),
                ts,
                Source::Calculated,
            );
            let res = *pick(
                rng,
                &[
                    "ISSUE_FIXED",
                    "ISSUE_FIXED",
                    "WORKAROUND_PROVIDED",
                    "DUPLICATE",
                    "NO_RESPONSE",
                ],
            );
            r.write("hs_resolution", res, ts, Source::CrmUi(agent.1 as u32));
        }
    }
}

/// Targets of the support pipeline's SLAs by priority: (first response, close).
fn sla_targets(priority: &str) -> (i64, i64) {
    match priority {
        "URGENT" => (HOUR, DAY),
        "HIGH" => (4 * HOUR, 3 * DAY),
        "MEDIUM" => (8 * HOUR, 5 * DAY),
        _ => (24 * HOUR, 10 * DAY),
    }
}

/// An SLA's status code ([`super::model::SLA_STATUSES`]) at [`END`]: met on time or late
/// when `done`, else overdue, due soon (within a quarter of its target) or active.
fn sla_status(due: i64, target: i64, done: Option<i64>) -> &'static str {
    match done {
        Some(t) if t <= due => "3",
        Some(_) => "4",
        None if due < END => "1",
        None if due - END <= target / 4 => "2",
        None => "0",
    }
}

/// Reply times and SLAs, from what was seeded: the customer last wrote with their latest
/// incoming email (else when they opened the ticket by email, chat or form); the agent first
/// replied with the first outgoing email. Tickets of the support pipeline get SLA due dates
/// by priority and their status as of [`END`]. Draws nothing at random, so the rest of the
/// seeded portal is what it was.
fn seed_replies_and_sla(r: &mut Record, staged: &Staged, engagements: &[u64], support: bool) {
    let emails: Vec<(i64, bool)> = engagements
        .iter()
        .filter_map(|e| staged.get(Kind::Email, *e))
        .map(|e| {
            let incoming = e.props.get("hs_email_direction").as_deref() == Some("INCOMING_EMAIL");
            (e.created, incoming)
        })
        .collect();
    let by_customer = matches!(
        r.props.get("source_type").as_deref(),
        Some("EMAIL" | "CHAT" | "FORM")
    );
    let last_reply = emails
        .iter()
        .filter(|(_, incoming)| *incoming)
        .map(|(t, _)| *t)
        .max()
        .or(by_customer.then_some(r.created));
    let first_agent = emails.iter().filter(|(_, i)| !*i).map(|(t, _)| *t).min();
    if let Some(t) = last_reply {
        r.init("last_reply_date", Val::Time(t));
    }
    if let Some(t) = first_agent {
        r.init("first_agent_reply_date", Val::Time(t));
        r.init("time_to_first_agent_reply", (t - r.created).to_string());
    }
    if !support {
        return;
    }
    let closed = r.props.get("closed_date").and_then(|v| parse_time(&v));
    let (first, close) = sla_targets(r.props.get("hs_ticket_priority").as_deref().unwrap_or(""));
    let first_due = r.created + first;
    let close_due = r.created + close;
    r.init("hs_time_to_first_response_sla_at", Val::Time(first_due));
    r.init(
        "hs_time_to_first_response_sla_status",
        sla_status(first_due, first, first_agent.or(closed)),
    );
    r.init("hs_time_to_close_sla_at", Val::Time(close_due));
    r.init(
        "hs_time_to_close_sla_status",
        sla_status(close_due, close, closed),
    );
}

/// Contacts (none to two; at least one on 1001), a company (primary or not) and sometimes a
/// deal. Returns the first contact, which notes are associated with too.
fn associate_ticket(
    st: &mut Store,
    rng: &mut fastrand::Rng,
    pools: &Pools,
    id: u64,
) -> Option<u64> {
    let node = (Kind::Ticket, id);
    let n_contacts = match rng.u32(0..20) {
        0..=2 => 0,
        3..=16 => 1,
        _ => 2,
    };
    let mut first_contact = None;
    for _ in 0..n_contacts.max(u32::from(id == 1001)) {
        let c = *pick(rng, &pools.contacts);
        first_contact.get_or_insert(c);
        st.associate(node, (Kind::Contact, c), 16);
    }
    if rng.f32() < 0.65 || id == 1001 {
        let company = pools.companies[rng.usize(..pools.companies.len())];
        let primary = rng.f32() < 0.5 || id == 1001;
        st.associate(
            node,
            (Kind::Company, company),
            if primary { 26 } else { 339 },
        );
    }
    if rng.f32() < 0.2 {
        st.associate(node, (Kind::Deal, *pick(rng, &pools.deals)), 28);
    }
    first_contact
}

/// The ticket engagements are seeded for.
struct EngagementTarget<'a> {
    id: u64,
    created: i64,
    subject: &'a str,
    /// (owner id, user id) of the agent who logs them.
    agent: (u64, u64),
    /// Notes are associated with this contact too.
    first_contact: Option<u64>,
}

/// The ticket's engagements (4 on 1001), by the agent, spaced after its creation. Returns
/// their ids and the time of the last one (the creation time when there are none).
fn seed_engagements(
    st: &mut Store,
    staged: &mut Staged,
    rng: &mut fastrand::Rng,
    pools: &Pools,
    target: &EngagementTarget,
) -> (Vec<u64>, i64) {
    let EngagementTarget {
        id,
        created,
        subject,
        agent,
        first_contact,
    } = *target;
    let node = (Kind::Ticket, id);
    let n_eng = if id == 1001 {
        4
    } else {
        *pick(rng, &[0usize, 0, 1, 1, 2, 2, 3, 4, 5, 6])
    };
    let mut engagements = Vec::new();
    let mut et = created;
    for _ in 0..n_eng {
        et = (et + rng.i64(HOUR..3 * DAY)).min(END);
        let kind = *pick(
            rng,
            &[
                Kind::Note,
                Kind::Note,
                Kind::Email,
                Kind::Email,
                Kind::Call,
                Kind::Task,
                Kind::Meeting,
            ],
        );
        let eid = st.alloc_id(Kind::Note);
        let mut e = Record::new(eid, et);
        e.created_source = Source::CrmUi(agent.1 as u32);
        e.init("hs_timestamp", Val::Time(et));
        e.init("hubspot_owner_id", agent.0.to_string());
        let note = *pick(rng, &pools.words.notes);
        let (type_id, props) = engagement_props(rng, kind, note, subject, et);
        for (k, v) in props {
            e.init(k, pools.texts.val(v));
        }
        e.shrink();
        staged.push(kind, e);
        st.associate(node, (kind, eid), type_id);
        if kind == Kind::Note
            && let Some(c) = first_contact
        {
            st.associate((Kind::Note, eid), (Kind::Contact, c), 202);
        }
        st.shrink_edges((kind, eid));
        engagements.push(eid);
    }
    // Engagement IDs come from one counter (`store::id_space`): unique across kinds.
    (engagements, et)
}

/// A seeded call's outcome, from its length (no draw from the generator, so the rest of the
/// data stays as it was): most calls connected, the short ones a mix of the other outcomes.
fn call_outcome(seconds: u32) -> &'static str {
    let outcomes = CALL_OUTCOMES;
    let connected = outcomes
        .iter()
        .find(|(_, label)| *label == "Connected")
        .map_or("", |(id, _)| *id);
    if seconds >= 120 {
        return connected;
    }
    let i = usize::try_from(seconds).unwrap_or(0) % outcomes.len();
    outcomes[i].0
}

/// One engagement's ticket association type and its properties, by kind.
fn engagement_props(
    rng: &mut fastrand::Rng,
    kind: Kind,
    note: &str,
    subject: &str,
    et: i64,
) -> (u32, Vec<(&'static str, String)>) {
    match kind {
        Kind::Note => (227, vec![("hs_note_body", format!("<p>{note}</p>"))]),
        Kind::Email => (
            223,
            vec![
                (
                    "hs_email_subject",
                    format!("Re: {}", subject.chars().take(80).collect::<String>()),
                ),
                (
                    "hs_email_text",
                    format!("Hello,\n\n{note}\n\nBest regards,\nSupport"),
                ),
                (
                    "hs_email_direction",
                    (*pick(rng, &["EMAIL", "INCOMING_EMAIL"])).into(),
                ),
            ],
        ),
        Kind::Call => {
            let direction = *pick(rng, &["INBOUND", "OUTBOUND"]);
            let seconds = rng.u32(30..1800);
            (
                219,
                vec![
                    ("hs_call_title", "Support call".into()),
                    ("hs_call_body", format!("<p>{note}</p>")),
                    ("hs_call_direction", direction.into()),
                    ("hs_call_duration", (seconds * 1000).to_string()),
                    ("hs_call_disposition", call_outcome(seconds).into()),
                    ("hs_call_status", "COMPLETED".into()),
                ],
            )
        }
        Kind::Task => (
            229,
            vec![
                ("hs_task_subject", "Follow up with customer".into()),
                ("hs_task_body", note.to_owned()),
                (
                    "hs_task_status",
                    (*pick(rng, &["NOT_STARTED", "IN_PROGRESS", "COMPLETED"])).into(),
                ),
                (
                    "hs_task_priority",
                    (*pick(rng, &["LOW", "MEDIUM", "HIGH"])).into(),
                ),
                ("hs_task_type", "TODO".into()),
            ],
        ),
        _ => (
            225,
            vec![
                ("hs_meeting_title", "Troubleshooting session".into()),
                ("hs_meeting_body", format!("<p>{note}</p>")),
                ("hs_meeting_start_time", iso(et)),
                ("hs_meeting_end_time", iso(et + HOUR / 2)),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A reference moves every timestamp by the same offset (date-only values to the day the
    /// shifted instant falls on) and changes nothing else.
    #[test]
    fn sandbox_seed_reference_shifts_every_timestamp_and_nothing_else() {
        let base = build(42, 300, None);
        for reference in [
            REFERENCE_MS + 123 * DAY + 5 * HOUR,
            REFERENCE_MS - 400 * DAY - 7 * HOUR,
        ] {
            let off = reference - REFERENCE_MS;
            let moved = build(42, 300, Some(reference));
            let same_time = |a: &str, b: &str, t: PType| {
                let (a, b) = (parse_time(a).unwrap(), parse_time(b).unwrap());
                if t == PType::Date {
                    b == (a + off).div_euclid(DAY) * DAY
                } else {
                    b - a == off
                }
            };
            assert_eq!(base.owners.len(), moved.owners.len());
            for (a, b) in base.owners.iter().zip(&moved.owners) {
                assert_eq!((a.id, b.created - a.created), (b.id, off));
            }
            assert_eq!(base.edges, moved.edges);
            assert_eq!(base.unique, moved.unique);
            assert_eq!(base.next_id, moved.next_id);
            let mut time_values = 0;
            for (kind, map) in &base.objects {
                let other = &moved.objects[kind];
                assert_eq!(
                    map.keys().collect::<Vec<_>>(),
                    other.keys().collect::<Vec<_>>()
                );
                for (id, a) in map {
                    let b = &other[id];
                    assert_eq!(b.created - a.created, off);
                    assert_eq!(b.updated - a.updated, off);
                    assert_eq!(b.archived_at.map(|t| t - off), a.archived_at);
                    assert_eq!(a.created_source, b.created_source);
                    let names = |r: &Record| r.props.iter().map(|(n, _)| n).collect::<Vec<_>>();
                    assert_eq!(names(a), names(b));
                    let ptype =
                        |name: &str| super::super::model::prop(*kind, name).map(|d| d.ptype);
                    for (name, va) in a.props.iter() {
                        let (va, vb) = (va.as_str(), b.props.get(name).unwrap());
                        let (va, vb) = (va.as_ref(), vb.as_ref());
                        match ptype(name) {
                            Some(t @ (PType::Date | PType::DateTime)) => {
                                time_values += 1;
                                assert!(same_time(va, vb, t), "{kind:?} {id} {name}: {va} → {vb}");
                            }
                            _ => assert_eq!(va, vb, "{kind:?} {id} {name}"),
                        }
                    }
                    assert_eq!(a.history.names(), b.history.names());
                    for name in a.history.names() {
                        let (ha, hb) = (a.history.of(name), b.history.of(name));
                        assert_eq!(ha.len(), hb.len());
                        for (x, y) in ha.iter().zip(&hb) {
                            assert_eq!((y.ts - x.ts, x.source), (off, y.source));
                            match ptype(name) {
                                Some(t @ (PType::Date | PType::DateTime)) => {
                                    assert!(same_time(&x.value.as_str(), &y.value.as_str(), t));
                                }
                                _ => assert_eq!(x.value, y.value),
                            }
                        }
                    }
                }
            }
            assert!(time_values > 300, "date/datetime values were compared");
        }
    }

    #[test]
    fn sandbox_seed_without_reference_is_the_fixed_one() {
        let a = build(42, 50, None);
        let b = build(42, 50, Some(REFERENCE_MS));
        for (id, r) in &a.objects[&Kind::Ticket] {
            let o = &b.objects[&Kind::Ticket][id];
            assert_eq!(
                (r.created, r.updated, &r.props),
                (o.created, o.updated, &o.props)
            );
        }
    }
}
