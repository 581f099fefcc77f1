"""client/README.md's tour (create → confirm agreement → order → list subscriptions →
rename → add a user), run verbatim as a script against the live server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tenantry_client import PartnerClient

from tests.client.test_cli_after_create import _user_token
from tests.support.server import LiveServer

README = Path(__file__).resolve().parents[2] / "client" / "README.md"
DOCUMENTED_URL = "http://127.0.0.1:8000"


def test_the_readme_tour_runs_verbatim(server: LiveServer, tmp_path: Path) -> None:
    (block,) = re.findall(
        r"<!-- tour -->\n```python\n(.*?)```\n<!-- /tour -->", README.read_text(), re.DOTALL
    )
    script = tmp_path / "tour.py"
    script.write_text(block.replace(DOCUMENTED_URL, server.base_url), encoding="utf-8")
    assert block.count(DOCUMENTED_URL) == 1  # only the address differs from the README
    token = _user_token(server)
    env = {**os.environ, "TENANTRY_TOKEN": token}

    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120,
        check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    subscription_line, user_line = done.stdout.splitlines()
    user_id, upn = user_line.split(" ")
    customer_id = None
    with PartnerClient(token, base_url=server.base_url) as client:
        for customer in client.customers.search(domain=upn.partition("@")[2]):
            customer_id = customer.id
        assert customer_id is not None
        (subscription,) = client.subscriptions.list(customer_id)
        assert subscription_line == f"{subscription.id} Microsoft 365 Business Basic 5"
        assert subscription.friendly_name == "Sales team"
        assert len(client.orders.list(customer_id)) == 1
        assert len(client.agreements.list(customer_id)) == 1
        assert client.users.get(customer_id, user_id).user_principal_name == upn
