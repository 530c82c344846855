"""Run one Cypher text read-only on LadybugDB or Neo4j, with a timeout, a row and a memory cap.

Shared by ``kg cypher`` and the UI console. Three layers, because the engines' read-only modes
protect the graph but not the machine (LadybugDB reads and writes files and checkpoints even
when opened read-only):

* the allow-list of kg/stores/console_guard.py: one read statement, no file, extension,
  transaction or write keyword, only read procedures after CALL;
* the engines' own read-only modes: LadybugDB is opened with ``read_only=True`` and a capped
  buffer pool (its query memory comes from that pool, so a runaway ``collect()`` fails with
  "buffer pool is full" instead of taking the machine); Neo4j runs in a READ-mode session inside
  ``execute_read`` with a transaction timeout (its memory cap is the server's
  ``db.memory.transaction.max``, set by the harness launcher);
* a row cap (rows are pulled lazily and the rest discarded) and a check on ``range()`` sizes,
  because LadybugDB's timeout did not stop one huge ``UNWIND range(…)`` (it overran to 7–74 s).
"""

from __future__ import annotations

import ast
import math
import operator
import os
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

ENGINES = ("ladybug", "neo4j")
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_LIMIT = 10_000
MAX_RANGE_ROWS = 1_000_000
#: LadybugDB buffer pool of the console (MB; REDISCOVER_LADYBUG_BUFFER_MB overrides): the graph
#: file and every query's working memory must fit in it
DEFAULT_BUFFER_MB = 512


class CypherError(RuntimeError):
    """An engine refused or failed a query; ``str()`` is the message to show."""

    def __init__(self, engine: str, message: str):
        super().__init__(f"{engine}: {message}")
        self.engine = engine
        self.message = message


class QueryRefused(CypherError):
    """Refused before reaching the engine (guards)."""


@dataclass
class CypherResult:
    engine: str
    columns: list[str]
    rows: list[tuple]
    truncated: bool
    seconds: float

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


class CypherEngine(Protocol):
    name: str

    def run(self, query: str, params: dict | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
            limit: int = DEFAULT_LIMIT) -> CypherResult: ...

    def close(self) -> None: ...


# ------------------------------------------------------------------------------- guards
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_RANGE = re.compile(r"\brange\s*\(", re.IGNORECASE)
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.FloorDiv: operator.floordiv, ast.Div: operator.floordiv}


def used_parameters(query: str) -> set[str]:
    return set(_PARAM.findall(_strip_strings_and_comments(query)))


def _strip_strings_and_comments(query: str) -> str:
    query = re.sub(r"//[^\n]*", "", query)
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", query)


def _int_expr(text: str, params: dict) -> int:
    text = _PARAM.sub(lambda m: repr(params.get(m.group(1))), text.strip())
    node = ast.parse(text, mode="eval").body

    def ev(n: ast.AST) -> int:
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -ev(n.operand)
        if isinstance(n, ast.BinOp) and type(n.op) in _OPS:
            return _OPS[type(n.op)](ev(n.left), ev(n.right))
        raise ValueError(text)

    return ev(node)


def _range_args(query: str, start: int) -> list[str]:
    depth, args, cur = 1, [], ""
    for ch in query[start:]:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args
        if ch == "," and depth == 1:
            args.append(cur)
            cur = ""
        else:
            cur += ch
    raise ValueError("unbalanced range(")


def check_range_guard(query: str, params: dict, max_rows: int = MAX_RANGE_ROWS) -> None:
    """Refuse ``range()`` calls that could produce more than ``max_rows`` rows in total.

    Bounds must be integer literals, parameters or arithmetic on them (the console cannot judge
    anything else before running it); nested ranges multiply."""
    text = _strip_strings_and_comments(query)
    total = 1
    for m in _RANGE.finditer(text):
        try:
            args = [_int_expr(a, params) for a in _range_args(text, m.end())]
        except (ValueError, SyntaxError, TypeError) as exc:
            raise QueryRefused("guard", "range() bounds must be integer literals or parameters "
                               "in the console") from exc
        step = args[2] if len(args) > 2 else 1
        if len(args) < 2 or step == 0:
            raise QueryRefused("guard", "range() needs a start, an end and a non-zero step")
        span = max(0, math.floor((args[1] - args[0]) / step) + 1)
        total *= max(span, 1)
        if total > max_rows:
            raise QueryRefused("guard", f"range() would produce up to {total:,} rows; the "
                               f"console allows {max_rows:,}")


def check_console_query(query: str, params: dict, engine: str = "guard") -> None:
    """Everything the console checks before an engine sees the text."""
    from kg.stores.console_guard import ConsoleRefusal, check_cypher

    try:
        check_cypher(query)
    except ConsoleRefusal as exc:
        raise QueryRefused(engine, f"refused: {exc}") from exc
    check_range_guard(query, params)


def buffer_pool_bytes() -> int:
    return int(os.environ.get("REDISCOVER_LADYBUG_BUFFER_MB", DEFAULT_BUFFER_MB)) * 1024 * 1024


