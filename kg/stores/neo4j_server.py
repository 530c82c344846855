"""A local Neo4j 5.26 server for development and CI, without Docker.

The Maven project (``pom.xml`` and the launcher's Java source, package data of ``kg.stores`` in
``neo4j_launcher/``, so an installed wheel has it) depends on Neo4j's test harness (Maven Central)
and has a tiny launcher serving Bolt on 127.0.0.1:<port>. It is compiled in a work folder:
``$REDISCOVER_NEO4J_HOME``, else the launcher folder itself when writable (a checkout), else
``~/.cache/rediscover/neo4j`` (an installed package), where the sources are copied first.
``start`` copies the jars on first use (``mvn compile dependency:copy-dependencies``), starts
the JVM in the background, waits until Bolt answers (a health-check loop, never a fixed sleep)
and records the process in a pid file.
The server is for development: no auth, and its data lives only while it runs.

Users with a real server or Aura set NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD instead.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

LAUNCHER_FILES = ("pom.xml", "src/main/java/org/rediscover/neo4j/Launcher.java")


def _work_folder() -> Path:
    """Where the launcher is compiled and run (see the module docstring)."""
    if os.environ.get("REDISCOVER_NEO4J_HOME"):
        return Path(os.environ["REDISCOVER_NEO4J_HOME"]).expanduser()
    with as_file(files("kg.stores") / "neo4j_launcher") as packaged:
        if os.access(packaged, os.W_OK):
            return Path(packaged)
    return Path.home() / ".cache" / "rediscover" / "neo4j"


def _install_sources(folder: Path) -> None:
    """Copy the packaged pom.xml and Java source into the work folder when they differ."""
    packaged = files("kg.stores") / "neo4j_launcher"
    for name in LAUNCHER_FILES:
        text = (packaged / name).read_bytes()
        target = folder / name
        if not target.exists() or target.read_bytes() != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text)


PROJECT = _work_folder()
RUN_DIR = PROJECT / "run"
STATE = RUN_DIR / "neo4j.json"
LOG = RUN_DIR / "neo4j.log"
LAUNCHER = "org.rediscover.neo4j.Launcher"
DEFAULT_PORT = 17687  # not 7687: leave a user's own server alone


class Neo4jServerError(RuntimeError):
    pass


@dataclass
class ServerState:
    pid: int
    port: int
    uri: str
    log: str
    started_at: float


# Throughput GC and a fixed 3 GB heap (bulk loads ran 15-25% faster than with G1 at 1-2 GB); a
# 1 GB page cache holds a ×100 graph; transaction logs are pruned to two files at checkpoints
# (a development server: repeated bulk loads otherwise leave gigabytes of logs behind).
JAVA_OPTS = ("-Xms3g -Xmx3g -XX:+UseParallelGC -Drediscover.pagecache.mb=1024 "
             "'-Dneo4j.conf.db.tx_log.rotation.retention_policy=2 files'")


def default_port() -> int:
    return int(os.environ.get("REDISCOVER_NEO4J_PORT", DEFAULT_PORT))


def _classes_ready() -> bool:
    lib = PROJECT / "lib"
    launcher = PROJECT / "target" / "classes" / "org" / "rediscover" / "neo4j" / "Launcher.class"
    source = PROJECT / "src" / "main" / "java" / "org" / "rediscover" / "neo4j" / "Launcher.java"
    fresh = launcher.exists() and launcher.stat().st_mtime >= source.stat().st_mtime
    return fresh and lib.is_dir() and any(lib.glob("neo4j-*.jar"))


def ensure_built(echo=print) -> None:
    """Compile the launcher and copy the harness jars into <work folder>/lib (first use)."""
    _install_sources(PROJECT)
    if _classes_ready():
        return
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise Neo4jServerError(f"`{tool}` not found: install a JDK 17 and Maven, or point "
                                   "NEO4J_URI at a running Neo4j 5 server")
    echo("Fetching the Neo4j harness with Maven (first use, about a minute)…")
    cmd = ["mvn", "-q", "-B", "-f", str(PROJECT / "pom.xml"), "compile",
           "dependency:copy-dependencies"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not _classes_ready():
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise Neo4jServerError(f"`{shlex.join(cmd)}` failed (exit {proc.returncode}):\n{tail}")


def read_state() -> ServerState | None:
    if not STATE.exists():
        return None
    try:
        return ServerState(**json.loads(STATE.read_text()))
    except (ValueError, TypeError):
        return None


def _is_our_process(pid: int) -> bool:
    """True when pid is alive and is our launcher (a recycled pid is never signalled)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    if LAUNCHER not in cmdline:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def bolt_answers(uri: str, auth=None, timeout: float = 2.0) -> bool:
    from neo4j import GraphDatabase
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    try:
        with GraphDatabase.driver(uri, auth=auth, connection_timeout=timeout) as driver:
            driver.verify_connectivity()
        return True
    except (ServiceUnavailable, Neo4jError, OSError, ValueError):
        return False


