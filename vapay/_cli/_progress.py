"""The live progress display of a reconciliation, drawn on stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

# A few redraws a second look live; more would only cost the walk CPU time.
_REFRESH_PER_SECOND = 5


class _ItemsColumn(ProgressColumn):
    """The items (virtual accounts, payments) a row has seen so far, and their rate."""

    def render(self, task: Task) -> Text:
        items = task.fields.get("items")
        if items is None:
            return Text("")
        elapsed = task.finished_time if task.finished else task.elapsed
        rate = f"{items / elapsed:,.0f}/s" if elapsed else ""
        unit = task.fields.get("unit", "VAs")
        return Text(f"{items:>9,} {unit} {rate:>9}", style="cyan")


def make_progress(console: Console, *, enabled: bool) -> Progress:
    """A progress display on *console*; a silent one unless *enabled*.

    Rows stay on screen when done, so the final counts remain visible above the
    summary. Nothing is redirected: rows written to stdout must not be drawn into
    the display on stderr.
    """
    return Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(bar_width=32),
        MofNCompleteColumn(),
        TextColumn("accounts"),
        _ItemsColumn(),
        TimeElapsedColumn(),
        console=console,
        refresh_per_second=_REFRESH_PER_SECOND,
        redirect_stdout=False,
        redirect_stderr=False,
        disable=not enabled,
    )
