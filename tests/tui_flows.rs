//! Headless flows: the real event loop, API worker and HubSpot client against the sandbox over
//! HTTP on 127.0.0.1, drawing into a `TestBackend`. Keys in; screen text out, and where a flow
//! changes data, the sandbox's state read back through the client.
//!
//! Waits are on what the screen shows (every frame is seen, in order), never on sleeps, and no
//! test asserts on timing.

use std::time::Duration;

use crossterm::event::KeyCode;
use hubtix::domain::{Catalog, Ticket};
use hubtix::hubspot::{Client, GetQuery, RetryPolicy};
use hubtix::sandbox::SandboxConfig;
use hubtix::worker::convert;

#[path = "support/tui.rs"]
mod tui;

use tui::Harness;

const W: u16 = 160;
const H: u16 = 48;

fn config() -> SandboxConfig {
    SandboxConfig {
        tickets: 200,
        ..SandboxConfig::default()
    }
}

/// The catalogue as the app builds it, read through the client (for expected labels).
async fn catalog(client: &Client) -> Catalog {
    let mut c = Catalog::default();
    c.tz = jiff::tz::TimeZone::UTC;
    let props = client.properties("tickets").await.expect("properties");
    let groups = client.property_groups("tickets").await.expect("groups");
    c.set_properties(
        props.into_iter().map(convert::property).collect(),
        groups.into_iter().map(convert::group).collect(),
    );
    c.set_pipelines(
        client
            .pipelines("tickets")
            .await
            .expect("pipelines")
            .into_iter()
            .map(convert::pipeline)
            .collect(),
    );
    c.set_owners(
        client
            .owners()
            .await
            .expect("owners")
            .into_iter()
            .map(convert::owner)
            .collect(),
    );
    c
}

/// A ticket read through the client, with the history of `with_history`.
async fn read(client: &Client, id: &str, props: &[&str], with_history: &[&str]) -> Ticket {
    let t = client
        .get_ticket(
            id,
            &GetQuery {
                properties: props.iter().map(|s| (*s).to_owned()).collect(),
                properties_with_history: with_history.iter().map(|s| (*s).to_owned()).collect(),
                ..GetQuery::default()
            },
        )
        .await
        .expect("ticket");
    convert::ticket(t)
}

/// The text of a label as a column `cells` wide shows it (cut with an ellipsis).
fn column(label: &str, cells: usize) -> String {
    hubtix::text::truncate_to_width(label, cells)
}

