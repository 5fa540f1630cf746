//! Pages of a view sorted in its choice property's option order (`SearchSource::option_order`):
//! its segments — one search per option, then other values, then no value — read one after
//! the other, each in record-ID order. The cursor says which segment and where in it:
//! `o<segment>` or `o<segment>:<cursor within it>`. An empty segment is passed over in the
//! same call, so a page is never empty while tickets remain. The first page counts the whole
//! view (one search for the total); later pages carry none (the first page's stands).

use super::{ApiError, Client, Event, ReqId, SearchSource, count, search_page};

/// `o<segment>[:<inner cursor>]` → (segment, inner cursor).
fn parse(cursor: Option<&str>) -> (usize, Option<&str>) {
    let Some(rest) = cursor.and_then(|c| c.strip_prefix('o')) else {
        return (0, None);
    };
    let (seg, inner) = match rest.split_once(':') {
        Some((s, i)) => (s, Some(i).filter(|i| !i.is_empty())),
        None => (rest, None),
    };
    (seg.parse().unwrap_or(0), inner)
}

/// One page of an option-ordered view.
pub(super) async fn page(
    client: &Client,
    req: ReqId,
    src: &SearchSource,
    cursor: Option<&str>,
    properties: Vec<String>,
) -> Result<Event, ApiError> {
    let total = match cursor {
        None => match count(client, req, &unordered(src)).await? {
            Event::TicketsCounted { total, .. } => Some(total),
            _ => None,
        },
        Some(_) => None,
    };
    let (mut seg, mut inner) = parse(cursor);
    loop {
        let Some(part) = src.segment(seg) else {
            return Ok(listed(req, Vec::new(), None, total, false));
        };
        let Event::TicketsListed {
            tickets,
            next_after,
            capped,
            ..
        } = search_page(client, req, &part, inner, properties.clone()).await?
        else {
            return Ok(listed(req, Vec::new(), None, total, false));
        };
        let last = seg + 1 >= src.segments();
        let next = match next_after {
            Some(n) => Some(format!("o{seg}:{n}")),
            None if last || capped => None,
            None if tickets.is_empty() => {
                seg += 1;
                inner = None;
                continue;
            }
            None => Some(format!("o{}", seg + 1)),
        };
        return Ok(listed(req, tickets, next, total, capped));
    }
}

/// The view's search without the option order: what its total counts.
fn unordered(src: &SearchSource) -> SearchSource {
    SearchSource {
        option_order: None,
        ..src.clone()
    }
}

fn listed(
    req: ReqId,
    tickets: Vec<crate::domain::Ticket>,
    next_after: Option<String>,
    total: Option<u64>,
    capped: bool,
) -> Event {
    Event::TicketsListed {
        req,
        tickets,
        next_after,
        total,
        capped,
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn cursors_name_the_segment_and_the_place_in_it() {
        assert_eq!(parse(None), (0, None));
        assert_eq!(parse(Some("o2")), (2, None));
        assert_eq!(parse(Some("o2:")), (2, None));
        assert_eq!(parse(Some("o1:200")), (1, Some("200")));
        assert_eq!(parse(Some("o3:k1234+200")), (3, Some("k1234+200")));
    }
}
