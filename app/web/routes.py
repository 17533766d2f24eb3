"""HTTP routes of the web domain."""

from fastapi import APIRouter

router = APIRouter(tags=["web"])
