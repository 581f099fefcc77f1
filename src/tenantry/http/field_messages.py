"""A field problem as a sentence for people: in the page's language, naming the field by its
label, with an example of what is expected, and with names where the rules carry codes.

The create rules (`domain/rules/`) describe a problem with an English reason and its
parameters (a country code, a pattern, a library's message). `sentence` turns one into a
full sentence: the portal shows it beside the field, and the API uses it for `description`
and `data` under a Chinese `X-Locale`. No regular expression and no library text is shown:
a postal-code pattern becomes an example postal code of the country, an e-mail library's
reason becomes one of ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from tenantry.domain.errors import Errors, FieldProblem, fill
from tenantry.domain.rules import fields
from tenantry.domain.rules.addresses import address_rules
from tenantry.domain.rules.locales import data_region
from tenantry.http.i18n import translate
from tenantry.http.names import country_name, culture_name, language_name, state_name

# Field labels: the portal's own labels, so a message names the field the page shows.
LABELS = {
    fields.COMPANY_NAME: "Company name",
    fields.DOMAIN: "Domain prefix",
    fields.REGISTRATION_NUMBER: "Organization registration number",
    fields.FIRST_NAME: "First name",
    fields.LAST_NAME: "Last name",
    fields.EMAIL: "Email",
    fields.PHONE_NUMBER: "Phone number",
    fields.CULTURE: "Culture",
    fields.LANGUAGE: "Language",
    fields.COUNTRY: "Country/region",
    fields.ADDRESS_LINE1: "Address line 1",
    fields.ADDRESS_LINE2: "Address line 2",
    fields.CITY: "City",
    fields.STATE: "State or region",
    fields.POSTAL_CODE: "Postal code",
    "friendlyName": "Friendly name",  # a subscription's name
}
_STATE_LABELS = {"US": "State", "CN": "Province", "CA": "Province"}

# Examples of a valid value, where the country does not supply one.
EXAMPLES = {
    fields.COMPANY_NAME: "Contoso Ltd",
    fields.DOMAIN: "contoso",
    fields.FIRST_NAME: "Avery",
    fields.LAST_NAME: "Lee",
    fields.EMAIL: "name@contoso.com",
    fields.ADDRESS_LINE1: "1 Main Street",
    fields.CITY: "Springfield",
}

SENTENCES = {
    "required": "{label} is required. Example: {example}.",
    "required_plain": "{label} is required.",
    "required_in": "{label} is required for addresses in {country}. Example: {example}.",
    "required_for": "{label} is required for customers in {country}. Example: {example}.",
    "required_choose": "{label} is required for addresses in {country}. Choose one from the list.",
    "state_unknown": (
        "{label} '{value}' is not one of the choices for {country}. Choose one from the list."
    ),
    "postal_format": (
        "{label} '{value}' does not have the format used in {country}. Example: {example}."
    ),
    "postal_state": "{label} '{value}' does not belong to {state}. Check both fields.",
    "email": "{label} '{value}' is not a valid email address: {why} Example: {example}.",
    "phone": "{label} '{value}' is not a possible phone number in {country}. Example: {example}.",
    "registration": "{label} is not valid for {country}. Example: {example}.",
    "domain": (
        "{label} '{value}' is not valid: use 1 to 27 letters and digits, without spaces "
        "or dots. Example: {example}."
    ),
    "length": "{label} must be {min} to {max} characters long.",
    "choice": "{label} '{value}' is not available for {country}. Choose one of: {choices}.",
    "country": "{label} '{value}' is not a country or region known to Partner Center.",
    "company": "{label} '{value}' is not accepted: it {why}.",
    "other": "{label}: {why}.",
}

# Our own reasons for the e-mail library's messages (matched by a word they contain).
EMAIL_REASONS = {
    "at": "it needs one @-sign between the name and the domain.",
    "after": "the part after the @-sign must be a domain name with a dot.",
    "before": "the part before the @-sign has characters that are not allowed.",
    "microsoft": "an address at microsoft.com cannot be a customer's contact.",
    "other": "it is not written like name@domain.",
}
_EMAIL_CLUES = (
    ("must have an @-sign", "at"),
    ("in a row", "other"),
    ("something before the @-sign", "before"),
    ("before the @-sign", "before"),
    ("microsoft.com", "microsoft"),
    ("after the @-sign", "after"),
    ("@-sign", "at"),
    ("period", "after"),
    ("domain", "after"),
)
_EXAMPLE_IN_FORMAT = re.compile(r"e\.g\. ([^\s)]+)")


def label(locale: str, path: str, country: str = "") -> str:
    """The field's label in the page's language (state and postal code by country)."""
    english = LABELS.get(path, path.rsplit(".", 1)[-1])
    if path == fields.STATE:
        english = _STATE_LABELS.get(country.upper(), english)
    if path == fields.POSTAL_CODE and country.upper() == "US":
        english = "ZIP code"
    return translate(locale, english)


def speaks_of(problem: FieldProblem) -> bool:
    """True for a problem with a field of the create form, which `sentence` can name."""
    return problem.path in LABELS and problem.spec.code != Errors.MALFORMED_REQUEST.code


def sentence(locale: str, problem: FieldProblem, country: str = "") -> str:
    """One problem as a full sentence in `locale` (see the module's docstring)."""
    p: Mapping[str, object] = problem.params
    country = str(p.get("country") or country or "").upper()
    name = label(locale, problem.path, country)

    def say(key: str, **values: object) -> str:
        text = fill(translate(locale, SENTENCES[key]), {"label": name, **values})
        return text[0].upper() + text[1:] if text and text[0].isascii() else text

    maker = _MAKERS.get(problem.spec.code)
    if maker is not None:
        made = maker(locale, problem, country, say)
        if made is not None:
            return made
    why = fill(translate(locale, problem.reason), p).rstrip(".")
    return say("other", why=why)


Say = Callable[..., str]


def _required(locale: str, problem: FieldProblem, country: str, say: Say) -> str | None:
    example = EXAMPLES.get(problem.path)
    return say("required", example=example) if example else say("required_plain")


def _address(locale: str, problem: FieldProblem, country: str, say: Say) -> str | None:
    p = problem.params
    place = _in_sentence(locale, country)
    if problem.reason == "is required for {country}" and problem.path == fields.STATE:
        return say("required_choose", country=place)
    if problem.reason == "is required for {country}":
        return say("required_in", country=place, example=_address_example(problem.path, country))
    if problem.path == fields.STATE:
        return say("state_unknown", value=p.get("state", ""), country=place)
    if "format" in problem.reason:
        example = _address_example(fields.POSTAL_CODE, country)
        return say("postal_format", value=p.get("postal_code", ""), country=place, example=example)
    if problem.path == fields.POSTAL_CODE:
        state = state_name(locale, country, str(p.get("state", "")))
        return say("postal_state", value=p.get("postal_code", ""), state=state)
    return None


def _in_sentence(locale: str, country: str) -> str:
    """A country's name as it reads inside a sentence ("the United States" in English)."""
    name = country_name(locale, country)
    if locale.startswith("en") and (name.startswith("United ") or name.endswith(_PLURAL_ENDINGS)):
        return "the " + name
    return name


_PLURAL_ENDINGS = ("Islands", "Netherlands", "Philippines", "Bahamas", "Maldives", "Republic")


def _address_example(path: str, country: str) -> str:
    if path == fields.POSTAL_CODE:
        examples = address_rules(country).postal_code_examples if country else ()
        return examples[0] if examples else "98052"
    if path == fields.STATE:
        states = address_rules(country).states if country else ()
        return states[0] if states else "WA"
    return EXAMPLES.get(path, "")


def _email(locale: str, problem: FieldProblem, country: str, say: Say) -> str:
    reason = str(problem.params.get("reason", ""))
    kind = next((key for clue, key in _EMAIL_CLUES if clue in reason), "other")
    why = translate(locale, EMAIL_REASONS[kind])
    value = problem.params.get("email", "")
    return say("email", value=value, why=why, example=EXAMPLES[fields.EMAIL])


def _phone(locale: str, problem: FieldProblem, country: str, say: Say) -> str:
    example = phone_example(country)
    place = _in_sentence(locale, country)
    if problem.spec.code == Errors.PHONE_NUMBER_MISSING.code:
        return say("required_for", country=place, example=example)
    return say("phone", value=problem.params.get("phone", ""), country=place, example=example)


def phone_example(country: str) -> str:
    """An example phone number of the country, written internationally."""
    import phonenumbers  # here, not at start-up: only a phone problem's message needs it

    number = phonenumbers.example_number(data_region(country)) if country else None
    if number is None:
        return "+1 425 555 0100"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _registration(locale: str, problem: FieldProblem, country: str, say: Say) -> str:
    found = _EXAMPLE_IN_FORMAT.search(str(problem.params.get("pattern") or ""))
    example = found.group(1) if found else "12345678"
    place = _in_sentence(locale, country)
    if problem.spec.code == Errors.REGISTRATION_NUMBER_MISSING.code:
        return say("required_for", country=place, example=example)
    return say("registration", country=place, example=example)


def _domain(locale: str, problem: FieldProblem, country: str, say: Say) -> str:
    value = str(problem.params.get("domain", "")).removesuffix(str(problem.params.get("suffix")))
    return say("domain", value=value, example=EXAMPLES[fields.DOMAIN])


def _length(locale: str, problem: FieldProblem, country: str, say: Say) -> str:
    return say("length", min=problem.params.get("min"), max=problem.params.get("max"))


def _choice(locale: str, problem: FieldProblem, country: str, say: Say) -> str:
    p = problem.params
    is_culture = problem.spec.code == Errors.CULTURE_UNSUPPORTED.code
    name_of = culture_name if is_culture else language_name
    choices = [name_of(locale, c.strip()) for c in str(p.get("supported", "")).split(",")]
    value = p.get("culture" if is_culture else "language", "")
    separator = "、" if locale.startswith("zh") else ", "
    return say(
        "choice",
        value=value,
        country=_in_sentence(locale, country),
        choices=separator.join(choices),
    )


def _country(locale: str, problem: FieldProblem, country: str, say: Say) -> str:
    return say("country", value=problem.params.get("country", ""))


def _company(locale: str, problem: FieldProblem, country: str, say: Say) -> str:
    why = translate(locale, problem.reason)
    return say("company", value=problem.params.get("company_name", ""), why=why)


_MAKERS: dict[int, Callable[[str, FieldProblem, str, Say], str | None]] = {
    Errors.REQUIRED_FIELD_MISSING.code: _required,
    Errors.ADDRESS_INVALID.code: _address,
    Errors.EMAIL_INVALID.code: _email,
    Errors.PHONE_NUMBER_MISSING.code: _phone,
    Errors.PHONE_INVALID.code: _phone,
    Errors.REGISTRATION_NUMBER_MISSING.code: _registration,
    Errors.REGISTRATION_NUMBER_INVALID.code: _registration,
    Errors.DOMAIN_INVALID.code: _domain,
    Errors.LENGTH_OUT_OF_RANGE.code: _length,
    Errors.CULTURE_UNSUPPORTED.code: _choice,
    Errors.LANGUAGE_UNSUPPORTED.code: _choice,
    Errors.COUNTRY_UNKNOWN.code: _country,
    Errors.COMPANY_NAME_INVALID.code: _company,
}
