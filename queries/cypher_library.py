"""The library of portable Cypher queries in queries/cypher/*.cypher, loaded by name.

One query per file. The file opens with a comment header that the console, the CLI and the tests
read, so that a query documents itself in one place::

    // Gene card: one gene with counts of its alterations, drugs, cohorts and evidence.
    // @param gene "BRAF"  HGNC symbol (or HGNC id)

Every line before the first non-comment line is header; ``@param NAME DEFAULT HELP`` declares a
named parameter with a JSON default. Each text runs unchanged on LadybugDB and Neo4j (the portable
subset in DESIGN.md); the tests hold both engines to identical answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.stores.cypher_engines import used_parameters

CYPHER_DIR = Path(__file__).parent / "cypher"


class LibraryError(ValueError):
    pass


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    help: str


@dataclass(frozen=True)
class CypherQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def parameters(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overridden by the caller's values; unknown names are an error."""
        overrides = overrides or {}
        unknown = set(overrides) - {p.name for p in self.params}
        if unknown:
            raise LibraryError(f"query {self.name} has no parameter(s) "
                               f"{', '.join(sorted(unknown))}; it takes "
                               f"{', '.join(p.name for p in self.params) or 'none'}")
        return {**self.defaults(), **overrides}


def parse(path: Path) -> CypherQuery:
    lines = path.read_text().splitlines()
    header: list[str] = []
    for line in lines:
        if not line.strip().startswith("//"):
            break
        header.append(line.strip()[2:].strip())
    body = "\n".join(lines[len(header):]).strip()
    params: list[Param] = []
    prose: list[str] = []
    for h in header:
        if h.startswith("@param"):
            params.append(_param(path, h[len("@param"):].strip()))
        elif h:
            prose.append(h)
    if not prose:
        raise LibraryError(f"{path.name}: the header needs a description line")
    declared = {p.name for p in params}
    used = used_parameters(body)
    if used != declared:
        raise LibraryError(f"{path.name}: parameters used {sorted(used)} but declared "
                           f"{sorted(declared)}")
    title, _, rest = prose[0].partition(":")
    description = " ".join([rest.strip(), *prose[1:]]).strip() if rest else " ".join(prose)
    return CypherQuery(path.stem, title.strip(), description, tuple(params), body, path)


def _param(path: Path, spec: str) -> Param:
    name, _, rest = spec.partition(" ")
    try:
        default, end = json.JSONDecoder().raw_decode(rest.strip())
    except json.JSONDecodeError as exc:
        raise LibraryError(f"{path.name}: @param {name} needs a JSON default") from exc
    return Param(name, default, rest.strip()[end:].strip())


def list_queries(directory: Path = CYPHER_DIR) -> list[CypherQuery]:
    return [parse(p) for p in sorted(directory.glob("*.cypher"))]


def load(name: str, directory: Path = CYPHER_DIR) -> CypherQuery:
    path = directory / f"{name.removeprefix('@')}.cypher"
    if not path.exists():
        known = ", ".join(p.stem for p in sorted(directory.glob("*.cypher")))
        raise LibraryError(f"no query named {name!r}; known: {known}")
    return parse(path)
