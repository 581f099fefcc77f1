"""Partner Center's collection envelope: `{totalCount, items, links, attributes}`."""

from __future__ import annotations

from typing import Any

from tenantry.http.wire import link


def collection_wire(
    items: list[dict[str, Any]],
    self_uri: str,
    *,
    next_uri: str | None = None,
    continuation_token: str | None = None,
) -> dict[str, Any]:
    """`totalCount` is the number of items in this page, as Partner Center counts it."""
    links: dict[str, Any] = {"self": link(self_uri)}
    body: dict[str, Any] = {"totalCount": len(items), "items": items}
    if next_uri is not None and continuation_token is not None:
        links["next"] = {
            "uri": next_uri,
            "method": "GET",
            "headers": [{"key": "MS-ContinuationToken", "value": continuation_token}],
        }
        body["links"] = links
        body["continuationToken"] = continuation_token
    else:
        body["links"] = links
    body["attributes"] = {"objectType": "Collection"}
    return body
