"""Assembles the routers of every resource."""

from fastapi import APIRouter

from api.routes import esco, health, jobseekers, quarantine, vacancies

api_router = APIRouter()
for module in (health, esco, jobseekers, vacancies, quarantine):
    api_router.include_router(module.router)

__all__ = ["api_router"]
