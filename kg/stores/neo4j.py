"""Neo4j store: a batched, idempotent load of the artefact into any Neo4j 5 server.

Order: uniqueness constraints on ``id`` for every label (so MERGE and MATCH are index lookups),
then nodes label by label, then edges relation by relation, in batches of ``UNWIND`` over one
list parameter per column (largest tables first, two at a time). A label
or relation that is still empty on the server is loaded with CREATE (measured faster, see
bench/neo4j_load.py); anything already holding rows, and every retried batch, uses MERGE on ``id``
(edges: on their ends plus ``source``, the build's own edge key), so the load converges from any
partial state a killed client or server left behind. Finally rows the artefact no longer has are
pruned and the counts per label and relation are checked against the manifest.

Private Cohort/Result nodes, and every edge touching them, are left out unless asked for.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from kg.artefact import Artefact
from kg.schema import NODE_CLASSES, REL_CLASSES, Label, Rel
from kg.stores.selection import GraphTables, graph_tables

DEFAULT_BATCH = 10_000
Progress = Callable[[str, int], None]


class LoadMismatch(RuntimeError):
    """Counts on the server differ from the artefact after loading."""


@dataclass
class LoadReport:
    uri: str
    include_private: bool
    rows: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    pruned: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    left_out_private: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def connection_from_env(uri: str | None = None, user: str | None = None,
                        password: str | None = None) -> tuple[str, tuple[str, str] | None]:
    """URI and auth from arguments, else NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD.

    No user means no auth (the local development server runs without it)."""
    uri = uri or os.environ.get("NEO4J_URI")
    if not uri:
        raise ValueError("no Neo4j URI: pass --uri, set NEO4J_URI, or run `kg neo4j start`")
    user = user or os.environ.get("NEO4J_USER")
    password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
    return uri, ((user, password or "") if user else None)


def driver_for(uri: str, auth: tuple[str, str] | None = None):
    from neo4j import GraphDatabase

    # A deadlock between the two load workers (rare: about one load in ten) is retried by the
    # driver; its default first back-off of 1 s cost a tenth of a whole ×10 load.
    return GraphDatabase.driver(uri, auth=auth, max_transaction_retry_time=30.0,
                                initial_retry_delay=0.1, notifications_min_severity="OFF")


# ----------------------------------------------------------------------------- Cypher texts
def constraint_statements() -> list[str]:
    return [f"CREATE CONSTRAINT rediscover_{label.lower()}_id IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" for label in NODE_CLASSES]


def _property_map(columns: list[str]) -> str:
    """A map literal reading row ``i`` of each column parameter. Naming every key (rather than
    ``SET n = $row``) lets CREATE write the properties with the entity, and spares the planner
    an Eager for a read/set conflict it cannot rule out for an opaque map (profiled: 16% of the
    server's time went to setting properties from maps)."""
    return "{" + ", ".join(f"`{c}`: $`{c}`[i]" for c in columns) + "}"


def node_statement(label: Label, columns: list[str], create: bool) -> str:
    props = _property_map(columns)
    head = "UNWIND range(0, size($id) - 1) AS i "
    if create:
        return head + f"CREATE (n:{label} {props})"
    return head + f"MERGE (n:{label} {{id: $id[i]}}) SET n = {props}"


def edge_statement(rel: Rel, src: Label, dst: Label, columns: list[str], create: bool) -> str:
    props = _property_map(columns)
    head = (f"UNWIND range(0, size($src) - 1) AS i MATCH (a:{src} {{id: $src[i]}}) "
            f"MATCH (b:{dst} {{id: $dst[i]}}) ")
    if create:
        return head + f"CREATE (a)-[e:{rel} {props}]->(b)"
    return head + f"MERGE (a)-[e:{rel} {{source: $source[i]}}]->(b) SET e = {props}"


# ----------------------------------------------------------------------------- rows
def column_batch(df: pd.DataFrame) -> dict[str, list]:
    """One batch as a list per column, missing values as None (a null property is not stored).

    Columns, not a map per row: the server then decodes each key once per batch instead of
    once per row (profiled: 12% of its time went to reading maps)."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    return {name: table.column(name).to_pylist() for name in table.column_names}


def property_columns(task: _Task) -> list[str]:
    """The columns stored as properties: for edges all but the ends and their labels."""
    ends = ("src", "dst", "src_label", "dst_label") if task.kind == "edge" else ()
    return [c for c in task.frame.columns if c not in ends]


def _batches(task: _Task, columns: list[str], size: int) -> Iterator[tuple[int, dict]]:
    """(rows in the batch, its column lists) for the property ``columns`` (plus the ends)."""
    frame = task.frame[columns + (["src", "dst"] if task.kind == "edge" else [])]
    for i in range(0, len(frame), size):
        part = frame.iloc[i:i + size]
        yield len(part), column_batch(part)


# ----------------------------------------------------------------------------- loading
@dataclass
class _Task:
    """One label or (relation, label pair): its rows stay a DataFrame until a worker converts
    a batch, so that converting one batch overlaps the server writing another."""

    name: str
    kind: str  # "node" | "edge"
    frame: pd.DataFrame
    label: Label | None = None
    rel: Rel | None = None
    pair: tuple[Label, Label] | None = None


class Neo4jLoader:
    """One load of one artefact into one database (``database=None``: the server default)."""

    def __init__(self, driver, database: str | None = None, batch_size: int = DEFAULT_BATCH,
                 workers: int = 2, mode: str = "auto", max_attempts: int = 5,
                 progress: Progress | None = None):
        if mode not in ("auto", "merge", "create"):
            raise ValueError("mode must be auto, merge or create")
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.workers = max(1, workers)
        self.mode = mode
        self.max_attempts = max_attempts
        self.progress = progress or (lambda _name, _n: None)
        self.retries = 0

    # -- plumbing
    def _session(self):
        return self.driver.session(database=self.database)

    def _write(self, query: str, params: dict | None = None, **named) -> list:
        def work(tx):
            return list(tx.run(query, {**(params or {}), **named}))

        with self._session() as s:
            return s.execute_write(work)

    def _read(self, query: str, **params) -> list:
        def work(tx):
            return list(tx.run(query, **params))

        with self._session() as s:
            return s.execute_read(work)

    def _with_retry(self, fn: Callable[[bool], None], create: bool) -> None:
        """Run a batch; on a lost connection retry it with MERGE (its first try may have
        committed) after a short back-off. Transient errors inside a transaction are already
        retried by the driver's execute_write."""
        from neo4j.exceptions import ConstraintError, ServiceUnavailable, SessionExpired

        delay = 0.5
        for attempt in range(1, self.max_attempts + 1):
            try:
                fn(create if attempt == 1 else False)
                return
            except (ServiceUnavailable, SessionExpired, ConstraintError):
                if attempt == self.max_attempts:
                    raise
                self.retries += 1
                time.sleep(delay)
                delay = min(delay * 2, 8.0)

    # -- steps
    def ensure_constraints(self) -> None:
        for statement in constraint_statements():
            self._write(statement)
        self._write("CALL db.awaitIndexes(300)")

    def server_counts(self) -> dict[str, dict[str, int]]:
        """Nodes per label and edges per relation, read in one transaction."""
        def work(tx):
            nodes = {str(label): tx.run(f"MATCH (n:{label}) RETURN count(n) AS c").single()["c"]
                     for label in NODE_CLASSES}
            edges = {str(rel): tx.run(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS c").single()["c"]
                     for rel in REL_CLASSES}
            return {"nodes": nodes, "edges": edges}

        with self._session() as s:
            return s.execute_read(work)

    def _run_tasks(self, tasks: list[_Task], existing: dict[str, int], modes: dict) -> None:
        def run(task: _Task) -> None:
            create = self.mode == "create" or (self.mode == "auto" and existing[task.name] == 0)
            modes[task.name] = "create" if create else "merge"
            columns = property_columns(task)
            if task.kind == "node":
                def statement(c: bool) -> str:
                    return node_statement(task.label, columns, c)
            else:
                def statement(c: bool) -> str:
                    return edge_statement(task.rel, *task.pair, columns, c)
            for rows, batch in _batches(task, columns, self.batch_size):
                self._with_retry(lambda c, b=batch: self._write(statement(c), b), create)
                self.progress(task.name, rows)

        # Largest first, so that no worker is left alone with a big table at the end.
        ordered = sorted(tasks, key=lambda t: len(t.frame), reverse=True)
        pool = ThreadPoolExecutor(self.workers)
        try:
            for future in [pool.submit(run, t) for t in ordered]:
                future.result()
        finally:  # on an error or an interrupt, start no further batches
            pool.shutdown(wait=True, cancel_futures=True)

    def prune(self, tables: GraphTables, existing: dict[str, int]) -> dict[str, int]:
        """Delete what the artefact does not have, so that counts converge to the artefact's.

        Only labels and relations that held rows before this load can hold strays (a fresh
        label is written by CREATE exactly once per row; a retried batch runs as MERGE). The
        comparison runs on the server with the wanted keys as one list parameter."""
        pruned: dict[str, int] = {}
        for rel in REL_CLASSES:
            if not existing.get(str(rel)):
                continue
            df = tables.edges[rel]
            keys = (df["src"] + "\x1f" + df["dst"] + "\x1f" + df["source"].fillna("")).tolist()
            n = self._write(
                f"MATCH (a)-[e:{rel}]->(b) WITH a, b, e, a.id + '\x1f' + b.id + '\x1f' + "
                "coalesce(e.source, '') AS key WITH key, collect(e) AS es "
                "WITH es, CASE WHEN key IN $keys THEN 1 ELSE 0 END AS keep "
                "UNWIND es[keep..] AS x DELETE x RETURN count(x) AS c", keys=keys)[0]["c"]
            if n:
                pruned[str(rel)] = n
        for label in NODE_CLASSES:
            if not existing.get(str(label)):
                continue
            ids = tables.nodes[label]["id"].tolist()
            n = self._write(f"MATCH (n:{label}) WHERE NOT n.id IN $ids DETACH DELETE n "
                            "RETURN count(n) AS c", ids=ids)[0]["c"]
            if n:
                pruned[str(label)] = n
        return pruned

    def load(self, art: Artefact, include_private: bool = False, uri: str = "") -> LoadReport:
        started = time.perf_counter()
        report = LoadReport(uri, include_private)
        tables = graph_tables(art, include_private=include_private)
        report.left_out_private = tables.left_out
        report.rows = tables.total_rows

        t = time.perf_counter()
        self.ensure_constraints()
        report.phases["constraints"] = time.perf_counter() - t

        existing = self.server_counts()
        node_tasks = [_Task(str(label), "node", df, label=label)
                      for label, df in tables.nodes.items() if len(df)]
        edge_tasks = []
        for rel, df in tables.edges.items():
            for a, b in REL_CLASSES[rel].pairs:
                part = df[(df["src_label"] == str(a)) & (df["dst_label"] == str(b))]
                if len(part):
                    edge_tasks.append(_Task(str(rel), "edge", part, rel=rel, pair=(a, b)))
        flat = {**existing["nodes"], **existing["edges"]}
        t = time.perf_counter()
        self._run_tasks(node_tasks, flat, report.modes)
        report.phases["nodes"] = time.perf_counter() - t
        t = time.perf_counter()
        # Edge tasks of one relation with several label pairs share the relation's count:
        # CREATE only when the whole relation was empty before this load.
        self._run_tasks(edge_tasks, flat, report.modes)
        report.phases["edges"] = time.perf_counter() - t

        t = time.perf_counter()
        report.pruned = self.prune(tables, flat)
        report.phases["prune"] = time.perf_counter() - t
        report.counts = self.server_counts()
        report.retries = self.retries
        report.seconds = time.perf_counter() - started
        expected = tables.counts()
        if report.counts != expected:
            diff = {f"{kind}.{k}": (report.counts[kind][k], v)
                    for kind in expected for k, v in expected[kind].items()
                    if report.counts[kind].get(k) != v}
            raise LoadMismatch(f"counts on the server differ from the artefact "
                               f"(server, expected): {diff}")
        return report


def load_artefact(art: Artefact, uri: str, auth: tuple[str, str] | None = None,
                  include_private: bool = False, **options) -> LoadReport:
    """Load ``art`` into the server at ``uri``; raises LoadMismatch if counts do not verify."""
    with driver_for(uri, auth) as driver:
        driver.verify_connectivity()
        database = options.pop("database", None)
        loader = Neo4jLoader(driver, database=database, **options)
        return loader.load(art, include_private=include_private, uri=uri)


def clear_graph(uri: str, auth: tuple[str, str] | None = None, database: str | None = None,
                batch_size: int = DEFAULT_BATCH) -> None:
    """Delete every node of the schema's labels (tests and benchmarks start from empty).

    Relationships go first, type by type, then nodes, in batches: DETACH DELETE of 10k
    well-connected nodes in one transaction exceeded the server's transaction memory on a
    ×100 graph. A batch that still does is retried at half the size."""
    from neo4j.exceptions import TransientError

    statements = [f"MATCH ()-[r:{rel}]->() WITH r LIMIT $n DELETE r RETURN count(*) AS c"
                  for rel in REL_CLASSES]
    statements += [f"MATCH (n:{label}) WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS c"
                   for label in NODE_CLASSES]
    with driver_for(uri, auth) as driver:
        for statement in statements:
            size = batch_size
            while True:
                try:
                    records, _, _ = driver.execute_query(statement, n=size, database_=database)
                except TransientError:
                    if size <= 100:
                        raise
                    size //= 2
                    continue
                if records[0]["c"] == 0:
                    break
