"""`tenantry audit`: operator changes made at the command line, read back at the command
line, with the operating-system user as the actor."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from tenantry.security.keys import generate_master_key
from tests.support.process import tenantry

ENV = {"TENANTRY_MASTER_KEY": generate_master_key()}  # the tools never make one


def _ok(*args: str) -> str:
    done = tenantry(*args, env=ENV)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_operator_changes_are_listed_newest_first(tmp_path: Path) -> None:
    where = ("--data-dir", str(tmp_path))
    _ok("db", "upgrade", *where)
    partner = _ok(
        "partners",
        "create",
        "--name",
        "Fabrikam",
        "--type",
        "direct_bill",
        "--country",
        "US",
        *where,
    ).strip()
    app = _ok("partners", "add-app", partner, *where)
    secret = app.split("client secret:")[1].split()[0]
    client_id = app.split("client id:")[1].split()[0]
    rotated = _ok("partners", "rotate-secret", client_id, "--overlap-hours", "0", *where)
    new_secret = rotated.split("client secret:")[1].split()[0]
    _ok("keys", "rotate", *where)

    lines = _ok("audit", "--json", *where).splitlines()
    events = [json.loads(line) for line in lines]

    assert [e["action"] for e in events] == [
        "signingKey.rotated",
        "partner.app.secretRotated",
        "partner.app.added",
        "partner.created",
    ]
    assert {(e["actorType"], e["actorId"]) for e in events} == {("operator", getpass.getuser())}
    assert all(e["requestId"] is None for e in events)
    assert events[3]["targetId"] == partner
    assert events[1]["targetId"] == client_id
    assert secret not in "\n".join(lines)
    assert new_secret not in "\n".join(lines)


def test_filters_and_the_text_listing(tmp_path: Path) -> None:
    where = ("--data-dir", str(tmp_path))
    _ok("db", "upgrade", *where)
    first = _ok(
        "partners", "create", "--name", "A", "--type", "direct_bill", "--country", "US", *where
    ).strip()
    _ok("partners", "create", "--name", "B", "--type", "direct_bill", "--country", "GB", *where)

    only = _ok("audit", "--partner", first, *where).splitlines()
    assert len(only) == 1
    assert "partner.created" in only[0]
    assert first in only[0]
    assert len(_ok("audit", "--limit", "1", *where).splitlines()) == 1
    assert _ok("audit", "--action", "customer.created", *where) == ""
    assert _ok("audit", "--since", "2999-01-01", *where) == ""


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    for args in (("--limit", "0"), ("--since", "someday")):
        done = tenantry("audit", *args, "--data-dir", str(tmp_path))
        assert done.returncode == 2
        assert done.stderr.startswith("tenantry: ")
