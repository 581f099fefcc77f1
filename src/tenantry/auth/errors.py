"""The refusal an operator sees: a command-line use case that cannot be carried out."""

from __future__ import annotations


class AdministrationError(Exception):
    """An operator's request (partners, signing keys, tokens) that cannot be carried out;
    the message says why and is shown to the operator as it is."""
