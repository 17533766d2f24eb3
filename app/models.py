"""Imports every module that declares tables, so that metadata (and alembic) sees the whole schema.

The modules are imported for what importing them does (each one's tables join
``Base.metadata``); code that needs a model imports it from its own package.
"""

# ruff: noqa: F401  (each import is for its side effect: the module's tables join the metadata)

import app.auth.models
import app.campaigns.models
import app.communities.models
import app.contacts.models
import app.coverage.models
import app.documents.models
import app.incidents.models
import app.notifications.models
import app.planner.models
import app.verification.models
import app.warnings.models
