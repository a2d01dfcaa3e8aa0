"""Drives the platform through the client openapi-python-client generated from its schema (scripts/api_client_check.sh
runs it in a scratch virtualenv holding only that client): what an integrator's first program would do.

    python scripts/api_client_smoke.py BASE_URL TOKEN

As the lead coordinator: lists institutions and follows the next page, reads one; takes an open ledger item, reads
its inspection for the team and records a failed recheck (→ 整改中; its version moves on, and the same stale version
is then refused with code stale_version). As the public, without a token: searches the portal. Exits non-zero with a
message on the first surprise."""

from __future__ import annotations

import sys
from http import HTTPStatus

from jianguan_api_client import AuthenticatedClient, Client
from jianguan_api_client.api.inspections import inspection_get
from jianguan_api_client.api.institutions import institution_get, institutions_list
from jianguan_api_client.api.ledger import ledger_item_get, ledger_item_recheck, ledger_items_list
from jianguan_api_client.api.public import public_institutions_list
from jianguan_api_client.models import ErrorOut, RecheckIn


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"api client check FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def main(base_url: str, token: str) -> None:
    staff = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True, timeout=30)

    first = institutions_list.sync(client=staff, limit=2)
    check(first is not None and not isinstance(first, ErrorOut), f"institutions_list answered {first!r}")
    check(first.count > 2 and len(first.items) == 2, f"2 of {first.count} institutions expected")
    check(isinstance(first.next_, str) and "offset=2" in first.next_, f"next page link: {first.next_!r}")
    second = institutions_list.sync(client=staff, limit=2, offset=2)
    check({i.id for i in second.items}.isdisjoint({i.id for i in first.items}), "the second page repeats the first")

    detail = institution_get.sync(first.items[0].id, client=staff)
    check(detail is not None and detail.id == first.items[0].id, "institution_get did not return the institution")
    print(f"institutions: {first.count}; first: #{detail.id} {detail.name} ({detail.licence_label})")

    items = ledger_items_list.sync(client=staff, status="open", limit=5)
    check(items is not None and items.count > 0, "no open ledger item to recheck")
    item = ledger_item_get.sync(items.items[0].id, client=staff)
    check("ledger_item_recheck" in item.actions, f"recheck not among the item's actions: {item.actions}")
    team = [o.user_id for o in inspection_get.sync(item.inspection_id, client=staff).officers][:2]
    body = RecheckIn(passed=False, note="复查：整改尚未完成（接口客户端检查）", officer_ids=team, version=item.version)
    after = ledger_item_recheck.sync(item.id, client=staff, body=body)
    check(isinstance(after, type(item)) and after.version > item.version, f"recheck answered {after!r}")
    check(after.status == "in_progress", f"status after a failed recheck: {after.status}")
    stale = ledger_item_recheck.sync_detailed(item.id, client=staff, body=body)
    check(stale.status_code == HTTPStatus.CONFLICT, f"a stale version answered {stale.status_code}")
    check(isinstance(stale.parsed, ErrorOut) and stale.parsed.code == "stale_version", f"stale: {stale.parsed!r}")
    print(f"ledger item #{item.id}: {item.status} → {after.status}, version {item.version} → {after.version}")

    public = Client(base_url=base_url, raise_on_unexpected_status=True, timeout=30)
    found = public_institutions_list.sync(client=public, q=detail.name[:2], limit=5)
    check(found is not None and found.count > 0, f"public search for {detail.name[:2]!r} found nothing")
    print(f"public search '{detail.name[:2]}': {found.count} found")
    print("api client check passed")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
