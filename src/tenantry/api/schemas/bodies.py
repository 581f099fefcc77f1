"""OpenAPI schemas of the bodies the agreement, order, subscription and user routes read
(the routes parse them by hand, as `api/openapi.py` explains)."""

from __future__ import annotations

from typing import Any

_TEXT: dict[str, Any] = {"type": ["string", "null"]}
_INT: dict[str, Any] = {"type": ["integer", "null"]}

AGREEMENT: dict[str, Any] = {
    "title": "Agreement",
    "type": "object",
    "properties": {
        "primaryContact": {
            "type": "object",
            "properties": dict.fromkeys(("firstName", "lastName", "email", "phoneNumber"), _TEXT),
        },
        "templateId": _TEXT,
        "dateAgreed": _TEXT,
        "type": _TEXT,
    },
}

ORDER: dict[str, Any] = {
    "title": "Order",
    "type": "object",
    "properties": {
        "referenceCustomerId": _TEXT,
        "lineItems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "lineItemNumber": _INT,
                    "offerId": _TEXT,
                    "quantity": _INT,
                    "friendlyName": _TEXT,
                    "partnerIdOnRecord": _TEXT,
                },
            },
        },
    },
}

SUBSCRIPTION: dict[str, Any] = {
    "title": "Subscription",
    "type": "object",
    "properties": {
        "id": _TEXT,
        "offerId": _TEXT,
        "orderId": _TEXT,
        "friendlyName": _TEXT,
        "quantity": _INT,
        "status": _TEXT,
    },
}

CUSTOMER_USER: dict[str, Any] = {
    "title": "CustomerUser",
    "type": "object",
    "properties": {
        **dict.fromkeys(
            ("userPrincipalName", "displayName", "firstName", "lastName", "usageLocation"),
            _TEXT,
        ),
        "passwordProfile": {
            "type": "object",
            "properties": {
                "password": _TEXT,
                "forceChangePassword": {"type": ["boolean", "null"]},
            },
        },
    },
}
