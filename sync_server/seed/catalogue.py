"""Static reference content: the household cube sheet and the default rate card.

Volumes are the usual mover's cube-sheet figures (a 3-seat sofa 35 cu ft, a
queen bed with mattress and box spring about 60); weights are left to the rate
card's density except where an item is much denser than furniture.
"""

from __future__ import annotations

from decimal import Decimal

#: (name, room, category, cubic feet, weight lb or None, handling minutes, specialty)
CATALOGUE: tuple[tuple[str, str, str, str, str | None, int, bool], ...] = (
    ("Sofa, 3-seat", "Living room", "Furniture", "35", None, 10, False),
    ("Loveseat", "Living room", "Furniture", "25", None, 8, False),
    ("Sectional sofa, per piece", "Living room", "Furniture", "30", None, 10, False),
    ("Armchair", "Living room", "Furniture", "15", None, 5, False),
    ("Recliner", "Living room", "Furniture", "20", None, 5, False),
    ("Coffee table", "Living room", "Furniture", "5", None, 3, False),
    ("End table", "Living room", "Furniture", "3", None, 2, False),
    ("Bookcase, large", "Living room", "Furniture", "20", None, 10, False),
    ("TV, 55 inch", "Living room", "Electronics", "10", "45", 10, False),
    ("TV, 75 inch", "Living room", "Electronics", "15", "80", 15, False),
    ("TV stand / media console", "Living room", "Furniture", "12", None, 5, False),
    ("Area rug, rolled", "Living room", "Furniture", "6", None, 3, False),
    ("Floor lamp", "Living room", "Furniture", "3", None, 3, False),
    ("Dining table", "Dining room", "Furniture", "30", None, 15, False),
    ("Dining chair", "Dining room", "Furniture", "5", None, 1, False),
    ("China cabinet / hutch", "Dining room", "Furniture", "40", None, 20, False),
    ("Buffet / sideboard", "Dining room", "Furniture", "30", None, 10, False),
    ("Bed, king (with mattress and box spring)", "Bedroom", "Furniture", "70", None, 20, False),
    ("Bed, queen (with mattress and box spring)", "Bedroom", "Furniture", "60", None, 15, False),
    ("Bed, double (with mattress and box spring)", "Bedroom", "Furniture", "50", None, 15, False),
    ("Bed, single (with mattress)", "Bedroom", "Furniture", "35", None, 10, False),
    ("Bunk bed set", "Bedroom", "Furniture", "70", None, 25, False),
    ("Crib", "Bedroom", "Furniture", "10", None, 10, False),
    ("Dresser, large", "Bedroom", "Furniture", "40", None, 5, False),
    ("Dresser, small", "Bedroom", "Furniture", "30", None, 5, False),
    ("Nightstand", "Bedroom", "Furniture", "5", None, 2, False),
    ("Armoire / wardrobe", "Bedroom", "Furniture", "40", None, 15, False),
    ("Mirror, large", "Bedroom", "Furniture", "5", None, 10, False),
    ("Desk", "Office", "Furniture", "25", None, 10, False),
    ("Office chair", "Office", "Furniture", "6", None, 2, False),
    ("Filing cabinet, 4 drawer", "Office", "Furniture", "10", "120", 5, False),
    ("Computer and monitor", "Office", "Electronics", "5", "30", 10, False),
    ("Refrigerator", "Kitchen", "Appliance", "45", "250", 20, False),
    ("Stove / range", "Kitchen", "Appliance", "30", "180", 15, False),
    ("Dishwasher", "Kitchen", "Appliance", "20", "120", 20, False),
    ("Microwave", "Kitchen", "Appliance", "3", "35", 2, False),
    ("Kitchen table", "Kitchen", "Furniture", "20", None, 10, False),
    ("Bar stool", "Kitchen", "Furniture", "3", None, 1, False),
    ("Washer", "Laundry", "Appliance", "25", "170", 20, False),
    ("Dryer", "Laundry", "Appliance", "25", "125", 15, False),
    ("Freezer, chest", "Laundry", "Appliance", "30", "150", 15, False),
    ("Patio table", "Outdoor", "Furniture", "15", None, 5, False),
    ("Patio chair", "Outdoor", "Furniture", "5", None, 1, False),
    ("Barbecue", "Outdoor", "Outdoor", "10", "110", 10, False),
    ("Lawn mower", "Garage", "Outdoor", "6", "75", 5, False),
    ("Bicycle", "Garage", "Outdoor", "10", None, 5, False),
    ("Tool chest", "Garage", "Garage", "15", "200", 10, False),
    ("Workbench", "Garage", "Garage", "20", "150", 15, False),
    ("Shelving unit, metal", "Garage", "Garage", "10", None, 15, False),
    ("Treadmill", "Basement", "Fitness", "30", "250", 25, False),
    ("Exercise bike", "Basement", "Fitness", "10", "100", 10, False),
    ("Box, small (1.5 cu ft)", "Boxes", "Box", "1.5", "20", 0, False),
    ("Box, medium (3 cu ft)", "Boxes", "Box", "3", "30", 0, False),
    ("Box, large (4.5 cu ft)", "Boxes", "Box", "4.5", "35", 0, False),
    ("Wardrobe box", "Boxes", "Box", "10", "45", 2, False),
    ("Dish pack", "Boxes", "Box", "5", "60", 2, False),
    ("Piano, upright", "Specialty", "Specialty", "70", "500", 45, True),
    ("Piano, baby grand", "Specialty", "Specialty", "80", "650", 90, True),
    ("Safe, gun or document (under 500 lb)", "Specialty", "Specialty", "12", "450", 45, True),
    ("Hot tub", "Specialty", "Specialty", "150", "800", 120, True),
    ("Pool table, slate", "Specialty", "Specialty", "60", "700", 120, True),
    ("Grandfather clock", "Specialty", "Specialty", "20", "150", 40, True),
)


