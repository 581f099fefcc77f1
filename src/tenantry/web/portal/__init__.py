"""The partner portal: sign-in, the customer list and detail, and the Add customer wizard.

Its routers are imported by `routers()`, which the application calls at the first request
under `/portal` (`tenantry.http.lazy_routes`), not when the server starts.
"""

from __future__ import annotations

from fastapi import APIRouter

PREFIX = "/portal"


def routers() -> tuple[APIRouter, ...]:
    """The portal's routers, in matching order: the wizard's fixed paths come before the
    customer page's `/portal/customers/{id}`; the "no such page" page comes last."""
    from tenantry.web.portal.confirmation import router as confirmation_router
    from tenantry.web.portal.customers import router as customers_router
    from tenantry.web.portal.domains import router as domains_router
    from tenantry.web.portal.missing import router as missing_router
    from tenantry.web.portal.signin import router as signin_router
    from tenantry.web.portal.wizard import router as wizard_router

    return (
        signin_router,
        wizard_router,
        confirmation_router,
        domains_router,
        customers_router,
        missing_router,
    )


__all__ = ["PREFIX", "routers"]
