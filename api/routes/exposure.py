"""The exposure audit (admin role): import of the restricted group attributes, runs, counterfactual check.

Its paths stay under ``/admin/audit`` (clients in the field use them); the audit log of who read what is
``api.routes.audit``, under ``/audit``.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status
from fastapi.exceptions import HTTPException

from api.deps import FairnessDep
from api.routes.common import RowId
from matching.fairness import InvalidAttributeFile, check_columns

router = APIRouter(prefix="/admin/audit", tags=["exposure audit"])


@router.post("/attributes", status_code=status.HTTP_201_CREATED)
def import_attributes(
    fairness: FairnessDep,
    body: Annotated[
        str, Body(media_type="text/csv", min_length=1, description="CSV: id, gender, age_band, nationality_group")
    ],
) -> dict[str, Any]:
    """Import group attributes (CSV body) into the exposure audit's restricted table; nothing else is accepted."""
    reader = csv.DictReader(io.StringIO(body))
    try:
        check_columns(reader.fieldnames or [])
        return fairness.exposure.import_rows(list(reader)).as_dict()
    except InvalidAttributeFile as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except csv.Error as exc:  # a field beyond the reader's limit, a broken quote
        raise HTTPException(status_code=422, detail=f"the audit file is not readable CSV: {exc}") from exc


@router.post("/runs", status_code=status.HTTP_201_CREATED)
def run_exposure_audit(fairness: FairnessDep) -> dict[str, Any]:
    """Run the exposure audit now on every open vacancy's list (the engine's ranking and as shown); kept."""
    return fairness.exposure_audit().to_json()


@router.get("/runs")
def exposure_runs(fairness: FairnessDep, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[dict[str, Any]]:
    """The latest exposure audit runs, newest first, with their alert counts."""
    return fairness.exposure.runs(limit)


@router.get("/runs/latest")
def latest_run(fairness: FairnessDep) -> dict[str, Any]:
    """The latest exposure audit run with its whole report."""
    return _run(fairness, None)


@router.get("/runs/{run_id}")
def exposure_run(run_id: RowId, fairness: FairnessDep) -> dict[str, Any]:
    """One exposure audit run with its whole report."""
    return _run(fairness, run_id)


def _run(fairness: FairnessDep, run_id: int | None) -> dict[str, Any]:
    found = fairness.exposure.run(run_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no audit run" if run_id is None else f"no audit run {run_id}")
    return found


@router.post("/counterfactual")
def counterfactual(fairness: FairnessDep) -> dict[str, Any]:
    """The counterfactual gender check now: rank-biased overlap of every list with its gender-swapped twin."""
    return fairness.counterfactual().to_json()
