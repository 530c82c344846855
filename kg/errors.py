"""Validation problems reported with file, row and field, all at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    file: str
    row: int | None  # 1-based line number in the file (header = line 1), None for file-level
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ValidationFailed(Exception):
    """Raised with every issue found; the build stops and writes nothing."""

    def __init__(self, issues: list[Issue]):
        self.issues = sorted(set(issues), key=lambda i: (i.file, i.row or 0, i.field or ""))
        super().__init__(self.render())

    def render(self, limit: int = 200) -> str:
        lines = [f"{len(self.issues)} problem(s) in the input:"]
        lines += [f"  - {i}" for i in self.issues[:limit]]
        if len(self.issues) > limit:
            lines.append(f"  … and {len(self.issues) - limit} more")
        return "\n".join(lines)
