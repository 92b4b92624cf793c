"""Name lookup shared by the catalogues: case-, space- and punctuation-insensitive, with aliases."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Generic, TypeVar

from ..errors import UnknownNameError, ValidationError, closest

T = TypeVar("T")
V = TypeVar("V")


def normalise(name: str) -> str:
    """``"PTEN loss (complete)"`` → ``"ptenlosscomplete"``."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


class NameIndex(Generic[T]):
    """Items by every label (name and aliases); a label used by two items is an error."""

    def __init__(self, items: Iterable[T], labels: Callable[[T], Iterable[str]], kind: str):
        self._by_key: dict[str, T] = {}
        self._labels: list[str] = []
        self._canonical: dict[str, str] = {}  # label -> the item's canonical (first) label
        for item in items:
            names = list(labels(item))
            for label in names:
                self._canonical[label] = names[0]
                key = normalise(label)
                if self._by_key.get(key, item) is not item:
                    raise ValidationError(f"{kind} label {label!r} is used twice")
                self._by_key[key] = item
                self._labels.append(label)

    def lookup(self, name: object, argument: str) -> T:
        """The item labelled ``name``; :class:`UnknownNameError` names the canonical name of the closest label."""
        found = self._by_key.get(normalise(name)) if isinstance(name, str) else None
        if found is None:
            # suggest the canonical name of the closest label (an alias would hide the name to use)
            near = closest(str(name), self._labels)
            raise UnknownNameError(argument, str(name), sorted(set(self._canonical.values())),
                                   suggestion=None if near is None else self._canonical[near])
        return found


class DerivedView(Mapping[str, V]):
    """A read-only mapping re-derived from ``build()`` whenever it is read (the catalogues are the one
    vocabulary: a table derived from them must follow a registration made after import)."""

    def __init__(self, build: Callable[[], Mapping[str, V]]):
        self._build = build

    def __getitem__(self, key: str) -> V:
        return self._build()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return repr(self._build())
