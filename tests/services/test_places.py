"""The place tree: the reference data of docs/domain.md and CSV imports."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from afr_aid.errors import Forbidden, Invalid
from afr_aid.extensions import db
from afr_aid.models import AuditEntry, Place
from afr_aid.services.cases import places as places_service

from .conftest import count, file

# docs/domain.md, "Places": transcribed, not read from the bundled CSV.
REFERENCE = {
    ("CD-NK", "North Kivu"): {"CD-NK-BEN": "Beni", "CD-NK-LUB": "Lubero", "CD-NK-MAS": "Masisi",
                              "CD-NK-NYI": "Nyiragongo", "CD-NK-RUT": "Rutshuru", "CD-NK-WAL": "Walikale",
                              "CD-NK-GOM": "Goma", "CD-NK-BUT": "Butembo"},
    ("CD-SK", "South Kivu"): {"CD-SK-FIZ": "Fizi", "CD-SK-IDJ": "Idjwi", "CD-SK-KAB": "Kabare",
                              "CD-SK-KAL": "Kalehe", "CD-SK-MWE": "Mwenga", "CD-SK-SHA": "Shabunda",
                              "CD-SK-UVI": "Uvira", "CD-SK-WAL": "Walungu", "CD-SK-BUK": "Bukavu"},
    ("CD-IT", "Ituri"): {"CD-IT-ARU": "Aru", "CD-IT-DJU": "Djugu", "CD-IT-IRU": "Irumu", "CD-IT-MAH": "Mahagi",
                         "CD-IT-MAM": "Mambasa", "CD-IT-BUN": "Bunia"},
    ("CD-TA", "Tanganyika"): {"CD-TA-KBL": "Kabalo", "CD-TA-KAL": "Kalemie", "CD-TA-KON": "Kongolo",
                              "CD-TA-MAN": "Manono", "CD-TA-MOB": "Moba", "CD-TA-NYU": "Nyunzu"},
    ("CD-MA", "Maniema"): {"CD-MA-KAB": "Kabambare", "CD-MA-KAI": "Kailo", "CD-MA-KAS": "Kasongo",
                           "CD-MA-KIB": "Kibombo", "CD-MA-LUB": "Lubutu", "CD-MA-PAN": "Pangi",
                           "CD-MA-PUN": "Punia", "CD-MA-KIN": "Kindu"},
}


def test_the_reference_tree_is_complete_with_its_parent_links(app):
    places = {p.code: p for p in db.session.scalars(select(Place))}
    country = places["CD"]
    assert country.level == "country" and country.parent_id is None and country.path == "CD"
    for (province_code, province_name), territories in REFERENCE.items():
        province = places[province_code]
        assert (province.name, province.level, province.parent_id) == (province_name, "province", country.id)
        assert province.path == f"CD/{province_code}"
        for code, name in territories.items():
            territory = places[code]
            assert (territory.name, territory.level, territory.parent_id) == (name, "territory", province.id), code
            assert territory.path == f"CD/{province_code}/{code}"
            assert province.covers(territory) and not territory.covers(province)
    assert len(places) == 1 + 5 + sum(len(t) for t in REFERENCE.values()) == 43


CSV_OK = (
    "code,name,level,parent\n"
    "CD-NK-GOM-KAT,Katindo,locality,CD-NK-GOM\n"
    "CD-NK-GOM-KAT-A,Katindo camp A,locality,CD-NK-GOM-KAT\n"
    "CD-SK-UVI-KAV,Kavimvira,locality,CD-SK-UVI\n"
)


def test_an_admin_imports_localities_under_territories(world):
    added, updated = places_service.import_places_csv(world.admin, CSV_OK.encode())
    assert (added, updated) == (3, 0)
    kat = places_service.get_place("CD-NK-GOM-KAT")
    camp = places_service.get_place("cd-nk-gom-kat-a")
    assert (kat.name, kat.level, kat.parent.code, kat.path) == ("Katindo", "locality", "CD-NK-GOM",
                                                                  "CD/CD-NK/CD-NK-GOM/CD-NK-GOM-KAT")
    assert camp.parent.code == "CD-NK-GOM-KAT"
    # The new places work at once: a case there belongs to Goma's and North Kivu's people.
    case = file(world.filer, location="CD-NK-GOM-KAT-A")
    assert world.coord_nk.covers(case.location) and not world.coord_sk.covers(case.location)
    assert count(AuditEntry, AuditEntry.action == "places.import", AuditEntry.actor_id == world.admin.id) == 1


def test_importing_again_adds_nothing_and_renames(world):
    places_service.import_places_csv(world.admin, CSV_OK.encode())
    added, updated = places_service.import_places_csv(world.admin, CSV_OK.replace("Kavimvira", "Kavimvira port").encode())
    assert (added, updated) == (0, 1)
    assert places_service.get_place("CD-SK-UVI-KAV").name == "Kavimvira port"


def test_a_byte_order_mark_and_windows_line_ends_are_fine(world):
    data = "\ufeff" + CSV_OK.replace("\n", "\r\n")
    assert places_service.import_places_csv(world.admin, data.encode("utf-8")) == (3, 0)


BAD_ROWS = [
    "CD-NK-GOM-X Y,Bad code,locality,CD-NK-GOM",
    ",No code,locality,CD-NK-GOM",
    "CD-NK-GOM-NONAME,,locality,CD-NK-GOM",
    "CD-NK-GOM-LVL,Bad level,village,CD-NK-GOM",
    "CD-NK-GOM-ORPH,Orphan,locality,CD-NK-NOPE",
    "CD-NK-GOM-NOPA,No parent,locality,",
    "CD-NK-GOM-LONG," + "x" * 121 + ",locality,CD-NK-GOM",
    "CD-NK-GOM-KAT,Katindo,province,CD-NK-GOM",     # a "province" inside Goma: donors would see it
    "CD-NK-GOM-KAT,Katindo,territory,CD-NK-GOM",    # a territory inside a territory
    "CD-NK-GOM-KAT,Katindo,locality,CD-NK",         # a locality straight under a province
    "CD-NK-X,Somewhere,locality,CD",
    "CD-ZZ,Zed,country,CD",                          # a country inside a country
]


def test_bad_rows_are_refused_with_their_line_number_and_nothing_is_added(world):
    """Levels must fit the tree (country > province > territory > locality):
    donors see places down to province level, regions are chosen down to
    territories, so a locality labelled "province" must not slip in."""
    for bad_row in BAD_ROWS:
        data = "code,name,level,parent\nCD-NK-GOM-OK,Fine,locality,CD-NK-GOM\n" + bad_row + "\n"
        with pytest.raises(Invalid) as refused:
            places_service.import_places_csv(world.admin, data.encode())
        assert list(refused.value.fields) == ["file"], bad_row
        messages = [str(m) for m in refused.value.fields["file"]]
        assert messages and all("Line 3" in m for m in messages), (bad_row, messages)
        assert count(Place) == 43, bad_row  # all or nothing
    assert places_service.get_place("CD-NK-GOM-OK") is None
    assert [p.code for p in places_service.all_places("province")] == ["CD", "CD-IT", "CD-MA", "CD-NK", "CD-SK",
                                                                        "CD-TA"]


def test_every_bad_row_is_reported(world):
    data = ("code,name,level,parent\n"
            "CD-NK-GOM-A,Fine,locality,CD-NK-GOM\n"
            "bad code,X,locality,CD-NK-GOM\n"
            "CD-NK-GOM-B,Fine too,locality,CD-NK-GOM\n"
            "CD-NK-GOM-C,Y,hamlet,CD-NK-GOM\n")
    with pytest.raises(Invalid) as refused:
        places_service.import_places_csv(world.admin, data.encode())
    messages = " ".join(str(m) for m in refused.value.fields["file"])
    assert "Line 3" in messages and "Line 5" in messages
    assert "Line 2" not in messages and "Line 4" not in messages


def test_a_file_that_is_not_a_places_csv_is_refused(world):
    for data in (b"\xff\xfe\x00bad", b"code;name;level;parent\nA;B;C;D\n", b"code,name\nX,Y\n", b""):
        with pytest.raises(Invalid) as refused:
            places_service.import_places_csv(world.admin, data)
        assert list(refused.value.fields) == ["file"], data


def test_only_admins_import_places(world):
    for user in (world.coord_nk, world.filer, world.donor):
        with pytest.raises(Forbidden):
            places_service.import_places_csv(user, CSV_OK.encode())
    assert places_service.get_place("CD-NK-GOM-KAT") is None


def test_other_countries_and_their_provinces_can_be_added(world):
    data = ("code,name,level,parent\n"
            "RW,Rwanda,country,\n"
            "RW-01,Kigali,province,RW\n"
            "RW-01-GAS,Gasabo,territory,RW-01\n"
            "RW-01-GAS-KIM,Kimironko,locality,RW-01-GAS\n")
    assert places_service.import_places_csv(world.admin, data.encode()) == (4, 0)
    assert places_service.get_place("RW-01-GAS-KIM").path == "RW/RW-01/RW-01-GAS/RW-01-GAS-KIM"
