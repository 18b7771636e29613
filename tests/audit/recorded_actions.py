"""Every audit action the application can record, read from its source (ast), not from a run.

An action reaches the trail through `record(session, action, ...)`, or through the helpers that
build it: `add_recorded(..., record_type)` (`<record_type>.create`), a `RecordChange` subclass
(`<its record_type>.<action given to it>`) and the new incidents' `_audit(action, ...)`. Actions
are literals, a choice between literals, or f-strings over a few known vocabularies; anything
else is reported as not understood, so that a new way of naming actions fails the tests rather
than escaping them.
"""

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import app
from app.models.enums import CaseEventKind
from app.party_dossiers.records import RECORD_KINDS

APP = Path(app.__file__).parent
# Values an f-string part may take, by its source text.
VOCABULARIES = {
    "kind.record_type": {kind.record_type for kind in RECORD_KINDS.values()},
    "data.kind.value": {kind.value for kind in CaseEventKind},
}
# Functions that hand on an action (or a record type) given to them: their own `record(...)`
# call is resolved at their callers.
PASSING_ON = {("audit/service.py", "add_recorded"), ("audit/change.py", "_audit")}
PASSING_ON |= {("incidents/new_incidents.py", "_audit")}


@dataclass
class Found:
    actions: set[str] = field(default_factory=set)
    not_understood: list[str] = field(default_factory=list)


def recorded_actions(sources: dict[str, str] | None = None) -> Found:
    """The actions recorded by the application's modules (or by `sources`: {path: code})."""
    if sources is None:
        sources = {
            path.relative_to(APP).as_posix(): path.read_text(encoding="utf-8")
            for path in APP.rglob("*.py")
        }
    trees = {where: ast.parse(code) for where, code in sources.items()}
    change_types = _record_change_types(trees.values())
    found = Found()
    for where, tree in sorted(trees.items()):
        constants = _module_constants(tree)
        for function, call in _calls(tree):
            name = _called(call)
            if name == "record" and (where, function) not in PASSING_ON:
                _add(found, where, call, _argument(call, 1, "action"), constants, "{}")
            elif name == "add_recorded" and (where, function) not in PASSING_ON:
                _add(found, where, call, _argument(call, 2, "record_type"), constants, "{}.create")
            elif name == "_audit" and where == "incidents/new_incidents.py" and function != name:
                _add(found, where, call, _argument(call, 0, "action"), constants, "{}")
            elif name in change_types:
                pattern = change_types[name] + ".{}"
                _add(found, where, call, _argument(call, 3, "action"), constants, pattern)
    return found


def _record_change_types(trees: Iterable[ast.Module]) -> dict[str, str]:
    """{class name: record type} of the `RecordChange` subclasses."""
    types = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id == "RecordChange" for base in node.bases
            ):
                for statement in node.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and [getattr(t, "id", None) for t in statement.targets] == ["record_type"]
                        and isinstance(statement.value, ast.Constant)
                    ):
                        types[node.name] = statement.value.value
    return types


def _module_constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: statement.value.value
        for statement in tree.body
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
        for target in statement.targets
        if isinstance(target, ast.Name) and isinstance(statement.value.value, str)
    }


def _calls(tree: ast.Module) -> Iterator[tuple[str | None, ast.Call]]:
    """Each call, with the name of the function it is written in (None at module level)."""

    def visit(node: ast.AST, function: str | None) -> Iterator[tuple[str | None, ast.Call]]:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.Call):
                yield function, child
            yield from visit(child, inner)

    yield from visit(tree, None)


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[position] if len(call.args) > position else None


def _add(
    found: Found,
    where: str,
    call: ast.Call,
    expression: ast.expr | None,
    constants: dict[str, str],
    pattern: str,
) -> None:
    values = _values(expression, constants) if expression is not None else None
    if values is None:
        found.not_understood.append(f"{where}:{call.lineno}")
    else:
        found.actions |= {pattern.format(value) for value in values}


def _values(expression: ast.expr, constants: dict[str, str]) -> set[str] | None:
    """The strings an expression may be, or None when it cannot be told from the source."""
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    if isinstance(expression, ast.Name) and expression.id in constants:
        return {constants[expression.id]}
    if isinstance(expression, ast.Attribute) and ast.unparse(expression) in VOCABULARIES:
        return VOCABULARIES[ast.unparse(expression)]
    if isinstance(expression, ast.IfExp):
        body, orelse = _values(expression.body, constants), _values(expression.orelse, constants)
        return None if body is None or orelse is None else body | orelse
    if isinstance(expression, ast.JoinedStr):
        return _joined(expression, constants)
    return None


def _joined(expression: ast.JoinedStr, constants: dict[str, str]) -> set[str] | None:
    """The strings an f-string may be: each of its parts' values, one after another."""
    results = {""}
    for part in expression.values:
        options: set[str] | None = None
        if isinstance(part, ast.Constant):
            options = {str(part.value)}
        elif isinstance(part, ast.FormattedValue) and part.format_spec is None:
            options = _values(part.value, constants)
        if options is None:
            return None
        results = {start + option for start in results for option in options}
    return results