def _m(label: str, price: str, unit: str) -> dict[str, str]:
    return {"label": label, "price": price, "unit": unit}


#: Packing materials, keyed by the code the quote lines and stock SKUs share.
PACKING_MATERIALS = {
    "BOX-S": _m("Small box (1.5 cu ft)", "3.25", "box"),
    "BOX-M": _m("Medium box (3 cu ft)", "4.25", "box"),
    "BOX-L": _m("Large box (4.5 cu ft)", "5.25", "box"),
    "BOX-W": _m("Wardrobe box", "19.95", "box"),
    "DISH": _m("Dish pack with dividers", "12.95", "box"),
    "TAPE": _m("Packing tape, 2 in x 110 yd", "4.50", "roll"),
    "MB-Q": _m("Mattress bag, queen/king", "14.95", "ea"),
    "BUBBLE": _m("Bubble wrap, 12 in x 100 ft", "29.95", "roll"),
    "PAPER": _m("Packing paper, 25 lb bundle", "34.95", "bundle"),
    "STRETCH": _m("Stretch wrap, 18 in roll", "24.95", "roll"),
}
SPECIALTY_SERVICES = {
    "PIANO-UP": _m("Piano move, upright", "275.00", "ea"),
    "PIANO-GR": _m("Piano move, baby grand", "695.00", "ea"),
    "SAFE": _m("Safe move (under 500 lb)", "250.00", "ea"),
    "HOT-TUB": _m("Hot tub move", "595.00", "ea"),
    "POOL-TBL": _m("Pool table, disassemble and reassemble", "395.00", "ea"),
    "APPL-DISC": _m("Appliance disconnect and reconnect", "75.00", "ea"),
    "CRATE": _m("Custom crating (art, glass)", "185.00", "ea"),
}
EQUIPMENT_RENTAL = {
    "WARDROBE-R": _m("Wardrobe box rental", "12.00", "ea"),
    "BLANKETS": _m("Moving blankets, extra", "1.50", "ea"),
    "DOLLY-APP": _m("Appliance dolly rental", "25.00", "day"),
    "BIN-RENT": _m("Plastic moving bins, 2 weeks", "4.00", "ea"),
}
STORAGE_RATES = {"vault": "129.00", "half_vault": "79.00", "climate_vault": "159.00"}
STORAGE_LABELS = {
    "vault": "Storage vault (7x5x7 ft)",
    "half_vault": "Storage, half vault",
    "climate_vault": "Climate-controlled storage vault",
}


def default_rate_card() -> dict[str, object]:
    """The tenant-wide CAD rate card (Greater Toronto pricing, used everywhere by default)."""
    return {
        "hourly_rates": {"2": "159.00", "3": "209.00", "4": "259.00"},
        "additional_mover_rate": Decimal("50.00"),
        "minimum_hours": Decimal(3),
        "truck_fee": Decimal("79.00"),
        "travel_flat_fee": Decimal("89.00"),
        "travel_rate_per_km": Decimal("1.95"),
        "travel_free_km": Decimal(40),
        "fuel_surcharge_pct": Decimal(0),
        "packing_materials": PACKING_MATERIALS,
        "storage_rates": STORAGE_RATES,
        "specialty_services": SPECIALTY_SERVICES,
        "equipment_rental": EQUIPMENT_RENTAL,
        "long_distance_rates": [
            {"max_km": 500, "rate_per_lb": "0.95"},
            {"max_km": 1500, "rate_per_lb": "1.35"},
            {"max_km": 5000, "rate_per_lb": "1.85"},
        ],
        "released_value_rate_per_lb": Decimal("0.60"),
        "full_value_rate_per_lb_min": Decimal("6.00"),
        "full_value_min_amount": Decimal(6000),
        "full_value_rates": {"0": "12.00", "250": "9.50", "500": "7.50"},
        "density_lb_per_cuft": Decimal("7.0"),
    }


def usd_rate_card() -> dict[str, object]:
    """Windsor's cross-border card, priced in US dollars for Detroit-area customers."""
    card = default_rate_card()
    card.update(
        hourly_rates={"2": "119.00", "3": "159.00", "4": "199.00"},
        additional_mover_rate=Decimal("38.00"),
        truck_fee=Decimal("59.00"),
        travel_flat_fee=Decimal("69.00"),
        travel_rate_per_km=Decimal("1.45"),
        full_value_min_amount=Decimal(4500),
    )
    return card
