//! The change search: tickets whose `hs_lastmodifieddate` is at or after the watermark less
//! the skew, ascending, 200 a page, stepping past the 10,000-result cap (see `sync.rs`).

use std::collections::HashMap;

use crate::cache::{Batch, SyncState, modified_ms};
use crate::domain::Ticket;
use crate::hubspot::{
    Filter, FilterGroup, FilterOperator, SEARCH_LIMIT_MAX, SEARCH_RESULTS_MAX, SearchRequest, Sort,
    SortDirection,
};
use crate::mapping;

use super::{Phase, Run, SyncError};

const MODIFIED: &str = "hs_lastmodifieddate";
const ID: &str = "hs_object_id";
/// IDs one `NOT_IN` filter may list. UNCONFIRMED: HubSpot documents no maximum for
/// `values`; 100 is what its other list limits use.
const NOT_IN_MAX: usize = 100;
/// Rewinds after a ticket moved under the pages, at most.
const MAX_REWINDS: u32 = 3;

/// One search's filters and order, paged by offset up to the cap.
#[derive(Debug, Clone, PartialEq)]
enum Window {
    /// The first: newer than `watermark`, or in `from..=watermark` and not among `edge`
    /// (cached with the timestamp they have now). `edge: None`: too many to exclude.
    Since {
        from: i64,
        watermark: i64,
        edge: Option<Vec<String>>,
    },
    /// At or after a timestamp.
    From(i64),
    /// After a timestamp.
    After(i64),
    /// One millisecond that alone fills the cap, walked by ID.
    Tie { ts: i64, after_id: i64 },
}

fn f(prop: &str, op: FilterOperator, v: i64) -> Filter {
    Filter::new(prop, op, v.to_string())
}

impl Window {
    fn request(&self, properties: &[String], after: Option<String>) -> SearchRequest {
        use FilterOperator::{Eq, Gt, Gte, Lte, NotIn};
        let groups: Vec<Vec<Filter>> = match self {
            Window::Since {
                from,
                watermark,
                edge: Some(edge),
            } => {
                let mut skew = vec![f(MODIFIED, Gte, *from), f(MODIFIED, Lte, *watermark)];
                if !edge.is_empty() {
                    let mut not_in = Filter::in_values(ID, edge.clone());
                    not_in.operator = NotIn;
                    skew.push(not_in);
                }
                vec![vec![f(MODIFIED, Gt, *watermark)], skew]
            }
            Window::Since {
                from, edge: None, ..
            } => vec![vec![f(MODIFIED, Gte, *from)]],
            Window::From(ts) => vec![vec![f(MODIFIED, Gte, *ts)]],
            Window::After(ts) => vec![vec![f(MODIFIED, Gt, *ts)]],
            Window::Tie { ts, after_id } => vec![vec![f(MODIFIED, Eq, *ts), f(ID, Gt, *after_id)]],
        };
        let sort = if matches!(self, Window::Tie { .. }) {
            ID
        } else {
            MODIFIED
        };
        SearchRequest {
            filter_groups: groups
                .into_iter()
                .map(|filters| FilterGroup { filters })
                .collect(),
            sorts: vec![Sort {
                property_name: sort.into(),
                direction: SortDirection::Ascending,
            }],
            query: None,
            properties: properties.to_vec(),
            limit: Some(SEARCH_LIMIT_MAX),
            after,
        }
    }

    /// The lowest timestamp the window can return.
    fn floor(&self) -> i64 {
        match self {
            Window::Since { from, .. } => *from,
            Window::From(ts) | Window::Tie { ts, .. } => *ts,
            Window::After(ts) => ts.saturating_add(1),
        }
    }
}

/// What reading a window ended with.
enum Next {
    Done,
    Then(Window),
}

/// What this call has seen: each ID's timestamp, and how far back to rewind when a ticket
/// moved under the pages.
#[derive(Default)]
struct Seen {
    at: HashMap<String, i64>,
    rewind: Option<i64>,
    /// Whether the first page was read (and its answer's clock noted).
    searched: bool,
}

impl Seen {
    fn note(&mut self, t: &Ticket) {
        let ts = modified_ms(t);
        if let Some(old) = self.at.insert(t.id.clone(), ts)
            && old != ts
        {
            self.rewind = Some(self.rewind.map_or(old, |r| r.min(old)));
        }
    }
}

/// Reads every change since the watermark; returns the state with the watermark moved.
pub(super) async fn run(run: &mut Run<'_>, mut state: SyncState) -> Result<SyncState, SyncError> {
    let watermark = state.watermark_ms.unwrap_or(0);
    let skew = i64::try_from(run.options.skew.as_millis()).unwrap_or(i64::MAX);
    let mut window = first_window(run, watermark, skew, state.searched_ms)?;
    let mut seen = Seen::default();
    let mut rewinds = 0;
    loop {
        match read_window(run, &window, &mut state, &mut seen).await? {
            Next::Then(w) => window = w,
            Next::Done => match seen.rewind.take() {
                Some(ts) if rewinds < MAX_REWINDS => {
                    rewinds += 1;
                    window = Window::From(ts);
                }
                _ => break,
            },
        }
    }
    Ok(state)
}