def status() -> dict:
    state = read_state()
    if state is None:
        return {"running": False}
    alive = _is_our_process(state.pid)
    return {"running": alive and bolt_answers(state.uri), "process_alive": alive,
            "pid": state.pid, "uri": state.uri, "log": state.log}


def start(port: int | None = None, timeout: float = 180.0, echo=print) -> str:
    """Start the server unless ours is already answering; return its Bolt URI."""
    state = read_state()
    if state and _is_our_process(state.pid) and bolt_answers(state.uri):
        return state.uri
    if state and _is_our_process(state.pid):
        stop()
    ensure_built(echo)
    port = port or default_port()
    uri = f"bolt://127.0.0.1:{port}"
    if bolt_answers(uri):
        raise Neo4jServerError(f"something else already answers on {uri}: choose another port "
                               "with --port or REDISCOVER_NEO4J_PORT")
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    work = RUN_DIR / "data"
    shutil.rmtree(work, ignore_errors=True)
    java_opts = shlex.split(os.environ.get("REDISCOVER_NEO4J_JAVA_OPTS", JAVA_OPTS))
    classpath = f"{PROJECT / 'target' / 'classes'}:{PROJECT / 'lib'}/*"
    cmd = ["java", *java_opts, "-cp", classpath, LAUNCHER, str(port), str(work)]
    with open(LOG, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=RUN_DIR,
                                start_new_session=True)
    state = ServerState(proc.pid, port, uri, str(LOG), time.time())
    STATE.write_text(json.dumps(state.__dict__))
    deadline = time.monotonic() + timeout
    delay = 0.2
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            STATE.unlink(missing_ok=True)
            raise Neo4jServerError(f"Neo4j exited with code {proc.returncode} while starting; "
                                   f"log {LOG}:\n{_tail(LOG)}")
        if bolt_answers(uri):
            return uri
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    stop()
    raise Neo4jServerError(f"Neo4j did not answer on {uri} within {timeout:.0f} s; "
                           f"log {LOG}:\n{_tail(LOG)}")


def stop(timeout: float = 30.0) -> bool:
    """Stop our server (SIGTERM, then SIGKILL after ``timeout``); False when none was running."""
    state = read_state()
    if state is None:
        return False
    stopped = False
    if _is_our_process(state.pid):
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _is_our_process(state.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _is_our_process(state.pid):
            os.kill(state.pid, signal.SIGKILL)
        stopped = True
    STATE.unlink(missing_ok=True)
    return stopped


def kill_hard() -> None:
    """SIGKILL our server (tests: a server that dies mid-load)."""
    state = read_state()
    if state and _is_our_process(state.pid):
        os.kill(state.pid, signal.SIGKILL)
        while _is_our_process(state.pid):
            time.sleep(0.05)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
