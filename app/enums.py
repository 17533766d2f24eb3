"""The closed vocabularies of DESIGN.md, exactly as the API spells them."""

from enum import IntEnum, StrEnum


class Role(StrEnum):
    """A member's role in one community."""

    manager = "manager"
    officer = "officer"
    staff = "staff"


class Occupancy(StrEnum):
    """Whether anyone lives in a household."""

    occupied = "occupied"
    vacant = "vacant"
    unknown = "unknown"


class CampaignStatus(StrEnum):
    """A campaign's life cycle."""

    draft = "draft"
    active = "active"
    closed = "closed"


class RoundStatus(StrEnum):
    """A visit round's life cycle."""

    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class EventStatus(StrEnum):
    """A convenience-service event's life cycle: the same words, and moves, as a round's."""

    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class Channel(StrEnum):
    """How a household was contacted."""

    door = "door"
    event = "event"
    walk_in = "walk_in"
    phone = "phone"


class Outcome(StrEnum):
    """What one contact attempt achieved."""

    reached = "reached"
    refused = "refused"
    materials_left = "materials_left"
    not_home = "not_home"
    vacant = "vacant"


class OutcomeRank(IntEnum):
    """A household's campaign status as a rank: its best contact wins (DESIGN §2).

    Event attendance and walk-ins rank as ``reached``; ``unvisited`` means no contact at all.
    """

    unvisited = -1
    vacant = 0
    not_home = 1
    materials_left = 2
    refused = 3
    reached = 4

    @property
    def status(self) -> str:
        """The household's campaign status as the API spells it (``reached``, ``unvisited``…)."""
        return self.name


class IncidentStatus(StrEnum):
    """Where a suspected-scam report stands."""

    reported = "reported"
    following_up = "following_up"
    escalated = "escalated"
    resolved = "resolved"


class JobStatus(StrEnum):
    """A background document render's state."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


KNOWN_FLAGS = (
    "elderly_alone",
    "previous_victim",
    "non_native_speaker",
    "disabled",
    "lives_alone",
    "tenant",
)


class RiskLevel(StrEnum):
    """How urgently the police station asks a resident to be reached."""

    high = "high"
    medium = "medium"
    low = "low"


class WarningStatus(StrEnum):
    """Where an early warning (预警) stands."""

    open = "open"
    reached = "reached"
    unreachable = "unreachable"
    closed = "closed"


class AttemptMethod(StrEnum):
    """How a warned resident was tried: face to face or by phone."""

    door = "door"
    phone = "phone"


class AttemptOutcome(StrEnum):
    """What one attempt on a warning achieved."""

    reached = "reached"
    not_home = "not_home"
    unreachable = "unreachable"
    refused = "refused"
