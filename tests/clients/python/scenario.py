"""HubSpot's official Python client (hubspot-api-client) through its own methods against
`hubtix sandbox`: the full ticket scenario of issue 15. Run by tests/official_clients.rs.

    python scenario.py BASE_URL TOKEN

Exits 0 when every step did what HubSpot documents; otherwise prints the failed step and
exits 1. Steps print one line each on stdout ("ok <step>") so a failure reads in context.
"""
import logging
import sys
import time
from datetime import datetime, timezone

from hubspot import HubSpot
from hubspot.crm.tickets import ApiException as TicketsApiException
from urllib3.util.retry import Retry

BASE_URL, TOKEN = sys.argv[1:3]
STAMP = format(int(time.time() * 1000), "x")

# The client's own retry (`retry=`, a urllib3 Retry handed to every API client). Search is a
# POST, which urllib3 does not retry by default: `allowed_methods=None` allows every method.
RETRY = Retry(total=6, status_forcelist=(429,), allowed_methods=None, backoff_factor=0.5)
client = HubSpot(access_token=TOKEN, host=BASE_URL, retry=RETRY)


class RetryCounter(logging.Handler):
    """Counts the status retries urllib3 makes ("Retry: <url>" at DEBUG)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if record.getMessage().startswith("Retry:"):
            self.count += 1


RETRIES = RetryCounter()
_pool_log = logging.getLogger("urllib3.connectionpool")
_pool_log.setLevel(logging.DEBUG)
_pool_log.addHandler(RETRIES)
_pool_log.propagate = False


def check(cond, what):
    if not cond:
        raise AssertionError(f"check failed: {what}")


def step(name, fn):
    try:
        out = fn()
    except Exception as e:  # noqa: BLE001 - the step's name goes with any failure
        status = getattr(e, "status", None)
        body = getattr(e, "body", None)
        print(f"FAILED {name}: {type(e).__name__} status={status} {e} body={body}", flush=True)
        raise
    print(f"ok {name}", flush=True)
    return out


def status_of(fn):
    """The HTTP status of the ApiException a call raises (fails when it does not raise)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every API package has its own ApiException
        status = getattr(e, "status", None)
        check(isinstance(status, int), f"an ApiException with a status, got {e!r}")
        return status
    raise AssertionError("the call succeeded where an error was expected")


tickets = client.crm.tickets
REF = f"scenario_ref_{STAMP}"


def pipelines():
    all_ = client.crm.pipelines.pipelines_api.get_all(object_type="tickets")
    check(len(all_.results) > 0, "at least one ticket pipeline")
    p = all_.results[0]
    check(len(p.stages) >= 2, "the pipeline has stages")
    return p


def properties():
    created = client.crm.properties.core_api.create(
        object_type="tickets",
        property_create={
            "name": REF,
            "label": "Scenario reference",
            "type": "string",
            "fieldType": "text",
            "groupName": "ticketinformation",
            "hasUniqueValue": True,
        },
    )
    check(created.name == REF and created.has_unique_value is True, "created as unique")
    check(client.crm.properties.core_api.get_by_name("tickets", REF).name == REF, "read by name")
    names = [p.name for p in client.crm.properties.core_api.get_all("tickets").results]
    check(REF in names, "listed")


def contacts():
    page = client.crm.contacts.basic_api.get_page(limit=2)
    check(len(page.results) == 2, "two contacts")
    return page.results


def create(pipeline, contact):
    out = []
    for i in range(3):
        out.append(
            tickets.basic_api.create(
                simple_public_object_input_for_create={
                    "properties": {
                        "subject": f"Python scenario {STAMP} #{i}",
                        "content": "Created by the official Python client",
                        "hs_pipeline": pipeline.id,
                        "hs_pipeline_stage": pipeline.stages[0].id,
                        "hs_ticket_priority": "HIGH",
                        REF: f"P-{STAMP}-{i}",
                    },
                    "associations": [
                        {
                            "to": {"id": contact.id},
                            "types": [
                                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}
                            ],
                        }
                    ],
                }
            )
        )
    check(all(t.id and t.properties["subject"].startswith("Python scenario") for t in out), "ids")
    return out


def get_with_history(a, contact):
    got = tickets.basic_api.get_by_id(
        a.id,
        properties=["subject", "hs_pipeline_stage", "hs_resolution"],
        properties_with_history=["hs_pipeline_stage"],
        associations=["contacts"],
    )
    check(got.properties["subject"] == a.properties["subject"], "subject")
    # Requested but empty: HubSpot answers null (API-NOTES §1), which the client reads as None.
    check(got.properties.get("hs_resolution", "absent") is None, "an empty property is null")
    check(len(got.properties_with_history["hs_pipeline_stage"]) >= 1, "history")
    assoc = [r.id for r in got.associations["contacts"].results]
    check(contact.id in assoc, f"associated contact, got {assoc}")


def paging():
    first = tickets.basic_api.get_page(limit=5, properties=["subject"])
    check(len(first.results) == 5 and first.paging.next.after, "a first page and a cursor")
    second = tickets.basic_api.get_page(limit=5, after=first.paging.next.after, properties=["subject"])
    seen = {r.id for r in first.results}
    check(all(r.id not in seen for r in second.results), "the second page goes on")
    everything = tickets.get_all(properties=["subject"])
    check(len({t.id for t in everything}) == len(everything) >= 10, "get_all pages to the end")