/// The first window: newer than the watermark, and the changes at or before it that may not
/// have been searchable when the last change search ran — those of the skew before that
/// search (`searched_ms`, HubSpot's clock), or before the watermark when no search time is
/// known. A watermark older than the last search less the skew has no such edge: the
/// window is then "after the watermark" alone, however many tickets share its timestamp
/// (a bulk import, a workflow run). Otherwise the edge's tickets that are cached with their
/// very timestamp are excluded by ID, so an unchanged edge costs nothing.
fn first_window(
    run: &Run<'_>,
    watermark: i64,
    skew: i64,
    searched_ms: Option<i64>,
) -> Result<Window, SyncError> {
    let from = watermark
        .saturating_sub(skew)
        .max(searched_ms.map_or(i64::MIN, |s| s.saturating_sub(skew)));
    if from > watermark {
        return Ok(Window::After(watermark));
    }
    let edge = run
        .cache
        .ids_modified_between(from, watermark, NOT_IN_MAX)?;
    Ok(Window::Since {
        from,
        watermark,
        edge: (edge.len() <= NOT_IN_MAX).then_some(edge),
    })
}

/// Pages through one window, writing each page with the watermark it reached.
async fn read_window(
    run: &mut Run<'_>,
    window: &Window,
    state: &mut SyncState,
    seen: &mut Seen,
) -> Result<Next, SyncError> {
    let mut after: Option<String> = None;
    let mut last_total: Option<u64> = None;
    let mut page_floor = window.floor();
    loop {
        run.pacing.search().await;
        run.count_request()?;
        let request = window.request(&run.properties, after.clone());
        let mut page = run.client.search_tickets(&request).await?;
        if !seen.searched {
            // The first answer's clock: this search saw every change older than it less the
            // skew. UNCONFIRMED: that HubSpot's `Date` header and `hs_lastmodifieddate` come
            // from one clock (both are its servers'; the skew covers a small difference).
            seen.searched = true;
            state.searched_ms = run.client.server_time().map(|t| t.as_millisecond());
        }
        let results = std::mem::take(&mut page.results);
        let tickets: Vec<Ticket> = results.into_iter().map(mapping::ticket).collect();
        let (last_ts, last_id) = tickets.last().map_or((page_floor, 0), |t| {
            (modified_ms(t), t.id.parse().unwrap_or(0))
        });
        write_page(run, tickets, state, seen)?;
        run.report(Phase::Changes, None, 0);
        // A ticket gone from the results before the offset shifted the rest down by one: the
        // one at the page boundary may have been skipped, so read again from there.
        if last_total.is_some_and(|t| page.total < t) {
            return Ok(Next::Then(Window::From(page_floor)));
        }
        last_total = Some(page.total);
        let Some(next) = page.next_after().map(str::to_owned) else {
            return Ok(match window {
                Window::Tie { ts, .. } => Next::Then(Window::After(*ts)),
                _ => Next::Done,
            });
        };
        let capped = next.parse::<u64>().is_ok_and(|n| n >= SEARCH_RESULTS_MAX);
        if capped {
            return Ok(Next::Then(match window {
                Window::Tie { ts, .. } => Window::Tie {
                    ts: *ts,
                    after_id: last_id,
                },
                _ if last_ts <= window.floor() => Window::Tie {
                    ts: last_ts,
                    after_id: 0,
                },
                _ => Window::From(last_ts),
            }));
        }
        page_floor = last_ts;
        after = Some(next);
    }
}

/// Writes one page: the tickets, the IDs their merges absorbed, the new watermark.
fn write_page(
    run: &mut Run<'_>,
    tickets: Vec<Ticket>,
    state: &mut SyncState,
    seen: &mut Seen,
) -> Result<(), SyncError> {
    run.tickets += tickets.len() as u64;
    let mut deletes = Vec::new();
    for t in &tickets {
        seen.note(t);
        deletes.extend(
            t.prop("hs_merged_object_ids")
                .split(';')
                .map(str::trim)
                .filter(|id| !id.is_empty() && *id != t.id)
                .map(str::to_owned),
        );
        let ts = modified_ms(t);
        state.watermark_ms = Some(state.watermark_ms.map_or(ts, |w| w.max(ts)));
    }
    let ids: Vec<String> = tickets
        .iter()
        .map(|t| t.id.clone())
        .chain(deletes.iter().cloned())
        .collect();
    let applied = run.cache.apply(&Batch {
        upserts: tickets,
        deletes,
        state: Some(state.clone()),
    })?;
    run.add(applied, ids);
    Ok(())
}
