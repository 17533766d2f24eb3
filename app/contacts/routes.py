"""HTTP routes of the contacts domain."""

from fastapi import APIRouter

router = APIRouter(tags=["contacts"])
