"""What a higher layer hands down to a lower one, set when the higher module is imported.

The layers (README, ``lint-imports``) let a package import only those below it. Three needs
run the other way: the registry narrows buildings to a staff member's rounds and asks which
households a campaign counts as reached, and the job queue enqueues tasks that run services.
Each lower module declares a :class:`HandedIn` and the higher module provides it as it is
imported. Asking before it was provided is an error that names the module to import: never a
check skipped or more shown than allowed.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class HandedIn(Generic[T]):
    """One value a higher layer provides to this one when ``provider`` is imported."""

    def __init__(self, what: str, provider: str) -> None:
        self.what = what
        self.provider = provider
        self._value: T | None = None

    def provide(self, value: T) -> None:
        """Set the value (the providing module does this at import)."""
        self._value = value

    def get(self) -> T:
        """The value; RuntimeError naming the module to import when none was provided."""
        if self._value is None:
            raise RuntimeError(f"no {self.what}: import {self.provider} first")
        return self._value
