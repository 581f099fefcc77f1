"""Every text a page shows is translated into Simplified and Traditional Chinese."""

from __future__ import annotations

import re

import pytest

from tenantry.http.i18n import catalog
from tenantry.web import signin
from tenantry.web.pages import TEMPLATES
from tenantry.web.portal.messages import MESSAGES as PORTAL_MESSAGES

_CALL = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")


def page_texts() -> set[str]:
    """Texts marked `_("…")` in the templates, and the sign-in page's and the portal's
    messages."""
    texts = set(signin.MESSAGES.values()) | set(PORTAL_MESSAGES.values())
    for template in TEMPLATES.glob("*.html"):
        for match in _CALL.finditer(template.read_text(encoding="utf-8")):
            texts.add(match.group(1) or match.group(2))
    return texts


def test_the_templates_mark_texts_for_translation() -> None:
    assert {"Sign in", "Password", "Verification code"} <= page_texts()


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW"])
def test_every_page_text_has_a_translation(locale: str) -> None:
    missing = sorted(text for text in page_texts() if text not in catalog(locale))
    assert missing == [], f"{locale} catalog lacks: {missing}"


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW"])
def test_translations_keep_their_placeholders(locale: str) -> None:
    for text in page_texts():
        wanted = sorted(re.findall(r"%\(\w+\)s", text))
        assert sorted(re.findall(r"%\(\w+\)s", catalog(locale)[text])) == wanted, text
