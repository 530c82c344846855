"""Run one SPARQL SELECT for the console: parsed first, then run in a child process with a
timeout, a memory cap and a row cap.

Oxigraph has no query timeout and no memory limit, and a cartesian query ran past 120 s, so the
query runs in a separate process that is killed when its time is up; its data segment is capped
with ``RLIMIT_DATA`` so one query cannot take the machine. The text is parsed with rdflib's
SPARQL grammar before anything runs: an update (INSERT, DELETE, LOAD, CLEAR, …) is refused with
that word, and so are ``SERVICE`` (it sends HTTP requests out) and ``FROM``/``FROM NAMED``.
The store is opened read-only in any case.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_LIMIT = 10_000
#: memory of the query process (MB; REDISCOVER_SPARQL_MEMORY_MB overrides)
DEFAULT_MEMORY_MB = 2048
#: seconds the child may take to start and open the graph (before the query's own timeout)
STARTUP_TIMEOUT_S = 120.0


class SparqlRefused(ValueError):
    """Not run: an update, SERVICE, a dataset clause, a parse error, or a limit reached."""


@dataclass(frozen=True)
class Target:
    """Where the child finds the graph: a read-only Oxigraph store folder or an RDF file."""

    store: Path | None = None
    file: Path | None = None
    file_format: str | None = None


@dataclass
class SparqlResult:
    frame: pd.DataFrame
    truncated: bool
    seconds: float


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")


def check_sparql(text: str) -> None:
    """Refuse anything but a SELECT that stays inside the local graph."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            raise SparqlRefused(f"SPARQL syntax error: {exc.msg} at line {exc.lineno}, "
                                f"column {exc.col}") from exc
        words = [w for w in _UPDATE_WORDS if w in text.upper()]
        raise SparqlRefused(f"SPARQL updates ({'/'.join(words) or 'update'}) are refused: "
                            "the console is read-only") from exc
    query = parsed[1]
    if query.name != "SelectQuery":
        raise SparqlRefused(f"only SELECT queries run in the console, not "
                            f"{query.name.removesuffix('Query').upper()}")
    if "datasetClause" in query:
        raise SparqlRefused("FROM / FROM NAMED are refused: queries run on the local graph only")
    if _contains(parsed, "ServiceGraphPattern"):
        raise SparqlRefused("SERVICE is refused: queries may not send requests to other "
                            "endpoints")


def _contains(node: Any, name: str) -> bool:
    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, dict):
        return any(_contains(v, name) for v in node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return any(_contains(v, name) for v in node)
    return False


def run(target: Target, text: str, prefixes: dict[str, str] | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S, limit: int = DEFAULT_LIMIT) -> SparqlResult:
    """Check ``text``, then run it in a child process; SparqlRefused when it is refused, times
    out or runs out of memory."""
    check_sparql(text)
    started = time.perf_counter()
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    memory = int(os.environ.get("REDISCOVER_SPARQL_MEMORY_MB", DEFAULT_MEMORY_MB)) << 20
    proc = ctx.Process(target=_worker, args=(child, target, text, prefixes or {}, limit, memory),
                       daemon=True)
    proc.start()
    child.close()
    try:
        status, payload = _receive(parent, STARTUP_TIMEOUT_S, "opening the graph", proc, memory)
        if status == "ready":  # the query's own time starts once the graph is open
            status, payload = _receive(parent, timeout_s, "the query", proc, memory)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status == "error":
        raise SparqlRefused(payload)
    columns, rows = payload
    truncated = len(rows) > limit
    frame = pd.DataFrame(rows[:limit], columns=columns)
    return SparqlResult(frame, truncated, time.perf_counter() - started)


def _receive(conn, timeout_s: float, what: str, proc, memory: int) -> tuple[str, Any]:
    if not conn.poll(timeout_s):
        raise SparqlRefused(f"{what} stopped after the {timeout_s:g} s timeout")
    try:
        return conn.recv()
    except EOFError:
        raise SparqlRefused(f"the query process died (exit {proc.exitcode}; memory cap "
                            f"{memory >> 20} MB)") from None


def _worker(conn, target: Target, text: str, prefixes: dict, limit: int, memory: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
        store = _open(target)
        conn.send(("ready", None))
        conn.send(("ok", _select(store, text, prefixes, limit)))
    except MemoryError:
        conn.send(("error", f"the query needed more than the {memory >> 20} MB memory cap"))
    except Exception as exc:  # noqa: BLE001 - engine errors come in several types; all are shown
        conn.send(("error", f"SPARQL error: {' '.join(str(exc).split())}"))
    finally:
        conn.close()


def _open(target: Target):
    import pyoxigraph as ox

    if target.store is not None:
        return ox.Store.read_only(str(target.store))
    store = ox.Store()
    fmt = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
           "json-ld": ox.RdfFormat.JSON_LD}.get(target.file_format or "turtle")
    store.bulk_load(path=str(target.file), format=fmt)
    return store


def _select(store, text: str, prefixes: dict, limit: int) -> tuple[list, list]:
    solutions = store.query(text, prefixes=prefixes)
    columns = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        rows.append([_python(solution[c]) for c in columns])
        if len(rows) > limit:
            break
    return columns, rows


def _python(term: Any) -> Any:
    """Oxigraph term → the value rdflib's ``toPython`` gives (IRIs as strings)."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        plain = term.language or term.datatype.value == _XSD_STRING
        lit = Literal(term.value, lang=term.language,
                      datatype=None if plain else URIRef(term.datatype.value))
        return lit.toPython()
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value
