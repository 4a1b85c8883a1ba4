"""The vocabulary of the sample licensee: strains, items, partners, labs and test panels."""

from __future__ import annotations

from typing import Final, NamedTuple

LICENSE_NUMBER: Final = "020-10040512F3E"
FACILITY_CODE: Final = "00CC7D2"
TAG_PREFIX: Final = "1A40300"
FIRST_TAG_NUMBER: Final = 1_000
FIRST_PACKAGE_ID: Final = 2_140_000
FIRST_LAB_TEST_RESULT_ID: Final = 8_610_000
FIRST_DOCUMENT_FILE_ID: Final = 351_000
FIRST_HARVEST_DAY: Final = 20_180  # 2025-04-01, in days since 1970-01-01

# name, abbreviation used in harvest names (2025-BD-H014)
STRAINS: Final = (
    ("Blue Dream", "BD"),
    ("Gorilla Glue", "GG"),
    ("Sour Diesel", "SD"),
    ("OG Kush", "OG"),
    ("Girl Scout Cookies", "GS"),
    ("Granddaddy Purple", "GP"),
    ("Wedding Cake", "WC"),
    ("Gelato", "GL"),
    ("Jack Herer", "JH"),
    ("Pineapple Express", "PE"),
    ("Durban Poison", "DP"),
    ("Green Crack", "GC"),
)


class Partner(NamedTuple):
    """Another licensee this one receives packages from."""

    license_number: str
    facility_code: str


PARTNERS: Final = (
    Partner("020-1004567A2B", "0004A51"),
    Partner("020-10031948D1C", "0002F19"),
    Partner("030-1002215E7F", "00071B3"),
    Partner("020-1005580B9A", "0009E42"),
    Partner("020-10022741C0D", "0003D88"),
)


class Lab(NamedTuple):
    license_number: str
    name: str


LABS: Final = (
    Lab("010-1000172A11", "Cascade Analytical Labs"),
    Lab("010-1000398B27", "Willamette Valley Testing"),
    Lab("010-1000455C30", "High Desert Labs"),
    Lab("010-1000611D42", "Columbia Gorge Analytics"),
)

CONCENTRATE_STYLES: Final = ("Live Resin", "Shatter", "Wax", "Budder", "Sugar")
EXTRACT_STYLES: Final = ("Distillate", "CO2 Oil")
CONCENTRATE_EACH_STYLES: Final = ("Live Resin Cart 1g", "Shatter 1g", "Distillate Cart 0.5g")
PRE_ROLL_STYLES: Final = ("1g Pre-Roll", "0.5g Pre-Roll 2pk")
EDIBLE_BULK_ITEMS: Final = ("Gummies Bulk", "Chocolate Bulk", "Caramels Bulk")
EDIBLE_EACH_ITEMS: Final = {  # bulk item -> the packaged item made from it
    "Gummies Bulk": "Gummies 10pk 50mg",
    "Chocolate Bulk": "Chocolate Bar 100mg",
    "Caramels Bulk": "Caramels 10pk 50mg",
}
RECEIVED_EDIBLE_ITEMS: Final = ("Fruit Chews 10pk 50mg", "Dark Chocolate Bar 100mg")

LOCATIONS: Final = {
    "Buds": "Flower Vault",
    "Shake/Trim": "Trim Storage",
    "Non-Infused (Plain) Pre-Roll": "Packaging Room",
    "Concentrate": "Extraction Lab",
    "Concentrate (each)": "Packaging Room",
    "Extracts": "Extraction Lab",
    "Edibles": "Kitchen",
    "Edibles (each)": "Packaging Room",
    "Waste": "Waste Storage",
}
QUARANTINE_LOCATION: Final = "Quarantine"


class TestType(NamedTuple):
    """One line of a lab result, with the plausible levels of a pass and of a fail."""

    name: str
    pass_low: float
    pass_high: float
    fail_low: float
    fail_high: float


_PESTICIDES: Final = (
    "Myclobutanil", "Bifenazate", "Abamectin", "Bifenthrin", "Boscalid", "Carbaryl",
    "Chlorpyrifos", "Cypermethrin", "Etoxazole", "Imidacloprid", "Malathion", "Permethrin",
    "Piperonyl Butoxide", "Pyrethrins", "Spinosad", "Spiromesifen", "Tebuconazole",
    "Trifloxystrobin",
)  # fmt: skip
_SOLVENTS: Final = (
    "Butane", "Propane", "Ethanol", "Hexanes", "Heptane", "Isopropanol", "Acetone",
    "Methanol", "Pentane", "Toluene", "Xylenes", "Benzene",
)  # fmt: skip

PESTICIDE_TESTS: Final = tuple(
    TestType(f"Pesticides (ppm) {p}", 0, 0.09, 0.3, 3) for p in _PESTICIDES
)
FLOWER_PANEL: Final = (
    TestType("Total THC (%) Flower", 14, 31, 14, 31),
    TestType("Total CBD (%) Flower", 0, 1.2, 0, 1.2),
    TestType("THCa (%) Flower", 15, 34, 15, 34),
    TestType("CBDa (%) Flower", 0, 1.3, 0, 1.3),
    TestType("Delta-9 THC (%) Flower", 0.1, 1.5, 0.1, 1.5),
    TestType("Moisture Content (%) Flower", 6, 13, 15.5, 22),
    TestType("Water Activity (Aw) Flower", 0.45, 0.64, 0.66, 0.8),
    *PESTICIDE_TESTS,
)
CONCENTRATE_PANEL: Final = (
    TestType("Total THC (%) Concentrate", 60, 92, 60, 92),
    TestType("Total CBD (%) Concentrate", 0, 3, 0, 3),
    TestType("THCa (%) Concentrate", 55, 90, 55, 90),
    TestType("CBDa (%) Concentrate", 0, 3, 0, 3),
    TestType("Delta-9 THC (%) Concentrate", 1, 10, 1, 10),
    *(TestType(f"Residual Solvents (ppm) {s}", 0, 400, 5200, 9000) for s in _SOLVENTS),
    *PESTICIDE_TESTS,
)
EDIBLE_PANEL: Final = (
    TestType("Total THC (mg/serving) Edible", 4.6, 5.4, 4.6, 5.4),
    TestType("Total THC (mg/package) Edible", 46, 54, 46, 54),
    TestType("Total CBD (mg/serving) Edible", 0, 0.5, 0, 0.5),
    TestType("Homogeneity (%RSD) Edible", 2, 18, 26, 45),
    TestType("Water Activity (Aw) Edible", 0.3, 0.8, 0.87, 0.95),
    TestType("Microbiological (cfu/g) E. coli Edible", 0, 9, 120, 900),
    TestType("Microbiological (cfu/g) Salmonella Edible", 0, 0, 1, 20),
    TestType("Mycotoxins (ppb) Total Aflatoxins Edible", 0, 5, 21, 60),
)

# matrix (index into PANELS) -> smallest and largest number of lines in one result
PANELS: Final = (FLOWER_PANEL, CONCENTRATE_PANEL, EDIBLE_PANEL)
PANEL_LINES: Final = ((12, 25), (20, 30), (4, 8))
FLOWER, CONCENTRATE, EDIBLE = 0, 1, 2