def batch_read(a, b):
    out = tickets.batch_api.read(
        batch_read_input_simple_public_object_id={
            "inputs": [{"id": f"P-{STAMP}-0"}, {"id": f"P-{STAMP}-1"}],
            "properties": ["subject", REF],
            "propertiesWithHistory": [],
            "idProperty": REF,
        }
    )
    ids = sorted(r.id for r in out.results)
    check(ids == sorted([a.id, b.id]), f"found by {REF}: {ids}")


def update(a, pipeline):
    out = tickets.basic_api.update(
        a.id, simple_public_object_input={"properties": {"hs_pipeline_stage": pipeline.stages[1].id}}
    )
    check(out.properties["hs_pipeline_stage"] == pipeline.stages[1].id, "stage moved")


def batch_update(b, c):
    out = tickets.batch_api.update(
        batch_input_simple_public_object_batch_input={
            "inputs": [
                {"id": b.id, "properties": {"hs_ticket_priority": "LOW"}},
                {"id": c.id, "properties": {"hs_ticket_priority": "MEDIUM"}},
            ]
        }
    )
    check(len(out.results) == 2, "two updated")


def search():
    out = tickets.search_api.do_search(
        public_object_search_request={
            "filterGroups": [{"filters": [{"propertyName": REF, "operator": "HAS_PROPERTY"}]}],
            "properties": ["subject", REF],
            "sorts": ["hs_object_id"],
            "limit": 10,
            "after": "0",
        }
    )
    check(out.total == 3, f"three tickets carry {REF}, got {out.total}")


def associations_v4(b, contact):
    v4 = client.crm.associations.v4
    labels = v4.schema.definitions_api.get_all("tickets", "contacts").results
    check(any(l.type_id == 16 for l in labels), "the default ticket→contact type")
    labelled = next((l for l in labels if l.label), labels[0])
    v4.basic_api.create(
        "tickets",
        b.id,
        "contacts",
        contact.id,
        association_spec=[
            {"associationCategory": labelled.category, "associationTypeId": labelled.type_id}
        ],
    )
    page = v4.basic_api.get_page("tickets", b.id, "contacts")
    edge = next((r for r in page.results if str(r.to_object_id) == str(contact.id)), None)
    check(edge and any(t.type_id == labelled.type_id for t in edge.association_types), "labelled edge")
    v4.basic_api.archive("tickets", b.id, "contacts", contact.id)
    after = v4.basic_api.get_page("tickets", b.id, "contacts")
    check(all(str(r.to_object_id) != str(contact.id) for r in after.results), "removed")


def pin(a):
    note = client.crm.objects.notes.basic_api.create(
        simple_public_object_input_for_create={
            "properties": {
                "hs_note_body": "Pinned by the Python scenario",
                "hs_timestamp": datetime.now(timezone.utc).isoformat(),
            },
            "associations": [
                {
                    "to": {"id": a.id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 228}],
                }
            ],
        }
    )
    out = tickets.basic_api.update(
        a.id, simple_public_object_input={"properties": {"hs_pinned_engagement_id": note.id}}
    )
    check(out.properties["hs_pinned_engagement_id"] == note.id, "pinned")


def merge(b, c):
    merged = tickets.basic_api.merge(
        public_merge_input={"primaryObjectId": b.id, "objectIdToMerge": c.id}
    )
    check(merged.id, "the merged ticket")
    check(tickets.basic_api.get_by_id(c.id).id == merged.id, "the old ID reads the merged ticket")


def archive(a):
    tickets.basic_api.archive(a.id)
    check(status_of(lambda: tickets.basic_api.get_by_id(a.id)) == 404, "gone after archive")


def errors_4xx():
    bad = {"properties": {"hs_ticket_priority": "NOT_A_PRIORITY"}, "associations": []}
    check(
        status_of(lambda: tickets.basic_api.create(simple_public_object_input_for_create=bad)) == 400,
        "400 for an invalid option",
    )
    stranger = HubSpot(access_token="wrong-token", host=BASE_URL)
    check(status_of(lambda: stranger.crm.tickets.basic_api.get_page(limit=1)) == 401, "401")
    check(status_of(lambda: tickets.basic_api.get_by_id("999999999")) == 404, "404")
    check(issubclass(TicketsApiException, Exception), "the package's ApiException")


def errors_429():
    # Search allows 5 requests a second; 12 in a row exceed it. The client's Retry waits and
    # tries again until each succeeds; the counter proves 429s were met and retried.
    before = RETRIES.count
    for _ in range(12):
        out = tickets.search_api.do_search(
            public_object_search_request={"filterGroups": [], "limit": 1, "after": "0"}
        )
        check(out.total > 0, "a search answered")
    check(RETRIES.count > before, "the sandbox refused some searches with 429 and they were retried")


def main():
    pipeline = step("pipelines", pipelines)
    step("properties: create a unique property, read it back", properties)
    contact = step("contacts: two to associate", contacts)
    a, b, c = step("create with associations", lambda: create(pipeline, contact[0]))
    step("get with history and associations", lambda: get_with_history(a, contact[0]))
    step("paging", paging)
    step("batch read by idProperty of the created property", lambda: batch_read(a, b))
    step("update", lambda: update(a, pipeline))
    step("batch update", lambda: batch_update(b, c))
    step("search", search)
    step("v4 associations and labels", lambda: associations_v4(b, contact[1]))
    step("pin a note (hs_pinned_engagement_id)", lambda: pin(a))
    step("merge", lambda: merge(b, c))
    step("archive", lambda: archive(a))
    step("errors: 400, 401, 404", errors_4xx)
    step("errors: 429 on search, absorbed by the client retry", errors_429)


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001
        logging.exception("scenario failed")
        sys.exit(1)
