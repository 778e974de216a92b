"""Assembles the routers of every resource."""

from fastapi import APIRouter

from api.routes import esco, health, jobseekers, quarantine, vacancies
from api.routes import rematch as rematch_routes

api_router = APIRouter()
for module in (health, esco, jobseekers, vacancies, quarantine):
    api_router.include_router(module.router)
api_router.include_router(rematch_routes.router)

__all__ = ["api_router"]
