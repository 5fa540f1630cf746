//! A view sorted by a choice property follows the options' order (URGENT, HIGH, MEDIUM, LOW,
//! then none), not the alphabet of their internal values — and hubtix gets that order itself:
//! the sandbox's search sorts choices by internal value (HubSpot's own order for choices is
//! UNCONFIRMED), and the worker reads the view option by option. Over real HTTP on
//! 127.0.0.1: the worker and client against the sandbox, the view compiled as the app does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use hubtix::domain::Catalog;
use hubtix::hubspot::{AccessToken, Client, ClientConfig, RetryPolicy};
use hubtix::protocol::{Command, Event, ListSource, SearchSource};
use hubtix::sandbox::SandboxConfig;
use hubtix::views::{self, SortSpec, View};
use hubtix::worker::convert;
use tokio::sync::mpsc;

const TOKEN: &str = "option-order-token";

fn client(base_url: String) -> Client {
    let mut config = ClientConfig::new(base_url, AccessToken::new(TOKEN));
    config.timeout = Duration::from_secs(10);
    config.retry = RetryPolicy::fast();
    Client::new(config).expect("client")
}

async fn catalog(client: &Client) -> Catalog {
    let mut c = Catalog::default();
    let props = client.properties("tickets").await.expect("properties");
    c.set_properties(props.into_iter().map(convert::property).collect(), vec![]);
    let pipelines = client.pipelines("tickets").await.expect("pipelines");
    c.set_pipelines(pipelines.into_iter().map(convert::pipeline).collect());
    c
}

/// The view's search as the app resolves it (`views::compile`, then `views::option_order`).
fn source(view: &View, catalog: &Catalog) -> SearchSource {
    let ctx = views::Context {
        catalog,
        me: None,
        now: jiff::Timestamp::now(),
    };
    let c = views::compile(view, ctx).expect("compiles");
    SearchSource {
        option_order: views::option_order(&c, catalog),
        filter_groups: c.filter_groups,
        sort: c.sort,
        query: c.query,
    }
}

/// Every ticket of `source` through the worker, page by page: (id, priority) in order, and
/// the total the first page gave.
async fn all_pages(
    commands: &mpsc::UnboundedSender<Command>,
    events: &mut mpsc::Receiver<Event>,
    source: &SearchSource,
) -> (Vec<(String, String)>, Option<u64>) {
    let (mut rows, mut total, mut after, mut req) = (Vec::new(), None, None, 0);
    loop {
        req += 1;
        commands
            .send(Command::ListTickets {
                req,
                source: ListSource::Search(source.clone()),
                after: after.clone(),
                properties: vec!["hs_ticket_priority".into()],
            })
            .expect("the worker runs");
        let answer = loop {
            let ev = tokio::time::timeout(Duration::from_secs(40), events.recv())
                .await
                .expect("an answer")
                .expect("the worker runs");
            if ev.req() == Some(req) {
                break ev;
            }
        };
        let Event::TicketsListed {
            tickets,
            next_after,
            total: t,
            capped,
            ..
        } = answer
        else {
            panic!("{answer:?}");
        };
        assert!(!capped);
        if req == 1 {
            total = t;
        }
        for t in tickets {
            let p = t.prop("hs_ticket_priority").to_owned();
            rows.push((t.id, p));
        }
        match next_after {
            Some(a) => after = Some(a),
            None => return (rows, total),
        }
    }
}

/// The priorities in the order met, each once (URGENT, HIGH, ...).
fn runs(rows: &[(String, String)]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for (_, p) in rows {
        if out.last() != Some(&p.as_str()) {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn sorting_by_priority_follows_the_options_order_whatever_the_server_does() {
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 700,
        token: TOKEN.into(),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let direct = client(sandbox.base_url());
    let cat = catalog(&direct).await;
    let (tx, mut events) = mpsc::channel(256);
    let commands = hubtix::worker::spawn(client(sandbox.base_url()), tx);
    let view = |descending: bool| View {
        name: "By priority".into(),
        stages: vec![views::OPEN.into()],
        sort: Some(SortSpec {
            property: "priority".into(),
            descending,
        }),
        ..View::default()
    };

    let desc = source(&view(true), &cat);
    let order = desc
        .option_order
        .as_ref()
        .expect("priority is option-ordered");
    assert_eq!(order.values, ["URGENT", "HIGH", "MEDIUM", "LOW"]);
    let (rows, total) = all_pages(&commands, &mut events, &desc).await;
    assert_eq!(runs(&rows), ["URGENT", "HIGH", "MEDIUM", "LOW", ""]);
    assert_eq!(
        total,
        Some(rows.len() as u64),
        "every ticket once, the total counted"
    );
    assert!(
        rows.len() > 200,
        "more than one page per option: {}",
        rows.len()
    );
    let mut ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rows.len(), "no ticket twice");

    let (rows, _) = all_pages(&commands, &mut events, &source(&view(false), &cat)).await;
    assert_eq!(runs(&rows), ["LOW", "MEDIUM", "HIGH", "URGENT", ""]);

    // The same view in the server's order: its choices in their internal values' alphabet,
    // which is what hubtix would show if it relied on it.
    let server = SearchSource {
        option_order: None,
        ..desc.clone()
    };
    let (rows, _) = all_pages(&commands, &mut events, &server).await;
    assert_eq!(runs(&rows), ["URGENT", "MEDIUM", "LOW", "HIGH", ""]);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn only_single_choice_properties_with_room_for_a_filter_are_option_ordered() {
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 20,
        token: TOKEN.into(),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let cat = catalog(&client(sandbox.base_url())).await;
    let sorted = |property: &str, view: View| {
        source(
            &View {
                sort: Some(SortSpec {
                    property: property.into(),
                    descending: false,
                }),
                ..view
            },
            &cat,
        )
        .option_order
        .map(|o| o.values)
    };
    let plain = View {
        name: "v".into(),
        ..View::default()
    };
    assert!(sorted("escalation_level", plain.clone()).is_some(), "radio");
    assert_eq!(
        sorted("hs_ticket_category", plain.clone()),
        None,
        "multi-select"
    );
    assert_eq!(sorted("hubspot_owner_id", plain.clone()), None, "owners");
    assert_eq!(sorted("createdate", plain.clone()), None);
    // Five filters in the only group: no room for an option's two.
    let full = View {
        conditions: (0..5)
            .map(|i| {
                views::Condition::new(
                    "subject",
                    hubtix::domain::search::FilterOperator::ContainsToken,
                    &format!("w{i}"),
                )
            })
            .collect(),
        ..plain
    };
    assert_eq!(sorted("hs_ticket_priority", full), None);
    sandbox.shutdown().await;
}
