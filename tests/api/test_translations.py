"""Every error message id has a zh-CN and a zh-TW translation with the same placeholders.

Message ids are the English templates: the `message` of every `ErrorSpec`, and every
`reason` given to `FieldProblem` by the create-customer rules and the wire schemas. The
reasons are found statically, by following the reason argument through the code that
builds it: literals, module constants, local variables (with `+=`), helper functions'
parameters (traced back to their call sites) and helpers' return values.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from tenantry.domain.errors import Errors
from tenantry.http.field_messages import EMAIL_REASONS, SENTENCES
from tenantry.http.i18n import catalog
from tests.web.test_page_translations import page_texts

SRC = Path(__file__).resolve().parents[2] / "src" / "tenantry"
REASON_MODULES = (
    *sorted((SRC / "domain" / "rules").glob("*.py")),
    SRC / "domain" / "errors.py",  # FieldProblem.required and .length
    SRC / "http" / "wire.py",
    SRC / "api" / "routes" / "validation.py",
)
LOCALES = ("zh-CN", "zh-TW")
# Entries that may legitimately read the same in both scripts (none today).
MAX_IDENTICAL = 3
# Common characters that exist only in Simplified Chinese, and their Traditional forms.
SIMPLIFIED_ONLY = set(
    "户邮码务请个无为这应须数长称电话号验证区国语税识该时处会发错误关权认仅单级经纳统体资设网络"
)
TRADITIONAL_ONLY = set(
    "戶郵碼務請個無為這應須數長稱電話號驗證區國語稅識該時處會發錯誤關權認僅單級經納統體資設網絡"
)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class UnresolvedReasonError(AssertionError):
    """A reason expression that cannot be reduced to string literals."""


class ReasonCollector:
    """Finds every string a module can pass as `FieldProblem(..., reason, ...)`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.functions: dict[str, list[FunctionNode]] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, FunctionNode):
                self.functions.setdefault(node.name, []).append(node)
        self._active: set[tuple[int, str]] = set()

    # --- entry points ---------------------------------------------------------------------

    def constructor_calls(self) -> list[ast.Call]:
        return [node for node in ast.walk(self.tree) if _is_call_to(node, "FieldProblem")]

    def reasons(self) -> set[str]:
        found: set[str] = set()
        for call in self.constructor_calls():
            argument = _argument(call, 2, "reason", shift=0)
            if argument is None:
                raise self._error(call, "FieldProblem(...) without a reason argument")
            found |= self.resolve(argument)
        return found

    # --- resolution -----------------------------------------------------------------------

    def resolve(self, node: ast.expr) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return {a + b for a in self.resolve(node.left) for b in self.resolve(node.right)}
        if isinstance(node, ast.IfExp):
            return self.resolve(node.body) | self.resolve(node.orelse)
        if isinstance(node, ast.Name):
            return self._resolve_name(node)
        if isinstance(node, ast.Call):
            return self._resolve_call(node)
        raise self._error(node, f"cannot resolve reason expression {ast.unparse(node)!r}")

    def _resolve_name(self, node: ast.Name) -> set[str]:
        key = (node.lineno, node.id)
        if key in self._active:
            raise self._error(node, f"recursive definition of {node.id!r}")
        self._active.add(key)
        try:
            function = self._enclosing_function(node)
            scope: ast.AST = function if function is not None else self.tree
            values = self._assigned_values(scope, node)
            if values:
                return values
            if function is not None:
                parameter = _parameters(function).get(node.id)
                if parameter is not None:
                    return self._resolve_parameter(function, node.id, parameter)
                values = self._assigned_values(self.tree, node)
                if values:
                    return values
            raise self._error(node, f"cannot find where {node.id!r} gets its value")
        finally:
            self._active.discard(key)

    def _assigned_values(self, scope: ast.AST, use: ast.Name) -> set[str]:
        """Every value `use.id` may hold at `use`: `x = ...` and `x += ...` before it."""
        statements = sorted(
            (
                stmt
                for stmt in _walk_scope(scope)
                if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign)
                and stmt.lineno < use.lineno
                and use.id in _target_names(stmt)
            ),
            key=lambda stmt: (stmt.lineno, stmt.col_offset),
        )
        values: set[str] = set()
        for stmt in statements:
            if isinstance(stmt, ast.AugAssign):
                if not isinstance(stmt.op, ast.Add):
                    raise self._error(stmt, f"unsupported augmented assignment to {use.id!r}")
                suffixes = self.resolve(stmt.value)
                values |= {value + suffix for value in values for suffix in suffixes}
            elif stmt.value is not None:
                values |= self.resolve(stmt.value)
        return values

    def _resolve_parameter(self, function: FunctionNode, name: str, index: int) -> set[str]:
        """A helper's parameter: whatever its call sites in the module pass for it."""
        is_method = isinstance(self.parents.get(function), ast.ClassDef)
        calls = [node for node in ast.walk(self.tree) if _is_call_to(node, function.name)]
        if not calls:
            raise self._error(function, f"{function.name}() is never called in its module")
        found: set[str] = set()
        for call in calls:
            shift = 1 if is_method and isinstance(call.func, ast.Attribute) else 0
            argument = _argument(call, index, name, shift=shift)
            if argument is None:
                raise self._error(call, f"{function.name}() called without {name!r}")
            found |= self.resolve(argument)
        return found

    def _resolve_call(self, node: ast.Call) -> set[str]:
        """A module-level helper's call: the string literals it can return."""
        if not isinstance(node.func, ast.Name) or node.func.id not in self.functions:
            raise self._error(node, f"cannot resolve reason from call {ast.unparse(node)!r}")
        found: set[str] = set()
        for function in self.functions[node.func.id]:
            for ret in _walk_scope(function):
                if not isinstance(ret, ast.Return) or ret.value is None:
                    continue
                if isinstance(ret.value, ast.Constant) and ret.value.value is None:
                    continue
                found |= self.resolve(ret.value)
        if not found:
            raise self._error(node, f"{node.func.id}() returns no string literal")
        return found

    # --- helpers --------------------------------------------------------------------------

    def _enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, FunctionNode):
            current = self.parents.get(current)
        return current

    def _error(self, node: ast.AST, message: str) -> UnresolvedReasonError:
        line = getattr(node, "lineno", "?")
        where = self.path.relative_to(SRC) if self.path.is_relative_to(SRC) else self.path
        return UnresolvedReasonError(f"{where}:{line}: {message}")


