"""Name lookup shared by the catalogues: case-, space- and punctuation-insensitive, with aliases."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from ..errors import UnknownNameError, ValidationError

T = TypeVar("T")


def normalise(name: str) -> str:
    """``"PTEN loss (complete)"`` → ``"ptenlosscomplete"``."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


class NameIndex(Generic[T]):
    """Items by every label (name and aliases); a label used by two items is an error."""

    def __init__(self, items: Iterable[T], labels: Callable[[T], Iterable[str]], kind: str):
        self._by_key: dict[str, T] = {}
        self._labels: list[str] = []
        for item in items:
            for label in labels(item):
                key = normalise(label)
                if self._by_key.get(key, item) is not item:
                    raise ValidationError(f"{kind} label {label!r} is used twice")
                self._by_key[key] = item
                self._labels.append(label)

    def lookup(self, name: object, argument: str) -> T:
        """The item labelled ``name``; :class:`UnknownNameError` names the closest label."""
        found = self._by_key.get(normalise(name)) if isinstance(name, str) else None
        if found is None:
            raise UnknownNameError(argument, str(name), self._labels)
        return found
