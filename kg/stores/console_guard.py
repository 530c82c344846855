"""What the analyst console may run: an allow-list over Cypher tokens, checked before any engine.

The engines' own read-only modes stop writes to the graph but not to the machine: LadybugDB
reads and writes files (``LOAD FROM``, ``COPY … TO``), installs extensions and checkpoints even
on a read-only database, and Neo4j reads files with ``LOAD CSV``. So the console runs only what
is on this list: one statement that starts with a read clause, whose bare keywords contain no
file, extension, transaction, schema or write command, and whose ``CALL``s name a read-only
procedure from a short list (or a ``CALL { … }`` subquery, checked by the same rules).

Why tokens and not a grammar: the openCypher parsers on PyPI (antlr4-cypher 0.1.2, the
grammars-v4 grammar; cypher-guard 3.0.0) both reject queries of our own library (variable-length
``*0..10`` patterns, ``WITH … WITH`` chains, ``UNION``), so they cannot be the gate. The
tokenizer knows Cypher's lexical rules (quoted strings with escapes, backquoted names, ``//``
and ``/* */`` comments), so a keyword inside a string, a comment or a backquoted name never
counts, and a keyword split by a comment (``CRE/**/ATE``) is no keyword to the engine either.
A variable named like a forbidden keyword is refused too; backquote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: words that start a statement the console runs
STATEMENT_STARTS = frozenset({"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"})

#: bare keywords that are never run: files, extensions, transactions, schema, writes, admin
FORBIDDEN = frozenset({
    # files and databases (LadybugDB LOAD FROM, COPY, EXPORT/IMPORT, ATTACH; Neo4j LOAD CSV)
    "LOAD", "COPY", "EXPORT", "IMPORT", "ATTACH", "DETACH", "USE", "DATABASE", "DATABASES",
    # extensions and settings
    "INSTALL", "UNINSTALL", "EXTENSION", "UPDATE",
    # transactions and storage
    "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK", "TRANSACTION", "TRANSACTIONS", "TERMINATE",
    # writes and schema
    "CREATE", "MERGE", "SET", "DELETE", "REMOVE", "DROP", "ALTER", "FOREACH", "RENAME",
    "COMMENT", "MACRO", "INDEX", "CONSTRAINT", "PROJECT",
    # administration and introspection beyond the graph
    "SHOW", "GRANT", "DENY", "REVOKE", "START", "STOP", "ENABLE", "DISABLE", "SERVER", "USER",
    "ROLE", "PRIVILEGE", "PROFILE", "EXPLAIN",
})

#: read-only procedures, lower case (LadybugDB table functions and Neo4j db.* procedures)
READ_PROCEDURES = frozenset({
    "show_tables", "table_info", "show_connection", "db_version",
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
})


class ConsoleRefusal(ValueError):
    """The text is not something the console runs; ``str()`` says why in one line."""


@dataclass(frozen=True)
class Token:
    kind: str  # word, name (backquoted), string, number, param, punct
    text: str
    pos: int


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<name>`(?:[^`]|``)*(?:`|\Z))
  | (?P<param>\$(?:[A-Za-z_][A-Za-z0-9_]*|`[^`]*`|[0-9]+))
  | (?P<number>[0-9][0-9A-Za-z_.]*)
  | (?P<word>[^\W\d]\w*)
  | (?P<punct>.)
""", re.VERBOSE | re.DOTALL)


def tokens(text: str) -> list[Token]:
    """Cypher tokens without whitespace and comments; an unterminated string, name or comment
    is refused (the engine would read it differently from us)."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "punct"
        value = m.group()
        if kind == "block_comment" and not value.endswith("*/"):
            raise ConsoleRefusal("unterminated /* comment")
        if kind == "string" and (len(value) < 2 or value[-1] != value[0]
                                 or _escaped_end(value)):
            raise ConsoleRefusal("unterminated string")
        if kind == "name" and (len(value) < 2 or not value.endswith("`")):
            raise ConsoleRefusal("unterminated `name`")
        if kind in ("space", "line_comment", "block_comment"):
            continue
        out.append(Token(kind, value, m.start()))
    return out


def _escaped_end(value: str) -> bool:
    """True when the closing quote is itself escaped (an odd run of backslashes before it)."""
    run = len(value) - 1 - len(value[:-1].rstrip("\\"))
    return run % 2 == 1


def _is_keyword(toks: list[Token], i: int) -> bool:
    """A bare word in keyword position: not a property or namespace part (after ``.``), not a
    label or relationship type (after ``:``), not a map key or variable before ``:``."""
    prev = toks[i - 1].text if i else ""
    nxt = toks[i + 1].text if i + 1 < len(toks) else ""
    return prev not in (".", ":") and nxt != ":"


def check_cypher(text: str) -> None:
    """Raise ConsoleRefusal unless ``text`` is one read-only statement the console runs."""
    toks = tokens(text)
    if not toks:
        raise ConsoleRefusal("empty query")
    statements = _split_statements(toks)
    if len(statements) > 1:
        raise ConsoleRefusal("one statement at a time: the console runs no ';'-separated "
                             "scripts")
    body = statements[0]
    first = body[0]
    if first.kind == "word" and first.text.upper() in FORBIDDEN:
        raise ConsoleRefusal(f"read-only console: {first.text.upper()} is not allowed (files, "
                             "extensions, transactions and writes are refused)")
    if first.kind != "word" or first.text.upper() not in STATEMENT_STARTS:
        raise ConsoleRefusal(f"read-only console: a query starts with "
                             f"{'/'.join(sorted(STATEMENT_STARTS))}, not {first.text!r}")
    for i, tok in enumerate(body):
        if tok.kind != "word" or not _is_keyword(body, i):
            continue
        word = tok.text.upper()
        if word in FORBIDDEN:
            raise ConsoleRefusal(f"read-only console: {word} is not allowed (files, "
                                 "extensions, transactions and writes are refused)")
        if word == "CALL":
            _check_call(body, i)


def _split_statements(toks: list[Token]) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for tok in toks:
        if tok.kind == "punct" and tok.text == ";":
            out.append([])
        else:
            out[-1].append(tok)
    return [s for s in out if s]


def _check_call(toks: list[Token], i: int) -> None:
    """``CALL { subquery }`` or ``CALL name.space(…)`` of an allow-listed read procedure."""
    rest = toks[i + 1:]
    if rest and rest[0].text in ("{", "("):
        return  # a subquery: its clauses are checked like any other tokens
    parts: list[str] = []
    for j, tok in enumerate(rest):
        if j % 2 == 0 and tok.kind in ("word", "name"):
            parts.append(tok.text.strip("`"))
        elif j % 2 == 1 and tok.text == ".":
            continue
        else:
            break
    name = ".".join(parts)
    if name.lower() not in READ_PROCEDURES:
        raise ConsoleRefusal(f"read-only console: CALL {name or '…'} is not an allowed read "
                             f"procedure (allowed: {', '.join(sorted(READ_PROCEDURES))})")
