"""The closed vocabularies of DESIGN.md, exactly as the API spells them.

Each word list is a StrEnum whose values are its members' names (StrEnum's functional form
gives each member its lower-case name as its value); the docstring is the schema's description.
"""

from enum import IntEnum, StrEnum

Role = StrEnum("Role", "manager officer staff")
Role.__doc__ = "A member's role in one community."

Occupancy = StrEnum("Occupancy", "occupied vacant unknown")
Occupancy.__doc__ = "Whether anyone lives in a household."

CampaignStatus = StrEnum("CampaignStatus", "draft active closed")
CampaignStatus.__doc__ = "A campaign's life cycle."

RoundStatus = StrEnum("RoundStatus", "planned in_progress done cancelled")
RoundStatus.__doc__ = "A visit round's life cycle."

EventStatus = StrEnum("EventStatus", "planned in_progress done cancelled")
EventStatus.__doc__ = (
    "A convenience-service event's life cycle: the same words, and moves, as a round's."
)

Channel = StrEnum("Channel", "door event walk_in phone")
Channel.__doc__ = "How a household was contacted."

Outcome = StrEnum("Outcome", "reached refused materials_left not_home vacant")
Outcome.__doc__ = "What one contact attempt achieved."


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


IncidentStatus = StrEnum("IncidentStatus", "reported following_up escalated resolved")
IncidentStatus.__doc__ = "Where a suspected-scam report stands."

JobStatus = StrEnum("JobStatus", "queued running done failed")
JobStatus.__doc__ = "A background document render's state."


KNOWN_FLAGS = (
    "elderly_alone",
    "previous_victim",
    "non_native_speaker",
    "disabled",
    "lives_alone",
    "tenant",
)


RiskLevel = StrEnum("RiskLevel", "high medium low")
RiskLevel.__doc__ = "How urgently the police station asks a resident to be reached."

WarningStatus = StrEnum("WarningStatus", "open reached unreachable closed")
WarningStatus.__doc__ = "Where an early warning (预警) stands."

AttemptMethod = StrEnum("AttemptMethod", "door phone")
AttemptMethod.__doc__ = "How a warned resident was tried: face to face or by phone."

AttemptOutcome = StrEnum("AttemptOutcome", "reached not_home unreachable refused")
AttemptOutcome.__doc__ = "What one attempt on a warning achieved."
