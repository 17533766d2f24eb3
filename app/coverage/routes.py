"""HTTP routes of the coverage domain."""

from fastapi import APIRouter

router = APIRouter(tags=["coverage"])
