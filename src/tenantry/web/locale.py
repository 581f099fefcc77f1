"""Which language a page speaks: `ui_locales` if given, else the browser's Accept-Language.

Pages speak en-US, zh-CN and zh-TW. Any Chinese variant is mapped to the script it is
written in: Traditional for Taiwan, Hong Kong, Macao and `zh-Hant`, Simplified otherwise.
"""

from __future__ import annotations

from tenantry.http.i18n import DEFAULT_LOCALE, translate
from tenantry.http.names import babel_locale

LANGUAGES = (("en-US", "English"), ("zh-CN", "简体中文"), ("zh-TW", "繁體中文"))
_TRADITIONAL = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")


def _supported(tag: str) -> str | None:
    tag = tag.strip().replace("_", "-").lower()
    if tag == "en" or tag.startswith("en-"):
        return DEFAULT_LOCALE
    if tag == "zh" or tag.startswith("zh-"):
        return "zh-TW" if tag.startswith(_TRADITIONAL) else "zh-CN"
    return None


def _weighted(header: str) -> list[tuple[float, int, str]]:
    ranked = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag.strip() and weight > 0:
            ranked.append((-weight, position, tag))
    return sorted(ranked)


def negotiate(ui_locales: str | None, accept_language: str | None) -> str:
    for tag in (ui_locales or "").split()[:8]:
        if found := _supported(tag):
            return found
    for _, _, tag in _weighted(accept_language or ""):
        if found := _supported(tag):
            return found
    return DEFAULT_LOCALE


class Translator:
    """`_` for templates and handlers: the page's language, English when a text is missing."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, message: str, **values: object) -> str:
        text = translate(self.locale, message)
        return text % values if values else text

    def plural(self, one: str, other: str, count: int, **values: object) -> str:
        """`one` or `other` by the language's plural rule (CLDR, through Babel): English
        says "1 license" and "2 licenses"; Chinese has a single form, the `other` one."""
        form = babel_locale(self.locale).plural_form(count)
        return self(one if form == "one" else other, count=count, **values)