def _prepare(query: str, params: dict | None) -> dict:
    """Only the parameters the text uses (LadybugDB rejects unknown ones); all must be given."""
    params = params or {}
    used = used_parameters(query)
    missing = used - set(params)
    if missing:
        raise QueryRefused("guard", f"missing parameter(s): {', '.join(sorted(missing))}")
    return {k: v for k, v in params.items() if k in used}


# ------------------------------------------------------------------------------- values
def _plain(value: Any) -> Any:
    """Engine values → plain Python (nodes as property dicts, no internal ids).

    LadybugDB sums some integer expressions into DECIMAL; an integral Decimal becomes an int so
    that both engines answer alike."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()
                if not k.startswith("_") and v is not None} | (
            {"_label": value["_label"]} if "_label" in value else {})
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    labels = getattr(value, "labels", None)  # neo4j Node
    if labels is not None and hasattr(value, "items"):
        return {**{k: _plain(v) for k, v in value.items()}, "_label": next(iter(labels), None)}
    if hasattr(value, "type") and hasattr(value, "items") and hasattr(value, "start_node"):
        return {**{k: _plain(v) for k, v in value.items()}, "_label": value.type}
    return value


# ------------------------------------------------------------------------------- engines
class LadybugEngine:
    name = "ladybug"

    def __init__(self, path: Path):
        import ladybug

        if not Path(path).exists():
            raise CypherError(self.name, f"no LadybugDB file at {path}: run `kg build` or "
                              "`kg export ladybug`")
        try:
            self._db = ladybug.Database(str(path), read_only=True,
                                        buffer_pool_size=buffer_pool_bytes())
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise CypherError(self.name, str(exc)) from exc
        self.path = Path(path)

    def run(self, query: str, params: dict | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
            limit: int = DEFAULT_LIMIT) -> CypherResult:
        check_console_query(query, params or {}, self.name)
        params = _prepare(query, params)
        started = time.perf_counter()
        self._conn.set_query_timeout(int(timeout_s * 1000))
        try:
            res = self._conn.execute(query, params)
            if isinstance(res, list):  # several statements: the last one answers
                res = res[-1]
            columns = res.get_column_names()
            rows = []
            while res.has_next() and len(rows) < limit:
                rows.append(tuple(_plain(v) for v in res.get_next()))
            truncated = res.has_next()
            res.close()
        except RuntimeError as exc:
            raise CypherError(self.name, _clean(str(exc))) from exc
        return CypherResult(self.name, columns, rows, truncated, time.perf_counter() - started)

    def close(self) -> None:
        self._conn.close()
        self._db.close()


class Neo4jEngine:
    name = "neo4j"

    def __init__(self, uri: str, auth: tuple[str, str] | None = None,
                 database: str | None = None):
        from neo4j import GraphDatabase
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        self.database = database
        # no retries: a query stopped by the memory cap would otherwise run again for 30 s
        self._driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF",
                                            max_transaction_retry_time=0)
        try:
            self._driver.verify_connectivity()
        except (ServiceUnavailable, Neo4jError, OSError) as exc:
            self._driver.close()
            raise CypherError(self.name, f"cannot reach {uri}: {exc}") from exc

    def run(self, query: str, params: dict | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
            limit: int = DEFAULT_LIMIT) -> CypherResult:
        from neo4j import READ_ACCESS, unit_of_work
        from neo4j.exceptions import DriverError, Neo4jError

        check_console_query(query, params or {}, self.name)
        params = _prepare(query, params)
        started = time.perf_counter()

        @unit_of_work(timeout=timeout_s)
        def work(tx):
            res = tx.run(query, params)
            records = res.fetch(limit + 1)
            return list(res.keys()), [tuple(_plain(v) for v in r.values()) for r in records]

        try:
            with self._driver.session(database=self.database,
                                      default_access_mode=READ_ACCESS) as session:
                columns, rows = session.execute_read(work)
        except Neo4jError as exc:
            raise CypherError(self.name, f"{exc.code}: {exc.message}") from exc
        except DriverError as exc:
            raise CypherError(self.name, str(exc)) from exc
        truncated = len(rows) > limit
        return CypherResult(self.name, columns, rows[:limit], truncated,
                            time.perf_counter() - started)

    def close(self) -> None:
        self._driver.close()


def _clean(message: str) -> str:
    return message.strip().replace("\n", " ")


def open_engine(engine: str, *, ladybug_path: Path | None = None, uri: str | None = None,
                auth: tuple[str, str] | None = None, database: str | None = None) -> CypherEngine:
    if engine == "ladybug":
        if ladybug_path is None:
            raise CypherError(engine, "no LadybugDB path given")
        return LadybugEngine(ladybug_path)
    if engine == "neo4j":
        if not uri:
            raise CypherError(engine, "no Neo4j URI: pass --uri, set NEO4J_URI, or run "
                              "`kg neo4j start`")
        return Neo4jEngine(uri, auth, database)
    raise CypherError(engine, f"unknown engine; choose one of {', '.join(ENGINES)}")
