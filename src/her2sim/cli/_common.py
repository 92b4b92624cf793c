"""Plumbing shared by the CLI commands: error path, option checks, table output (no science here)."""

from __future__ import annotations

import math
import shutil
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from ..errors import Her2simError, Her2simWarning, closest
from ..report._tables import columns_with_units, units_of  # re-exported for the commands

__all__ = [
    "CliError",
    "Her2simGroup",
    "check_choice",
    "check_positive",
    "check_range",
    "as_option",
    "ensure_parent",
    "print_table",
    "columns_with_units",
    "units_of",
]


# Typer >= 0.20 vendors click: take the exception class its error path catches, whichever click it is.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class CliError(_ClickException):  # type: ignore[misc, valid-type]
    """A user error reported through Typer's error path: a message and exit code 2 (no traceback)."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message


class Her2simGroup(TyperGroup):
    """The top-level command group: her2sim errors and file errors become clean messages.

    Warnings raised while a command runs (e.g. :class:`her2sim.errors.Her2simWarning` about a
    cell-line preset identical to the parental line) are printed on stderr as ``warning: ...``.
    """

    def invoke(self, ctx: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", Her2simWarning)
            try:
                return super().invoke(ctx)
            except Her2simError as exc:
                raise CliError(f"error: {exc}") from None
            except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
                where = f"{exc.filename}: " if exc.filename else ""
                raise CliError(f"error: {where}{exc.strerror or exc}") from None
            except ModuleNotFoundError as exc:
                raise CliError(f"error: the optional package {exc.name!r} is missing; "
                               f"it is a dependency of her2sim: reinstall her2sim (`pip install .`) or "
                               f"`pip install {exc.name}`") from None
            finally:
                _show_warnings(caught)


def _show_warnings(caught: Iterable[warnings.WarningMessage]) -> None:
    seen: set[str] = set()
    for item in caught:
        text = str(item.message)
        if text in seen or item.category in (DeprecationWarning, PendingDeprecationWarning):
            continue
        seen.add(text)
        typer.echo(f"warning: {text}", err=True)


def check_choice(option: str, value: str, allowed: Sequence[str]) -> str:
    """``value`` if allowed, else a usage error naming the option, the allowed values and the closest."""
    if value in allowed:
        return value
    near = closest(value, allowed)
    hint = f" Did you mean {near!r}?" if near else ""
    raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, allowed))}.{hint}", param_hint=option)


def as_option(option: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, with a her2sim error reported as a usage error of ``option``."""
    try:
        return func(*args, **kwargs)
    except Her2simError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


def check_positive(option: str, value: float | None, *, allow_zero: bool = False) -> None:
    """Usage error unless ``value`` is finite and > 0 (or >= 0)."""
    if value is None:
        return
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise typer.BadParameter(f"must be a finite number {bound}, got {value!r}", param_hint=option)


def check_range(option: str, value: float, low: float, high: float) -> None:
    """Usage error unless ``low <= value <= high``."""
    if not (math.isfinite(value) and low <= value <= high):
        raise typer.BadParameter(f"must be in [{low:g}, {high:g}], got {value!r}", param_hint=option)


def ensure_parent(path: Path) -> Path:
    """Create the folder a file will be written into (a missing folder is not an error)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def print_table(frame, *, wide: bool = False, max_cell: int = 60) -> None:
    """Print a table wrapped to the terminal: long cells are cut with '…' unless ``wide``."""
    width = shutil.get_terminal_size((100, 24)).columns
    text = frame.astype(str)
    if not wide:
        text = text.apply(lambda col: col.map(lambda v: v if len(v) <= max_cell else v[: max_cell - 1] + "…"))
        # shrink the widest column one character at a time until the table fits (a column keeps at least
        # 12 characters, or its share of the width when there are many columns, and never fewer than 6)
        widths = {c: max([len(str(c)), *text[c].map(len)]) for c in text.columns}
        floor = max(6, min(12, (width - 2 * (len(widths) - 1)) // max(len(widths), 1)))
        while widths and sum(widths.values()) + 2 * (len(widths) - 1) > width:
            col = max(widths, key=widths.get)
            if widths[col] <= floor:
                break
            widths[col] -= 1
        for col, limit in widths.items():
            text[col] = text[col].map(lambda v, n=limit: v if len(v) <= n else v[: n - 1] + "…")
        text.columns = [c if len(str(c)) <= widths[c] else str(c)[: widths[c] - 1] + "…" for c in text.columns]
    widths = {c: max([len(str(c)), *text[c].map(len)]) for c in text.columns}
    lines = ["  ".join(str(c).ljust(widths[c]) for c in text.columns).rstrip()]
    for _, row in text.iterrows():
        lines.append("  ".join(row[c].ljust(widths[c]) for c in text.columns).rstrip())
    typer.echo("\n".join(lines))


def run_with_limit(func: Any, kwargs: Mapping[str, Any], *, time_limit: float | None, label: str,
                   hint: str = "", every: float = 5.0) -> Any:
    """Run ``func(**kwargs)`` in a child process with progress on stderr and an optional time limit.

    ``func`` must be importable at module level (the child is spawned, not forked, so no lock
    or thread state is inherited). A search still running after ``time_limit`` seconds is
    stopped and reported as a clean error naming ``--time-limit``.
    """
    import multiprocessing
    import time

    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(func, dict(kwargs), sender), daemon=True)
    start = time.monotonic()
    child.start()
    sender.close()
    next_report = min(every, 2.0)
    try:
        while True:
            if receiver.poll(0.2):
                status, payload = receiver.recv()
                break
            elapsed = time.monotonic() - start
            if not child.is_alive() and not receiver.poll(0.2):
                raise CliError(f"error: {label} ended without a result (exit code {child.exitcode})")
            if time_limit and elapsed > time_limit:
                raise CliError(f"error: {label} stopped after {time_limit:g} s (--time-limit). {hint}".rstrip())
            if elapsed >= next_report:
                typer.echo(f"... {label}: {elapsed:.0f} s elapsed"
                           + (f" (limit {time_limit:g} s)" if time_limit else ""), err=True)
                next_report += every
    finally:
        if child.is_alive():
            child.terminate()
        child.join(5)
        receiver.close()
    if status == "error":
        kind, message = payload
        raise CliError(f"error: {message}" if kind == "her2sim" else f"error: {label} failed: {kind}: {message}")
    typer.echo(f"... {label}: done in {time.monotonic() - start:.1f} s", err=True)
    return payload


def _child(func: Any, kwargs: dict[str, Any], sender: Any) -> None:
    try:
        result = func(**kwargs)
    except Her2simError as exc:
        sender.send(("error", ("her2sim", str(exc))))
    except Exception as exc:  # reported by the parent as a clean message with the exception type
        sender.send(("error", (type(exc).__name__, str(exc))))
    else:
        sender.send(("ok", result))
    finally:
        sender.close()
