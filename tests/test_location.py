"""Location fit and distance: every branch of the documented rule, on real postcodes and hand-made places."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching.ranking.location import (
    COMMUNE_CODES,
    REGION_CODES,
    Place,
    PlaceColumns,
    Region,
    distance_km,
    distances_km,
    location_fit,
    location_fits,
    place_of,
)

POSTCODES = ("1000", "1020", "1050", "1120", "1180", "1300", "1930", "2000", "2018", "3000", "6600", "9000")


def place(postcode: str) -> Place:
    found = place_of(postcode)
    assert found is not None
    return found


def cosine_law_km(a: Place, b: Place) -> float:
    """Great-circle distance by the spherical law of cosines: a second formula to check the first."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    cos = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(math.radians(b.lon - a.lon))
    return 6371.0 * math.acos(min(1.0, cos))


def brussels(lat: float, lon: float, postcode: str = "1030", commune: str = "Schaerbeek") -> Place:
    return Place(postcode, Region.brussels, commune, lat, lon)


# -- postcodes ----------------------------------------------------------------------------------------------


def test_places_of_postcodes() -> None:
    assert place("1020") == Place("1020", Region.brussels, "Bruxelles", 50.880, 4.350)
    assert (place("1300").region, place("1300").commune) == (Region.wallonia, None)
    assert place("1930").region is Region.flanders  # Zaventem: Flemish Brabant, outside Brussels
    # A Brussels postcode missing from the table takes the commune of the nearest listed one.
    assert (place("1005").postcode, place("1005").commune) == ("1005", "Bruxelles")
    for missing in (None, "", "100", "10000", "B-1000", "0999"):
        assert place_of(missing) is None


def test_the_nineteen_communes_have_distinct_small_codes() -> None:
    assert len(COMMUNE_CODES) == 19
    assert sorted(COMMUNE_CODES.values()) == list(range(1, 20))
    assert 0 not in REGION_CODES.values() and len(set(REGION_CODES.values())) == 3


# -- every branch of the rule ---------------------------------------------------------------------------------


def test_same_postcode() -> None:
    assert location_fit(place("1000"), place("1000")) == 1.0
    assert location_fit(place("2000"), place("2000")) == 1.0


def test_same_commune_other_postcode() -> None:
    # 1000, 1020 (Laeken) and 1120 (Neder-Over-Heembeek) are all the commune of Bruxelles, kilometres apart.
    assert location_fit(place("1000"), place("1020")) == 0.9
    assert location_fit(place("1120"), place("1000")) == 0.9


def test_inside_brussels_falls_with_distance() -> None:
    a = brussels(50.85, 4.35)
    # 0.09 degrees of latitude on one meridian: 6371 * 0.09 * pi / 180 = 10.0074 km.
    b = brussels(50.94, 4.35, "1040", "Etterbeek")
    assert location_fit(a, b) == pytest.approx(0.85 - 0.25 * 10.00744 / 15, abs=1e-5)
    assert location_fit(a, brussels(50.85, 4.35, "1050", "Ixelles")) == pytest.approx(0.85)  # 0 km
    assert location_fit(a, brussels(51.05, 4.35, "1050", "Ixelles")) == pytest.approx(0.6)  # 22 km: the floor
    # Real postcodes: Bruxelles (1000) and Ixelles (1050), 2.54 km apart.
    km = distance_km(place("1000"), place("1050"))
    assert location_fit(place("1000"), place("1050")) == pytest.approx(0.85 - 0.25 * km / 15)
    assert 0.8 < location_fit(place("1000"), place("1050")) < 0.85


def test_same_region_outside_brussels() -> None:
    assert location_fit(place("2000"), place("9000")) == 0.5  # Antwerp and Ghent
    assert location_fit(place("2000"), place("2018")) == 0.5  # same province centre, another postcode
    assert location_fit(place("6600"), place("1300")) == 0.5


def test_elsewhere_falls_with_distance() -> None:
    km = distance_km(place("1000"), place("2000"))
    assert location_fit(place("1000"), place("2000")) == pytest.approx(0.3 - 0.2 * km / 100)
    # Brussels and its Flemish rim are different regions, however close.
    km = distance_km(place("1000"), place("1930"))
    assert km < 5
    assert location_fit(place("1000"), place("1930")) == pytest.approx(0.3 - 0.2 * km / 100)
    # Beyond 100 km: the floor.
    assert distance_km(place("1000"), place("6600")) > 100
    assert location_fit(place("1000"), place("6600")) == pytest.approx(0.1)


def test_unknown_on_either_side() -> None:
    assert location_fit(None, place("1000")) == 0.5
    assert location_fit(place("1000"), None) == 0.5
    assert location_fit(None, None) == 0.5
    assert location_fit(place("1000"), place_of("75001")) == 0.5


# -- one computation, many pairs ------------------------------------------------------------------------------


def test_columns_and_pairs_agree_and_are_symmetric() -> None:
    places = [place(p) for p in POSTCODES] + [None]
    columns = PlaceColumns.of(places)
    for a in places:
        fits = location_fits(a, columns)
        assert fits.shape == (len(places),)
        assert fits.tolist() == [location_fit(a, b) for b in places]
        assert fits.tolist() == [location_fit(b, a) for b in places]
        assert ((0.1 <= fits) & (fits <= 1.0)).all()


def test_unknown_places_are_columns_of_zeros_and_nan() -> None:
    columns = PlaceColumns.of([None, place("1020")])
    assert columns.postcode.tolist() == [0, 1020] and columns.region.tolist() == [0, REGION_CODES[Region.brussels]]
    assert columns.commune.tolist() == [0, COMMUNE_CODES["Bruxelles"]]
    km = distances_km(place("1000"), columns)
    assert math.isnan(km[0]) and km[1] == pytest.approx(3.78, abs=0.01)
    assert len(PlaceColumns.of([])) == 0 and location_fits(place("1000"), PlaceColumns.of([])).size == 0


# -- distances ------------------------------------------------------------------------------------------------


def test_distances_against_known_values() -> None:
    origin = Place("9999", Region.flanders, None, 0.0, 0.0)
    # One degree of latitude, and a quarter of the equator, on a sphere of radius 6371 km.
    assert distance_km(origin, Place("9999", Region.flanders, None, 1.0, 0.0)) == pytest.approx(111.19493, abs=1e-4)
    assert distance_km(origin, Place("9999", Region.flanders, None, 0.0, 90.0)) == pytest.approx(10007.543, abs=1e-3)
    assert distance_km(origin, origin) == 0.0
    # Brussels centre to Antwerp centre is about 42 km as the crow flies.
    assert distance_km(place("1000"), place("2000")) == pytest.approx(41.7, abs=0.5)


def test_distances_match_a_second_formula() -> None:
    places = [place(p) for p in POSTCODES]
    columns = PlaceColumns.of(places)
    for a in places:
        expected = [cosine_law_km(a, b) for b in places]
        np.testing.assert_allclose(distances_km(a, columns), expected, atol=1e-3)
