"""The demo company's 43 branches: real Canadian cities, weighted the way movers are.

Ontario carries most of the network, then BC, Alberta and Quebec, with a few
branches in the Prairies and Atlantic Canada. Coordinates are the city centre
(field events scatter around them); area codes make phone numbers look local.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared_models.enums import Province


@dataclass(frozen=True)
class Branch:
    code: str
    city: str
    province: Province
    area_codes: tuple[str, ...]
    lat: Decimal
    lng: Decimal


def _b(code: str, city: str, province: str, areas: str, lat: str, lng: str) -> Branch:
    return Branch(code, city, Province(province), tuple(areas.split()), Decimal(lat), Decimal(lng))


#: The first branch is the head office.
BRANCHES: tuple[Branch, ...] = (
    _b("TOR1", "Toronto", "ON", "416 647 437", "43.6532", "-79.3832"),
    _b("MIS1", "Mississauga", "ON", "905 289 365", "43.5890", "-79.6441"),
    _b("BRA1", "Brampton", "ON", "905 289 365", "43.7315", "-79.7624"),
    _b("VAU1", "Vaughan", "ON", "905 289", "43.8563", "-79.5085"),
    _b("MAR1", "Markham", "ON", "905 289", "43.8561", "-79.3370"),
    _b("OAK1", "Oakville", "ON", "905 289", "43.4675", "-79.6877"),
    _b("BUR1", "Burlington", "ON", "905 289", "43.3255", "-79.7990"),
    _b("HAM1", "Hamilton", "ON", "905 289 365", "43.2557", "-79.8711"),
    _b("STC1", "St. Catharines", "ON", "905 289", "43.1594", "-79.2469"),
    _b("OSH1", "Oshawa", "ON", "905 289", "43.8971", "-78.8658"),
    _b("BAR1", "Barrie", "ON", "705 249", "44.3894", "-79.6903"),
    _b("KIT1", "Kitchener", "ON", "519 226 548", "43.4516", "-80.4925"),
    _b("GUE1", "Guelph", "ON", "519 226", "43.5448", "-80.2482"),
    _b("LON1", "London", "ON", "519 226 548", "42.9849", "-81.2453"),
    _b("WIN1", "Windsor", "ON", "519 226", "42.3149", "-83.0364"),
    _b("KIN1", "Kingston", "ON", "613 343", "44.2312", "-76.4860"),
    _b("OTT1", "Ottawa", "ON", "613 343", "45.4215", "-75.6972"),
    _b("SUD1", "Greater Sudbury", "ON", "705 249", "46.4917", "-80.9930"),
    _b("VAN1", "Vancouver", "BC", "604 778 236", "49.2827", "-123.1207"),
    _b("SUR1", "Surrey", "BC", "604 778 236", "49.1913", "-122.8490"),
    _b("BNB1", "Burnaby", "BC", "604 778", "49.2488", "-122.9805"),
    _b("VIC1", "Victoria", "BC", "250 778", "48.4284", "-123.3656"),
    _b("KEL1", "Kelowna", "BC", "250 778", "49.8880", "-119.4960"),
    _b("CAL1", "Calgary", "AB", "403 587 825", "51.0447", "-114.0719"),
    _b("EDM1", "Edmonton", "AB", "780 587 825", "53.5461", "-113.4938"),
    _b("RED1", "Red Deer", "AB", "403 587", "52.2681", "-113.8112"),
    _b("LET1", "Lethbridge", "AB", "403 587", "49.6956", "-112.8451"),
    _b("STA1", "St. Albert", "AB", "780 587", "53.6305", "-113.6256"),
    _b("MTL1", "Montreal", "QC", "514 438", "45.5017", "-73.5673"),
    _b("LAV1", "Laval", "QC", "450 579", "45.6066", "-73.7124"),
    _b("QUE1", "Quebec City", "QC", "418 581", "46.8139", "-71.2080"),
    _b("GAT1", "Gatineau", "QC", "819 873", "45.4765", "-75.7013"),
    _b("SHE1", "Sherbrooke", "QC", "819 873", "45.4042", "-71.8929"),
    _b("WPG1", "Winnipeg", "MB", "204 431", "49.8951", "-97.1384"),
    _b("BDN1", "Brandon", "MB", "204 431", "49.8485", "-99.9501"),
    _b("SAS1", "Saskatoon", "SK", "306 639", "52.1332", "-106.6700"),
    _b("REG1", "Regina", "SK", "306 639", "50.4452", "-104.6189"),
    _b("HAL1", "Halifax", "NS", "902 782", "44.6488", "-63.5752"),
    _b("DAR1", "Dartmouth", "NS", "902 782", "44.6713", "-63.5772"),
    _b("MON1", "Moncton", "NB", "506", "46.0878", "-64.7782"),
    _b("FRE1", "Fredericton", "NB", "506", "45.9636", "-66.6431"),
    _b("SJN1", "St. John's", "NL", "709", "47.5615", "-52.7126"),
    _b("CHA1", "Charlottetown", "PE", "902 782", "46.2382", "-63.1311"),
)

HQ_CODE = BRANCHES[0].code

#: First letter of the postal district where a province has several (Toronto is M,
#: the rest of the GTA L, south-western Ontario N, eastern K, northern P; Montreal H).
POSTAL_DISTRICT = {
    "TOR1": "M",
    "KIT1": "N",
    "GUE1": "N",
    "LON1": "N",
    "WIN1": "N",
    "KIN1": "K",
    "OTT1": "K",
    "SUD1": "P",
    "MTL1": "H",
    "LAV1": "H",
    "QUE1": "G",
    "GAT1": "J",
    "SHE1": "J",
}

#: Who works where: 50 people. The head office and six hubs run their own
#: crews; a dozen small branches have a manager only (their moves are sold
#: locally and crewed by contractors until the branch grows).
STAFF: dict[str, tuple[str, ...]] = {
    "TOR1": (
        "SALES",
        "DISPATCHER",
        "CREW_LEAD",
        "CREW_MEMBER",
        "CREW_MEMBER",
        "CREW_MEMBER",
        "DRIVER",
        "DRIVER",
    ),
    "MIS1": ("MANAGER", "SALES", "CREW_LEAD", "CREW_MEMBER"),
    "OTT1": ("MANAGER", "CREW_LEAD", "DRIVER"),
    "VAN1": ("MANAGER", "DISPATCHER", "CREW_LEAD", "CREW_MEMBER"),
    "CAL1": ("MANAGER", "CREW_LEAD", "DRIVER"),
    "EDM1": ("MANAGER", "CREW_LEAD", "CREW_MEMBER"),
    "MTL1": ("MANAGER", "SALES", "CREW_LEAD", "DRIVER"),
    "HAM1": ("MANAGER", "CREW_LEAD", "DRIVER"),
    "WPG1": ("MANAGER", "CREW_LEAD"),
    "LON1": ("MANAGER",),
    "KIT1": ("MANAGER",),
    "SAS1": ("MANAGER",),
    "REG1": ("MANAGER",),
    "HAL1": ("MANAGER",),
    "MON1": ("MANAGER",),
    "QUE1": ("MANAGER",),
    "VIC1": ("MANAGER",),
    "SUR1": ("MANAGER",),
    "BRA1": ("MANAGER",),
}

#: Heavy-truck licence class by province (Ontario's D; class 3 in the West and
#: Quebec; elsewhere the same idea under other letters).
TRUCK_LICENCE = {
    Province.ON: "D",
    Province.QC: "3",
    Province.NS: "3",
    Province.NB: "3",
    Province.NL: "3",
    Province.PE: "3",
}
CAR_LICENCE = {
    Province.ON: "G",
    Province.QC: "5",
    Province.BC: "5",
    Province.AB: "5",
    Province.MB: "5",
    Province.SK: "5",
}


def truck_licence(province: Province) -> str:
    return TRUCK_LICENCE.get(province, "3")


def car_licence(province: Province) -> str:
    return CAR_LICENCE.get(province, "5")
