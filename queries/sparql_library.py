"""The library of SPARQL queries in queries/sparql/*.rq, loaded by name.

Each file opens with a ``#`` comment header in the same shape as the Cypher library's
(queries/cypher_library.py): a description, then ``@param NAME DEFAULT HELP`` lines with JSON
defaults. Parameters appear in the query as ``$NAME`` (a SPARQL variable) and are bound by
kg.stores.rdf.with_params. Three queries answer the same questions as Cypher files of the same
name; tests/test_rdf_sparql.py holds them to equal answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPARQL_DIR = Path(__file__).parent / "sparql"
_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class SparqlLibraryError(ValueError):
    pass


@dataclass(frozen=True)
class SparqlQuery:
    name: str
    description: str
    defaults: dict[str, Any]
    text: str

    def parameters(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        overrides = overrides or {}
        unknown = set(overrides) - set(self.defaults)
        if unknown:
            raise SparqlLibraryError(f"query {self.name} has no parameter(s) "
                                     f"{', '.join(sorted(unknown))}; it takes "
                                     f"{', '.join(self.defaults) or 'none'}")
        return {**self.defaults, **overrides}


def parse(path: Path) -> SparqlQuery:
    lines = path.read_text().splitlines()
    prose: list[str] = []
    defaults: dict[str, Any] = {}
    for line in lines:
        if not line.startswith("#"):
            break
        text = line[1:].strip()
        if text.startswith("@param"):
            name, _, rest = text[len("@param"):].strip().partition(" ")
            try:
                defaults[name], _ = json.JSONDecoder().raw_decode(rest.strip())
            except json.JSONDecodeError as exc:
                raise SparqlLibraryError(f"{path.name}: @param {name} needs a JSON "
                                         "default") from exc
        elif text:
            prose.append(text)
    if not prose:
        raise SparqlLibraryError(f"{path.name}: the header needs a description line")
    body = "\n".join(line for line in lines if not line.startswith("#"))
    used = set(_VAR.findall(body))
    if used != set(defaults):
        raise SparqlLibraryError(f"{path.name}: parameters used {sorted(used)} but declared "
                                 f"{sorted(defaults)}")
    return SparqlQuery(path.stem, " ".join(prose), defaults, path.read_text())


def list_queries(directory: Path = SPARQL_DIR) -> list[SparqlQuery]:
    return [parse(p) for p in sorted(directory.glob("*.rq"))]


def load(name: str, directory: Path = SPARQL_DIR) -> SparqlQuery:
    path = directory / f"{name.removeprefix('@')}.rq"
    if not path.exists():
        known = ", ".join(p.stem for p in sorted(directory.glob("*.rq")))
        raise SparqlLibraryError(f"no query named {name!r}; known: {known}")
    return parse(path)
