"""Plain result types shared by every backend, the worker, the kiosk and the products."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Literal, Protocol

from PIL import Image

# progress(done, total, message): called by backends during a job
ProgressFn = Callable[[int, int, str], None]
# how a line's text was obtained: drawn by the backend, redrawn by its edit mode on the line's
# box (generator/repair.py), or set by us over the art as the last resort
TextPath = Literal["model", "repaired", "typeset"]


class CancelToken(Protocol):
    def is_set(self) -> bool: ...  # threading.Event satisfies this


@dataclass(frozen=True)
class LineCheck:
    """OCR read-back of one text line."""
    expected: str
    read: str
    exact: bool          # read back exactly (after folding width and look-alike punctuation)
    ned: float           # 1 - Levenshtein / max length
    confidence: float
    unverifiable: str = ""  # characters outside the recognizer's dictionary (cannot be judged)
    path: TextPath = "model"  # how the text was obtained
    tries: int = 0          # edit-mode tries spent on this line (generator/repair.py)

    @property
    def passes(self) -> bool:
        """Reads back exactly, or cannot be judged (characters outside the dictionary): such a
        line is shown as unverifiable, never called wrong, and never repaired."""
        return self.exact or bool(self.unverifiable)

    def obtained(self, path: TextPath, tries: int) -> "LineCheck":
        return replace(self, path=path, tries=tries)

    def to_dict(self) -> dict:
        return dict(expected=self.expected, read=self.read, exact=self.exact, ned=round(self.ned, 4),
                    confidence=round(self.confidence, 4), unverifiable=self.unverifiable,
                    path=self.path, tries=self.tries)


@dataclass
class Candidate:
    image: Image.Image           # RGB, the art at the requested size
    seed: int
    checks: list[LineCheck] = field(default_factory=list)

    @property
    def all_exact(self) -> bool:
        return bool(self.checks) and all(c.exact for c in self.checks)

    @property
    def all_pass(self) -> bool:
        """Every line reads back exactly or is unverifiable: fit to offer a visitor."""
        return bool(self.checks) and all(c.passes for c in self.checks)

    @property
    def mean_ned(self) -> float:
        return sum(c.ned for c in self.checks) / len(self.checks) if self.checks else 0.0


@dataclass
class GeneratedArt:
    backend: str
    size: tuple[int, int]        # width, height in pixels
    candidates: list[Candidate]
    info: dict = field(default_factory=dict)  # backend details (steps, timings, weights used...)

    @property
    def best(self) -> Candidate:
        return max(self.candidates, key=lambda c: (c.all_pass, c.all_exact, c.mean_ned))
