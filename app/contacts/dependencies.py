"""The route dependency that loads a contact the actor may see.

Staff see the contacts they recorded and those of their rounds and events; any other is a 404
for them, as another community's is for everyone.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import ActorDep
from app.contacts import service
from app.contacts.models import Contact
from app.db import SessionDep


def _contact(session: SessionDep, actor: ActorDep, contact_id: uuid.UUID) -> Contact:
    return service.get_contact(session, actor=actor, contact_id=contact_id)


ContactDep = Annotated[Contact, Depends(_contact)]
"""The ``{contact_id}`` of the path, loaded for the request's actor; 404 otherwise."""
