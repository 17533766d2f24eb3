"""HTTP routes of the planner domain."""

from fastapi import APIRouter

router = APIRouter(tags=["planner"])
