"""Job level from a free-text title, in English and French."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from leadsync.model import JobLevel

__all__ = ["TitleRules", "fold_title", "phrase_pattern"]


def fold_title(text: str) -> str:
    """Lower case, accents removed, punctuation as spaces: `Directeur Général` → `directeur general`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w+&]+", " ", bare).split())


def phrase_pattern(phrases: Sequence[str]) -> re.Pattern[str]:
    """One regex matching any phrase as whole words; a trailing `*` matches any word ending."""
    parts = []
    for phrase in phrases:
        folded = fold_title(phrase.removesuffix("*"))
        parts.append(re.escape(folded) + (r"\w*" if phrase.endswith("*") else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


_CACHE_SIZE = 16_384


@dataclass(frozen=True, slots=True)
class TitleRules:
    """Ordered (level, phrases) rules: the first that matches a title gives its level."""

    rules: tuple[tuple[JobLevel, re.Pattern[str]], ...]
    unmatched: JobLevel = JobLevel.INDIVIDUAL
    _seen: dict[str, JobLevel | None] = field(default_factory=dict, compare=False, repr=False)

    def level_for(self, title: str) -> JobLevel | None:
        """The level a title means; `unmatched` for a title no rule knows, None for no title.

        Titles repeat a lot across people, so answers are remembered (up to a bound).
        """
        level = self._seen.get(title, _UNSEEN)
        if level is _UNSEEN:
            level = self._level(title)
            if len(self._seen) < _CACHE_SIZE:
                self._seen[title] = level
        return level  # type: ignore[return-value]  # the sentinel never escapes

    def _level(self, title: str) -> JobLevel | None:
        folded = fold_title(title)
        if not folded:
            return None
        for level, pattern in self.rules:
            if pattern.search(folded):
                return level
        return self.unmatched


_UNSEEN = object()
