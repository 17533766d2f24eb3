"""HTTP routes of the incidents domain."""

from fastapi import APIRouter

router = APIRouter(tags=["incidents"])
