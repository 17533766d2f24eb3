"""HTTP routes of the documents domain."""

from fastapi import APIRouter

router = APIRouter(tags=["documents"])
