"""HubSpot's official Python client listing every ticket with `get_all`, as a baseline.

Usage: python bench/python_get_all.py BASE_URL TOKEN OUT_FILE
Writes one JSON record per line, like `hubtix tickets list --all --output jsonl`.
"""
import json
import sys

from hubspot import HubSpot


def main() -> None:
    base_url, token, out_path = sys.argv[1:4]
    client = HubSpot(access_token=token, host=base_url)
    tickets = client.crm.tickets.get_all()
    with open(out_path, "w", encoding="utf-8") as out:
        for t in tickets:
            out.write(json.dumps(t.to_dict(), default=str, ensure_ascii=False))
            out.write("\n")
    print(len(tickets), file=sys.stderr)


if __name__ == "__main__":
    main()
