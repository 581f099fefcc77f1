"""Tenantry: a wire-compatible Partner Center customer API."""