/// Waits until the list has loaded (a row of 1001 with its stage label, not its ID).
async fn loaded(h: &mut Harness) -> String {
    h.wait_until("the first page with labels", |s| {
        s.contains("1001 プリンターが燃えている") && s.contains("Tickets 100+ loaded")
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_shows_rows_with_stage_labels_and_owner_names() {
    let mut h = Harness::start(config(), W, H).await;
    let cat = catalog(&h.client).await;
    let list_props = [
        "subject",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hubspot_owner_id",
    ];
    // Labels arrive with the catalogue, possibly after the rows: wait for both.
    let mut expected = Vec::new();
    for id in ["1001", "1002", "1007"] {
        let t = read(&h.client, id, &list_props, &[]).await;
        let stage = cat.display_value(Some(&t), "hs_pipeline_stage", t.stage());
        let owner = cat.display_value(Some(&t), "hubspot_owner_id", t.owner_id());
        assert_ne!(
            stage,
            t.stage(),
            "the sandbox's stage {} has a label",
            t.stage()
        );
        expected.push((id, column(&stage, 14), column(&owner, 14)));
    }
    let screen = h
        .wait_until("rows with stage labels and owner names", |s| {
            expected.iter().all(|(id, stage, owner)| {
                s.lines().any(|l| {
                    l.contains(&format!(" {id} "))
                        && l.contains(stage.as_str())
                        && l.contains(owner.as_str())
                })
            })
        })
        .await;
    assert!(screen.contains("DEMO"));
    assert!(screen.contains("1002 Login fails on SSO"));
    assert!(screen.contains("Tickets 100+ loaded"), "{screen}");
    // 1007 (≡ 6 mod 7) is in Escalations: its stage label is one of that pipeline's.
    let escalations = cat.pipeline("7458291").expect("Escalations");
    assert!(
        escalations
            .stages
            .iter()
            .any(|s| column(&s.label, 14) == expected[2].1),
        "{:?}",
        expected[2]
    );
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_a_ticket_and_read_its_history_newest_first() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Enter);
    let props_screen = h
        .wait_until("the properties of 1002", |s| {
            s.contains("#1002 Login fails on SSO") && s.contains("Ticket information")
        })
        .await;
    assert!(props_screen.contains("Login fails on SSO"));
    h.key(KeyCode::Char('2'));
    let screen = h.wait_until("the history tab", |s| s.contains(" → ")).await;
    // Timestamps in the History tab, top to bottom: newest first.
    let times: Vec<String> = screen
        .lines()
        .filter_map(|l| l.split_once("││").map(|(_, detail)| detail))
        .filter(|d| d.contains(" → "))
        .filter_map(|d| d.get(..16).map(str::to_owned))
        .collect();
    assert!(times.len() >= 2, "{screen}");
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    // Labels, not internal names; values as labels (old → new), as the sandbox has them.
    let cat = catalog(&h.client).await;
    let t = read(
        &h.client,
        "1002",
        &["hs_pipeline", "hs_pipeline_stage"],
        &["hs_pipeline_stage"],
    )
    .await;
    assert!(!screen.contains("hs_pipeline_stage"), "{screen}");
    let label = column(cat.property_label("hs_pipeline_stage"), 12);
    assert!(
        screen.contains(label.trim_end_matches('…')),
        "{label} in\n{screen}"
    );
    let history = &t.history.as_ref().expect("history")["hs_pipeline_stage"];
    let show = |v: &str| cat.display_value(Some(&t), "hs_pipeline_stage", v);
    let first = |s: String| s.chars().take(6).collect::<String>();
    let newest = first(show(&history[0].value));
    let old = history
        .get(1)
        .map_or_else(|| "—".to_owned(), |v| first(show(&v.value)));
    assert!(
        screen
            .lines()
            .any(|l| l.contains(old.as_str()) && l.contains(" → ") && l.contains(&newest)),
        "{old} → {newest} in\n{screen}"
    );
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associations_and_activity_load_with_the_pin_starred() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    h.key(KeyCode::Enter);
    h.wait_text("Ticket information").await;
    h.key(KeyCode::Char('3'));
    let screen = h
        .wait_until("associations", |s| s.contains("3 Associations ("))
        .await;
    assert!(screen.contains("Contact"), "{screen}");
    h.key(KeyCode::Char('4'));
    let screen = h
        .wait_until("activities", |s| s.contains("4 Activity ("))
        .await;
    assert_eq!(
        screen.matches('★').count(),
        1,
        "one pinned activity:\n{screen}"
    );
    let t = read(&h.client, "1001", &["hs_pinned_engagement_id"], &[]).await;
    assert!(
        !t.prop("hs_pinned_engagement_id").is_empty(),
        "1001 has a pin in the sandbox"
    );
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_with_a_japanese_word() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    h.key(KeyCode::Char('/'));
    h.chars("プリンター");
    let screen = h
        .wait_until("the filtered list", |s| s.contains("/プリンター▏"))
        .await;
    assert!(screen.contains("1001 プリンターが燃えている"), "{screen}");
    assert!(!screen.contains("1002 Login fails on SSO"), "{screen}");
    h.key(KeyCode::Esc);
    let screen = h
        .wait_until("every row back", |s| s.contains("Tickets 100+ loaded"))
        .await;
    assert!(screen.contains("1002 Login fails on SSO"));
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_list_load_is_shown_inline_and_r_retries() {
    let sandbox = hubtix::sandbox::spawn(config()).await.expect("sandbox");
    // Every request fails from the start, retries included (5 attempts each).
    sandbox.faults().fail_next(30, 500);
    let token = SandboxConfig::default().token;
    let mut h = Harness::start_on(sandbox, &token, W, H, RetryPolicy::fast());
    let screen = h
        .wait_until("the inline error", |s| s.contains("press r to retry"))
        .await;
    assert!(screen.contains("500"), "{screen}");
    // Use up the failures left (one request at a time, no retries) so the retry succeeds.
    let probe = tui::client_with(&h.sandbox, &token, RetryPolicy::none());
    while probe
        .get_ticket("1001", &GetQuery::default())
        .await
        .is_err()
    {}
    h.key(KeyCode::Char('r'));
    let screen = h
        .wait_until("rows after r", |s| s.contains("1002 Login fails on SSO"))
        .await;
    assert!(!screen.contains("press r to retry"));
    // The catalogue failed too: R reloads it and the labels come.
    h.key(KeyCode::Char('R'));
    h.wait_until("stage labels", |s| {
        s.lines().any(|l| {
            l.contains("1001 プリンター")
                && (l.contains("New") || l.contains("Waiting") || l.contains("Closed"))
        })
    })
    .await;
    assert!(h.sandbox.faults().request_count() >= 25);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_deleted_elsewhere_is_marked_when_opened() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    // Someone archives 1005 while it is listed.
    h.client.archive_ticket("1005").await.expect("archive");
    for _ in 0..4 {
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Enter);
    let screen = h
        .wait_until("the row marked deleted", |s| s.contains("(deleted)"))
        .await;
    assert!(screen.contains("✗ 1005 (deleted)"), "{screen}");
    assert!(screen.contains("ticket 1005 no longer exists"), "{screen}");
    let err = h
        .client
        .get_ticket("1005", &GetQuery::default())
        .await
        .expect_err("archived");
    assert!(err.is_not_found());
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_shows_the_backoff_then_the_data() {
    // Waits long enough that the notice is drawn; capped so the test stays quick.
    let retry = RetryPolicy {
        ten_secondly_wait: Duration::from_millis(300),
        cap: Duration::from_millis(600),
        ..RetryPolicy::fast()
    };
    let mut h = Harness::start_with(config(), W, H, retry).await;
    loaded(&mut h).await;
    let before = h.sandbox.faults().request_count();
    h.sandbox.faults().fail_next(6, 429);
    h.key(KeyCode::Char('R'));
    let screen = h
        .wait_until("the backoff notice", |s| {
            s.contains("rate limited, retrying")
        })
        .await;
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|l| l.contains("rate limited")),
        "top bar:\n{screen}"
    );
    let screen = h
        .wait_until("the data after the storm", |s| {
            !s.contains("rate limited")
                && s.contains("Tickets 100+ loaded")
                && s.contains("Ticket information")
        })
        .await;
    assert!(!screen.contains("failed"), "nothing lost:\n{screen}");
    assert!(screen.contains("1001 プリンターが燃えている"));
    // R's five reads (properties, groups, pipelines, owners, list) plus the six refused ones
    // sent again: the storm was retried, not dropped.
    let sent = h.sandbox.faults().request_count() - before;
    assert!(sent >= 11, "{sent} requests");
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_shows_the_token_overlay() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    h.sandbox.faults().revoke_token();
    h.key(KeyCode::Char('R'));
    let screen = h
        .wait_until("the token overlay", |s| {
            s.contains("HubSpot refused the access token")
        })
        .await;
    assert!(screen.contains("HUBSPOT_ACCESS_TOKEN"), "{screen}");
    assert!(
        h.client
            .get_ticket("1001", &GetQuery::default())
            .await
            .is_err_and(|e| e.is_auth())
    );
    h.sandbox.faults().restore_token();
    assert!(
        h.client
            .get_ticket("1001", &GetQuery::default())
            .await
            .is_ok()
    );
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_redraw_at_once_while_the_api_is_slow() {
    let mut h = Harness::start(config(), W, H).await;
    loaded(&mut h).await;
    h.wait_text("Ticket information").await;
    h.sandbox.faults().set_latency(Duration::from_millis(800));
    for n in 2..=4 {
        h.key(KeyCode::Char('j'));
        let title = format!("#100{n} ");
        // The selection moved and was drawn while its detail is still on the way.
        let screen = h
            .wait_until(&format!("the selection on 100{n}"), |s| s.contains(&title))
            .await;
        assert!(screen.contains("loading the ticket…"), "{screen}");
        // Its fetch goes out once the cursor rests; the next j supersedes it mid-flight.
        h.wait_until("the fetch in flight", |s| {
            s.lines().next().is_some_and(|top| top.contains('⟳'))
        })
        .await;
    }
    h.sandbox.faults().set_latency(Duration::ZERO);
    h.wait_until("the detail of 1004", |s| {
        s.contains("#1004 ") && s.contains("Ticket information")
    })
    .await;
    // The superseded fetches of 1002 and 1003 were cancelled: nothing stays counted in flight.
    h.wait_until("no request in flight", |s| {
        s.lines().next().is_some_and(|top| !top.contains('⟳'))
    })
    .await;
    h.quit().await;
}

/// HubSpot answers the detail's properties that have no value as `null`; every property
/// (`a`) shows them as it shows any empty one, "—", never "null".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_properties_show_as_empty_in_the_detail() {
    let mut h = Harness::start(config(), W, H).await;
    let cat = catalog(&h.client).await;
    let names: Vec<String> = cat.properties.iter().map(|d| d.name.clone()).collect();
    let wire = h
        .client
        .get_ticket(
            "1002",
            &GetQuery {
                properties: names,
                ..GetQuery::default()
            },
        )
        .await
        .expect("ticket");
    // The labels of the properties the sandbox sent as `null` (short enough not to be cut).
    let null_labels: Vec<String> = wire
        .properties
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| cat.property_label(name).to_owned())
        .filter(|l| hubtix::text::width(l) < 20)
        .collect();
    assert!(!null_labels.is_empty(), "1002 has empty properties");
    loaded(&mut h).await;
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Enter);
    h.wait_until("the properties of 1002", |s| {
        s.contains("#1002 Login fails on SSO") && s.contains("Ticket information")
    })
    .await;
    h.key(KeyCode::Char('a'));
    let screen = h
        .wait_until("every property", |s| s.contains("Properties (all)"))
        .await;
    let detail = |l: &str| l.split_once("││").map(|(_, d)| d.trim_start().to_owned());
    let shown: Vec<String> = screen
        .lines()
        .filter_map(detail)
        .filter(|d| {
            null_labels
                .iter()
                .any(|l| d.split("  ").next() == Some(l.as_str()))
        })
        .collect();
    assert!(!shown.is_empty(), "{null_labels:?} in\n{screen}");
    for row in &shown {
        assert!(row.contains('—'), "{row:?} in\n{screen}");
    }
    assert!(!screen.contains("null"), "{screen}");
    h.quit().await;
}