def _is_call_to(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def _argument(call: ast.Call, index: int, name: str, *, shift: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    position = index - shift
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if len(positional) != len(call.args) and position >= len(positional):
        raise UnresolvedReasonError(f"line {call.lineno}: starred arguments hide {name!r}")
    return positional[position] if 0 <= position < len(positional) else None


def _parameters(function: FunctionNode) -> dict[str, int]:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    found = {arg.arg: i for i, arg in enumerate(positional)}
    found.update({arg.arg: -1 for arg in args.kwonlyargs})
    return found


def _walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one scope, without descending into nested functions or classes."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, FunctionNode | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _target_names(stmt: ast.Assign | ast.AnnAssign | ast.AugAssign) -> set[str]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return {
        node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)
    }


def _collect_reasons() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in REASON_MODULES:
        collector = ReasonCollector(path)
        if not collector.constructor_calls():
            continue
        reasons = collector.reasons()
        if not reasons:
            raise UnresolvedReasonError(f"{path}: constructs FieldProblem but no reason found")
        found[str(path.relative_to(SRC))] = reasons
    return found


REASONS_BY_MODULE = _collect_reasons()
SPEC_MESSAGES = {spec.message for spec in Errors.all()}
REASONS = set().union(*REASONS_BY_MODULE.values())
MESSAGE_IDS = sorted(SPEC_MESSAGES | REASONS)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_reasons_are_found_in_every_module_that_builds_field_problems() -> None:
    expected = {
        "domain/rules/addresses.py",
        "domain/rules/company_names.py",
        "domain/rules/domains.py",
        "domain/rules/emails.py",
        "domain/rules/phones.py",
        "domain/rules/registration.py",
        "domain/rules/validate.py",
        "domain/errors.py",
        "http/wire.py",
        "api/routes/validation.py",
    }
    assert expected <= set(REASONS_BY_MODULE)
    assert all(REASONS_BY_MODULE.values())


def test_the_collector_follows_helpers_variables_and_concatenation() -> None:
    assert {
        "is required for {country}",  # addresses: a helper's parameter
        "cannot be a single character",  # company_names: a helper's return value
        "must be a JSON object",  # wire: a method's parameter
        "'{country}' is not a country code known to Partner Center",
        "'{country}' is not a country code known to Partner Center; "
        "did you mean '{suggestion}'?",  # validate: `reason += ...`
    } <= REASONS
    assert len(SPEC_MESSAGES) == len(Errors.all())


def test_the_collector_fails_loudly_on_a_reason_it_cannot_follow(tmp_path: Path) -> None:
    module = tmp_path / "dynamic.py"
    module.write_text(
        "def check(value):\n    return FieldProblem(SPEC, 'path', f'{value} is bad')\n",
        encoding="utf-8",
    )
    with pytest.raises(UnresolvedReasonError, match="cannot resolve"):
        ReasonCollector(module).reasons()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_id", MESSAGE_IDS)
def test_every_message_id_is_translated_with_the_same_placeholders(
    locale: str, message_id: str
) -> None:
    translation = catalog(locale).get(message_id, "")
    assert translation.strip(), f"no {locale} translation for {message_id!r}"
    assert translation != message_id
    assert _placeholders(translation) == _placeholders(message_id)
    filled = translation.format_map(dict.fromkeys(_placeholders(message_id), "x"))
    assert "{" not in filled
    assert "}" not in filled


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogs_hold_no_stale_entries(locale: str) -> None:
    people = set(SENTENCES.values()) | set(EMAIL_REASONS.values())
    assert set(catalog(locale)) - set(MESSAGE_IDS) - page_texts() - people == set()


def test_traditional_differs_from_simplified() -> None:
    simplified, traditional = catalog("zh-CN"), catalog("zh-TW")
    identical = [m for m in MESSAGE_IDS if simplified.get(m) == traditional.get(m)]
    assert len(identical) <= MAX_IDENTICAL, identical


def test_each_catalog_keeps_to_its_own_script() -> None:
    for message_id in MESSAGE_IDS:
        tw_chars = set(catalog("zh-TW")[message_id])
        cn_chars = set(catalog("zh-CN")[message_id])
        assert not tw_chars & SIMPLIFIED_ONLY, (message_id, tw_chars & SIMPLIFIED_ONLY)
        assert not cn_chars & TRADITIONAL_ONLY, (message_id, cn_chars & TRADITIONAL_ONLY)


def test_customer_not_found_names_the_customer() -> None:
    message = Errors.CUSTOMER_NOT_FOUND.message
    assert "客户" in catalog("zh-CN")[message]
    assert "客戶" in catalog("zh-TW")[message]
