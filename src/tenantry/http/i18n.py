"""Error descriptions in the caller's language (`X-Locale`): en-US, zh-CN and zh-TW.

Message ids are the English templates; translations live in gettext `.po` catalogs under
`tenantry/locales/`, read once with Babel. A missing translation falls back to English.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

DEFAULT_LOCALE = "en-US"
SUPPORTED = {"en-us": "en-US", "zh-cn": "zh-CN", "zh-tw": "zh-TW"}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def pick_locale(header: str | None) -> str:
    """The supported locale named by `X-Locale`; anything else means en-US."""
    if not header:
        return DEFAULT_LOCALE
    return SUPPORTED.get(header.strip().replace("_", "-").lower(), DEFAULT_LOCALE)


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid → translation for one locale (empty for English)."""
    if locale == DEFAULT_LOCALE:
        return {}
    path = LOCALES_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "tenantry.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle)
    return {str(m.id): str(m.string) for m in po if m.id and isinstance(m.string, str) and m.string}


def translate(locale: str, message: str) -> str:
    return catalog(locale).get(message, message)
