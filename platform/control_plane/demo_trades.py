"""The two demo trades as data: category trees and the vocabulary their products are made of.

Each leaf category (``Leaf``) lists its axes (size, length, finish, grade…) as ``(words, SKU
token)`` pairs; every combination of one value per axis is a product, named from ``name`` and
priced from ``price`` with a step per axis position. ``demo_catalogue`` picks an even share of
the combinations per leaf, so a small catalogue (tests) still covers every category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Axis = list[tuple[str, str]]


@dataclass(frozen=True)
class Leaf:
    path: tuple[str, ...]
    code: str
    name: str
    axes: dict[str, Axis]
    description: str
    attributes: dict[str, str]
    price: float
    steps: dict[str, float] = field(default_factory=dict)
    unit: str = "pcs"
    packs: tuple[int, ...] = (1,)
    pallet: int | None = None
    order_in_packs: bool = True


@dataclass(frozen=True)
class Trade:
    sku_prefix: str
    palette: dict[str, tuple[str, str]]  # top-level category: (background, ink)
    shapes: dict[str, str]  # top-level category: shape drawn on its pictures
    leaves: tuple[Leaf, ...]


def _axis(*values: str) -> Axis:
    """Values whose SKU token is the value itself without spaces (``M8`` → ``M8``)."""
    return [(v, re.sub(r"[^A-Za-z0-9.]", "", v.replace("µ", "u")).upper()) for v in values]


METRIC = _axis("M5", "M6", "M8", "M10", "M12", "M16")
FINISH = [("zinc plated", "ZP"), ("A2 stainless", "A2"), ("hot-dip galvanised", "HDG")]
GLOVE_SIZES = _axis("7", "8", "9", "10", "11")

NORTHWIND = Trade(
    sku_prefix="NW",
    palette={
        "Fasteners": ("#dbe4f0", "#1d3557"),
        "Tools": ("#f3e3d3", "#8a4b17"),
        "Safety gear": ("#f6f0c8", "#6b5d00"),
    },
    shapes={"Fasteners": "hexagon", "Tools": "wrench", "Safety gear": "shield"},
    leaves=(
        Leaf(
            ("Fasteners", "Bolts", "Hex bolts"),
            "HB933",
            "Hex bolt DIN 933 {size}×{length}, {finish}",
            {"size": METRIC, "length": _axis("20", "30", "40", "50", "60", "80"), "finish": FINISH},
            "Fully threaded hexagon head bolt to DIN 933 / ISO 4017, strength class 8.8 "
            "(A2-70 for stainless). For steel construction and machine building.",
            {
                "Thread": "{size}",
                "Length": "{length} mm",
                "Standard": "DIN 933",
                "Finish": "{finish}",
            },
            0.06,
            {"size": 0.45, "length": 0.12, "finish": 0.9},
            packs=(100, 200),
            pallet=400,
        ),
        Leaf(
            ("Fasteners", "Bolts", "Carriage bolts"),
            "CB603",
            "Carriage bolt DIN 603 {size}×{length}, {finish}",
            {
                "size": _axis("M6", "M8", "M10", "M12"),
                "length": _axis("40", "60", "80", "100"),
                "finish": FINISH[:2],
            },
            "Mushroom head square neck bolt to DIN 603, with nut. The square neck locks in "
            "timber: ideal for fencing, decking frames and gates.",
            {
                "Thread": "{size}",
                "Length": "{length} mm",
                "Standard": "DIN 603",
                "Finish": "{finish}",
            },
            0.11,
            {"size": 0.4, "length": 0.15, "finish": 1.1},
            packs=(50, 100),
            pallet=300,
        ),
        Leaf(
            ("Fasteners", "Screws", "Wood screws"),
            "WS",
            "Chipboard screw {diameter}×{length} mm, Torx, {finish}",
            {
                "diameter": _axis("3.5", "4.0", "4.5", "5.0", "6.0"),
                "length": _axis("25", "35", "40", "50", "60", "80"),
                "finish": [("yellow zinc", "YZ"), ("A2 stainless", "A2")],
            },
            "Countersunk chipboard screw with Torx drive and partial thread, cut point for "
            "splitting-free driving close to edges.",
            {
                "Diameter": "{diameter} mm",
                "Length": "{length} mm",
                "Drive": "Torx",
                "Finish": "{finish}",
            },
            0.025,
            {"diameter": 0.25, "length": 0.12, "finish": 1.6},
            packs=(200, 500),
            pallet=600,
        ),
        Leaf(
            ("Fasteners", "Screws", "Machine screws"),
            "MS7985",
            "Pan head machine screw ISO 7045 {size}×{length}, {finish}",
            {
                "size": METRIC[:4],
                "length": _axis("10", "16", "20", "25", "30"),
                "finish": FINISH[:2],
            },
            "Pan head Phillips machine screw to ISO 7045 for electrical cabinets, brackets and "
            "sheet metal assemblies.",
            {
                "Thread": "{size}",
                "Length": "{length} mm",
                "Standard": "ISO 7045",
                "Finish": "{finish}",
            },
            0.03,
            {"size": 0.35, "length": 0.1, "finish": 1.2},
            packs=(200,),
            pallet=500,
        ),
        Leaf(
            ("Fasteners", "Screws", "Self-drilling screws"),
            "SDS",
            "Self-drilling screw {diameter}×{length} mm, hex washer head, {coating}",
            {
                "diameter": _axis("4.2", "4.8", "5.5", "6.3"),
                "length": _axis("19", "25", "32", "38"),
                "coating": [("zinc plated", "ZP"), ("Ruspert coated", "RSP")],
            },
            "Drills and taps steel sheet up to 5 mm in one step. Hex washer head with EPDM "
            "sealing washer for roofing and cladding.",
            {"Diameter": "{diameter} mm", "Length": "{length} mm", "Coating": "{coating}"},
            0.05,
            {"diameter": 0.2, "length": 0.1, "coating": 0.7},
            packs=(100, 250),
            pallet=400,
        ),
        Leaf(
            ("Fasteners", "Nuts and washers", "Hex nuts"),
            "HN934",
            "Hex nut DIN 934 {size}, {finish}",
            {"size": METRIC, "finish": FINISH},
            "Hexagon nut to DIN 934 / ISO 4032, property class 8 (A2-70 stainless).",
            {"Thread": "{size}", "Standard": "DIN 934", "Finish": "{finish}"},
            0.02,
            {"size": 0.5, "finish": 1.0},
            packs=(100, 500),
            pallet=600,
        ),
        Leaf(
            ("Fasteners", "Nuts and washers", "Lock nuts"),
            "LN985",
            "Nylon insert lock nut DIN 985 {size}, {finish}",
            {"size": METRIC, "finish": FINISH[:2]},
            "Prevailing torque lock nut with nylon insert to DIN 985: stays put under "
            "vibration, reusable a few times.",
            {"Thread": "{size}", "Standard": "DIN 985", "Finish": "{finish}"},
            0.04,
            {"size": 0.5, "finish": 1.1},
            packs=(100,),
            pallet=500,
        ),
        Leaf(
            ("Fasteners", "Nuts and washers", "Washers"),
            "W125",
            "Flat washer DIN 125 for {size}, {finish}",
            {"size": METRIC, "finish": FINISH},
            "Flat washer to DIN 125-A / ISO 7089 spreading the load under bolt heads and nuts.",
            {"For thread": "{size}", "Standard": "DIN 125", "Finish": "{finish}"},
            0.01,
            {"size": 0.45, "finish": 1.0},
            packs=(200, 1000),
            pallet=800,
        ),
        Leaf(
            ("Fasteners", "Anchors"),
            "ANC",
            "{kind} {size}×{length} mm",
            {
                "kind": [
                    ("Nylon wall plug", "NP"),
                    ("Steel wedge anchor", "WA"),
                    ("Chemical anchor stud", "CA"),
                ],
                "size": _axis("6", "8", "10", "12"),
                "length": _axis("40", "60", "80"),
            },
            "Approved for cracked and non-cracked concrete; follow the setting instructions "
            "for drill hole depth and torque.",
            {"Type": "{kind}", "Diameter": "{size} mm", "Length": "{length} mm"},
            0.09,
            {"kind": 2.5, "size": 0.4, "length": 0.2},
            packs=(25, 50, 100),
            pallet=300,
        ),
        Leaf(
            ("Tools", "Hand tools", "Spanners"),
            "CSP",
            "Combination spanner {size} mm, {grade}",
            {
                "size": _axis("8", "10", "13", "16", "17", "19", "22", "24"),
                "grade": [("chrome vanadium", "CV"), ("satin chrome, 15° offset", "SC")],
            },
            "Open end and 12-point ring in one forged spanner; the ring end is offset for "
            "knuckle clearance.",
            {"Size": "{size} mm", "Material": "{grade}"},
            4.9,
            {"size": 0.12, "grade": 0.45},
            pallet=200,
            order_in_packs=False,
        ),
        Leaf(
            ("Tools", "Hand tools", "Screwdrivers"),
            "SD",
            "Screwdriver {tip}, {handle} handle",
            {
                "tip": _axis(
                    "PH1", "PH2", "PH3", "PZ1", "PZ2", "TX20", "TX25", "TX30", "SL 4", "SL 6"
                ),
                "handle": [("two-component", "2K"), ("VDE insulated 1000 V", "VDE")],
            },
            "Hardened tip with a soft-grip two-component handle. VDE versions are tested "
            "individually at 10,000 V for live work up to 1,000 V.",
            {"Tip": "{tip}", "Handle": "{handle}"},
            6.5,
            {"tip": 0.05, "handle": 0.9},
            pallet=300,
            order_in_packs=False,
        ),
        Leaf(
            ("Tools", "Hand tools", "Pliers"),
            "PL",
            "{kind} {length} mm",
            {
                "kind": [
                    ("Combination pliers", "CP"),
                    ("Side cutters", "SC"),
                    ("Water pump pliers", "WP"),
                    ("Long nose pliers", "LN"),
                ],
                "length": _axis("160", "180", "200", "250"),
            },
            "Drop-forged, oil-hardened chrome vanadium steel; induction-hardened cutting edges.",
            {"Type": "{kind}", "Length": "{length} mm"},
            12.0,
            {"kind": 0.25, "length": 0.12},
            pallet=200,
            order_in_packs=False,
        ),
        Leaf(
            ("Tools", "Power tool accessories", "Drill bits"),
            "DB",
            "{kind} drill bit Ø {size} mm",
            {
                "kind": [
                    ("HSS-G metal", "HSS"),
                    ("SDS-plus masonry", "SDS"),
                    ("Brad point wood", "WD"),
                ],
                "size": _axis("3", "4", "5", "6", "8", "10", "12"),
            },
            "Precision-ground bits for clean, accurate holes; packed in a reusable tube.",
            {"Type": "{kind}", "Diameter": "{size} mm"},
            1.8,
            {"kind": 0.6, "size": 0.18},
            packs=(1, 5, 10),
            pallet=500,
        ),
        Leaf(
            ("Tools", "Power tool accessories", "Saw blades"),
            "SB",
            "Circular saw blade {diameter} mm, {teeth} teeth, {use}",
            {
                "diameter": _axis("160", "190", "216", "254"),
                "teeth": _axis("24", "40", "60"),
                "use": [("wood", "W"), ("laminate", "L")],
            },
            "Carbide-tipped blade with laser-cut expansion slots for quiet, straight cuts.",
            {"Diameter": "{diameter} mm", "Teeth": "{teeth}", "For": "{use}"},
            18.0,
            {"diameter": 0.2, "teeth": 0.15, "use": 0.3},
            pallet=150,
            order_in_packs=False,
        ),
        Leaf(
            ("Tools", "Power tool accessories", "Abrasives"),
            "ABR",
            "{kind} Ø {diameter} mm, grit {grit}",
            {
                "kind": [
                    ("Flap disc", "FD"),
                    ("Sanding disc, hook and loop", "SD"),
                    ("Cutting disc INOX", "CD"),
                ],
                "diameter": _axis("115", "125"),
                "grit": _axis("40", "60", "80", "120"),
            },
            "Aluminium oxide and zirconia grain for steel and stainless; max. 80 m/s.",
            {"Type": "{kind}", "Diameter": "{diameter} mm", "Grit": "P{grit}"},
            0.9,
            {"kind": 0.8, "diameter": 0.1, "grit": 0.02},
            packs=(10, 25, 50),
            pallet=400,
        ),
        Leaf(
            ("Safety gear", "Gloves"),
            "GL",
            "{kind} work gloves, size {size}",
            {
                "kind": [
                    ("Nitrile-coated", "NC"),
                    ("Cut level C", "CUT"),
                    ("Leather rigger", "LR"),
                    ("Thermal winter", "TW"),
                ],
                "size": GLOVE_SIZES,
            },
            "EN 388 tested work gloves for handling, assembly and construction; sold in pairs.",
            {"Type": "{kind}", "Size": "{size}", "Standard": "EN 388"},
            2.4,
            {"kind": 0.7, "size": 0.0},
            unit="pair",
            packs=(12,),
            pallet=600,
        ),
        Leaf(
            ("Safety gear", "Eye protection"),
            "EYE",
            "{kind}, {lens} lens",
            {
                "kind": [
                    ("Safety spectacles", "SPEC"),
                    ("Over-spectacles", "OTG"),
                    ("Goggles, indirect vent", "GOG"),
                ],
                "lens": [
                    ("clear", "CL"),
                    ("smoke", "SM"),
                    ("amber", "AM"),
                    ("anti-fog clear", "AF"),
                ],
            },
            "EN 166 impact-rated polycarbonate lens with 99.9 % UV protection.",
            {"Type": "{kind}", "Lens": "{lens}", "Standard": "EN 166"},
            3.2,
            {"kind": 0.6, "lens": 0.1},
            packs=(10,),
            pallet=400,
        ),
        Leaf(
            ("Safety gear", "Hearing protection"),
            "EAR",
            "{kind}, SNR {snr} dB",
            {
                "kind": [
                    ("Foam ear plugs, 200 pairs", "FP"),
                    ("Ear muffs, headband", "EM"),
                    ("Helmet-mounted ear muffs", "HM"),
                ],
                "snr": _axis("27", "31", "35", "37"),
            },
            "EN 352 hearing protection; choose the attenuation (SNR) to match the noise level.",
            {"Type": "{kind}", "SNR": "{snr} dB", "Standard": "EN 352"},
            14.0,
            {"kind": 0.8, "snr": 0.1},
            pallet=200,
            order_in_packs=False,
        ),
        Leaf(
            ("Safety gear", "Hi-vis clothing"),
            "HV",
            "Hi-vis {kind}, {colour}, size {size}",
            {
                "kind": [("vest", "VEST"), ("jacket", "JKT"), ("trousers", "TRS")],
                "colour": [("yellow", "Y"), ("orange", "O")],
                "size": _axis("S", "M", "L", "XL", "XXL"),
            },
            "EN ISO 20471 class 2 high-visibility garment with two 5 cm retro-reflective bands.",
            {
                "Garment": "{kind}",
                "Colour": "{colour}",
                "Size": "{size}",
                "Standard": "EN ISO 20471",
            },
            4.5,
            {"kind": 2.0, "colour": 0.0, "size": 0.03},
            pallet=300,
            order_in_packs=False,
        ),
        Leaf(
            ("Safety gear", "Head protection"),
            "HH",
            "Safety helmet {kind}, {colour}",
            {
                "kind": [
                    ("ABS, 6-point harness", "ABS"),
                    ("HDPE vented", "HDPE"),
                    ("climbing style with chin strap", "CLM"),
                ],
                "colour": [
                    ("white", "W"),
                    ("yellow", "Y"),
                    ("blue", "B"),
                    ("red", "R"),
                    ("orange", "O"),
                ],
            },
            "EN 397 industrial safety helmet with ratchet adjustment and sweatband.",
            {"Type": "{kind}", "Colour": "{colour}", "Standard": "EN 397"},
            8.9,
            {"kind": 0.8, "colour": 0.0},
            pallet=120,
            order_in_packs=False,
        ),
    ),
)

VOLUMES = _axis("250 mL", "500 mL", "1 L", "2.5 L")

HELIO = Trade(
    sku_prefix="HL",
    palette={
        "Lab consumables": ("#dcefe6", "#2b6a4f"),
        "Glassware": ("#dbeaf5", "#0b6e99"),
        "Reagents": ("#efe2f3", "#6a2b74"),
    },
    shapes={"Lab consumables": "tube", "Glassware": "flask", "Reagents": "drop"},
    leaves=(
        Leaf(
            ("Lab consumables", "Pipetting", "Pipette tips"),
            "TIP",
            "Pipette tips {volume}, {kind}, {pack}",
            {
                "volume": _axis("10 µL", "200 µL", "1000 µL"),
                "kind": [
                    ("filtered, sterile", "FS"),
                    ("non-filtered, racked", "NR"),
                    ("low retention, sterile", "LR"),
                ],
                "pack": [("10 racks × 96", "960"), ("bulk bag 1000", "B1K")],
            },
            "Universal-fit polypropylene tips, free of RNase, DNase and pyrogens; graduations "
            "for volume checks.",
            {"Volume": "{volume}", "Type": "{kind}", "Pack": "{pack}"},
            24.0,
            {"volume": 0.15, "kind": 0.5, "pack": 0.1},
            unit="pack",
            pallet=120,
            order_in_packs=False,
        ),
        Leaf(
            ("Lab consumables", "Pipetting", "Serological pipettes"),
            "SP",
            "Serological pipette {volume}, sterile, {wrap}",
            {
                "volume": _axis("1 mL", "2 mL", "5 mL", "10 mL", "25 mL", "50 mL"),
                "wrap": [("individually wrapped", "IW"), ("paper/plastic bulk", "BLK")],
            },
            "Polystyrene pipettes with bi-directional graduations and colour-coded bands.",
            {"Volume": "{volume}", "Packing": "{wrap}"},
            0.22,
            {"volume": 0.2, "wrap": -0.15},
            packs=(50, 200),
            pallet=40,
        ),
        Leaf(
            ("Lab consumables", "Tubes and vials", "Microcentrifuge tubes"),
            "MCT",
            "Microcentrifuge tube {volume}, {colour}, {cap}",
            {
                "volume": _axis("0.5 mL", "1.5 mL", "2.0 mL"),
                "colour": [("natural", "N"), ("amber", "AMB"), ("assorted colours", "AS")],
                "cap": [("snap cap", "SC"), ("safe-lock", "SL")],
            },
            "Polypropylene tubes, certified free of DNase, RNase and human DNA; up to 30,000 × g.",
            {"Volume": "{volume}", "Colour": "{colour}", "Cap": "{cap}"},
            0.02,
            {"volume": 0.2, "colour": 0.15, "cap": 0.6},
            packs=(500, 1000),
            pallet=60,
        ),
        Leaf(
            ("Lab consumables", "Tubes and vials", "Centrifuge tubes"),
            "CFT",
            "Centrifuge tube {volume}, {base}, sterile, {pack}",
            {
                "volume": _axis("15 mL", "50 mL"),
                "base": [("conical base", "CON"), ("self-standing", "SS")],
                "pack": [("racks of 25", "R25"), ("bags of 50", "B50")],
            },
            "Polypropylene tubes with leak-proof screw cap and printed graduations.",
            {"Volume": "{volume}", "Base": "{base}", "Packing": "{pack}"},
            0.18,
            {"volume": 0.5, "base": 0.2, "pack": 0.0},
            packs=(500,),
            pallet=40,
        ),
        Leaf(
            ("Lab consumables", "Tubes and vials", "Cryovials"),
            "CRV",
            "Cryogenic vial {volume}, {thread}",
            {
                "volume": _axis("1.2 mL", "2.0 mL", "4.0 mL", "5.0 mL"),
                "thread": [("internal thread", "IT"), ("external thread", "ET")],
            },
            "Self-standing polypropylene vials for storage down to −196 °C (gas phase), "
            "with writing area.",
            {"Volume": "{volume}", "Thread": "{thread}"},
            0.35,
            {"volume": 0.1, "thread": 0.05},
            packs=(50, 500),
            pallet=40,
        ),
        Leaf(
            ("Lab consumables", "Cell culture", "Petri dishes"),
            "PD",
            "Petri dish {diameter} mm, {kind}",
            {
                "diameter": _axis("35", "60", "90", "100", "150"),
                "kind": [
                    ("with vents", "V"),
                    ("without vents", "NV"),
                    ("tissue culture treated", "TC"),
                ],
            },
            "Optically clear polystyrene, sterilised by irradiation (SAL 10⁻⁶), stackable.",
            {"Diameter": "{diameter} mm", "Type": "{kind}"},
            0.09,
            {"diameter": 0.25, "kind": 0.8},
            packs=(20, 500),
            pallet=50,
        ),
        Leaf(
            ("Lab consumables", "Cell culture", "Culture flasks"),
            "CF",
            "Cell culture flask {area}, {cap}",
            {
                "area": _axis("T25", "T75", "T175"),
                "cap": [("vent cap", "VC"), ("plug seal cap", "PS")],
            },
            "Tissue-culture-treated polystyrene flasks with angled neck and vent cap filter.",
            {"Growth area": "{area}", "Cap": "{cap}"},
            1.1,
            {"area": 0.8, "cap": 0.0},
            packs=(10, 100),
            pallet=40,
        ),
        Leaf(
            ("Lab consumables", "Filtration", "Syringe filters"),
            "SF",
            "Syringe filter {membrane}, {pore}, Ø {diameter} mm",
            {
                "membrane": [
                    ("PTFE", "PTFE"),
                    ("PES", "PES"),
                    ("nylon", "NY"),
                    ("regenerated cellulose", "RC"),
                ],
                "pore": _axis("0.22 µm", "0.45 µm"),
                "diameter": _axis("13", "25"),
            },
            "Luer-lock syringe filters for HPLC sample preparation and sterile filtration.",
            {"Membrane": "{membrane}", "Pore size": "{pore}", "Diameter": "{diameter} mm"},
            0.65,
            {"membrane": 0.15, "pore": 0.0, "diameter": 0.3},
            packs=(100,),
            pallet=60,
        ),
        Leaf(
            ("Lab consumables", "Gloves"),
            "NG",
            "Nitrile examination gloves, {kind}, size {size}",
            {
                "kind": [
                    ("powder-free blue", "BL"),
                    ("extended cuff", "XC"),
                    ("accelerator-free", "AF"),
                ],
                "size": _axis("XS", "S", "M", "L", "XL"),
            },
            "EN 455 and EN ISO 374 tested disposable gloves with textured fingertips.",
            {"Type": "{kind}", "Size": "{size}"},
            6.9,
            {"kind": 0.4, "size": 0.0},
            unit="box",
            packs=(10,),
            pallet=80,
        ),
        Leaf(
            ("Glassware", "Beakers"),
            "BK",
            "Beaker {volume}, {form}, borosilicate 3.3",
            {
                "volume": _axis("50 mL", "100 mL", "250 mL", "600 mL", "1000 mL", "2000 mL"),
                "form": [("low form", "LF"), ("tall form", "TF")],
            },
            "Borosilicate glass 3.3 to ISO 3819 with spout and white graduations.",
            {"Volume": "{volume}", "Form": "{form}", "Glass": "Borosilicate 3.3"},
            2.1,
            {"volume": 0.35, "form": 0.15},
            packs=(1, 10),
            pallet=60,
        ),
        Leaf(
            ("Glassware", "Erlenmeyer flasks"),
            "EF",
            "Erlenmeyer flask {volume}, {neck}",
            {
                "volume": _axis("100 mL", "250 mL", "500 mL", "1000 mL", "2000 mL"),
                "neck": [
                    ("narrow neck", "NN"),
                    ("wide neck", "WN"),
                    ("with screw cap GL 32", "GL"),
                ],
            },
            "Conical flask in borosilicate glass 3.3 to ISO 1773, heavy rim.",
            {"Volume": "{volume}", "Neck": "{neck}"},
            2.6,
            {"volume": 0.35, "neck": 0.4},
            packs=(1, 10),
            pallet=60,
        ),
        Leaf(
            ("Glassware", "Volumetric flasks"),
            "VF",
            "Volumetric flask {volume}, class {cls}, {colour}",
            {
                "volume": _axis("10 mL", "25 mL", "50 mL", "100 mL", "250 mL", "500 mL", "1000 mL"),
                "cls": _axis("A", "B"),
                "colour": [("clear", "CL"), ("amber", "AM")],
            },
            "Volumetric flask with NS stopper; class A with batch certificate (DIN EN ISO 1042).",
            {"Volume": "{volume}", "Class": "{cls}", "Glass": "{colour}"},
            6.8,
            {"volume": 0.25, "cls": -0.35, "colour": 0.3},
            pallet=40,
            order_in_packs=False,
        ),
        Leaf(
            ("Glassware", "Graduated cylinders"),
            "GC",
            "Graduated cylinder {volume}, {base}",
            {
                "volume": _axis("10 mL", "25 mL", "50 mL", "100 mL", "250 mL", "500 mL", "1000 mL"),
                "base": [("hexagonal glass base", "HX"), ("PP base", "PP")],
            },
            "Tall-form cylinder, class B, with pouring spout and blue graduations.",
            {"Volume": "{volume}", "Base": "{base}"},
            4.2,
            {"volume": 0.3, "base": -0.1},
            pallet=40,
            order_in_packs=False,
        ),
        Leaf(
            ("Glassware", "Media bottles"),
            "MB",
            "Laboratory bottle GL 45, {volume}, {colour}",
            {
                "volume": _axis("100 mL", "250 mL", "500 mL", "1000 mL", "2000 mL"),
                "colour": [("clear", "CL"), ("amber", "AM"), ("plastic coated", "PC")],
            },
            "Autoclavable borosilicate bottle with blue screw cap and pouring ring.",
            {"Volume": "{volume}", "Finish": "{colour}", "Thread": "GL 45"},
            3.9,
            {"volume": 0.3, "colour": 0.35},
            packs=(1, 10),
            pallet=60,
        ),
        Leaf(
            ("Reagents", "Solvents"),
            "SOL",
            "{chemical}, {grade}, {volume}",
            {
                "chemical": [
                    ("Ethanol absolute", "ETOH"),
                    ("Methanol", "MEOH"),
                    ("Acetonitrile", "ACN"),
                    ("Acetone", "ACE"),
                    ("Isopropanol", "IPA"),
                    ("n-Hexane", "HEX"),
                ],
                "grade": [("HPLC grade", "HPLC"), ("ACS reagent", "ACS")],
                "volume": VOLUMES[1:],
            },
            "Solvent in amber glass bottle with certificate of analysis; store away from "
            "ignition sources. Flammable: shipped as dangerous goods.",
            {"Grade": "{grade}", "Volume": "{volume}", "Hazard": "Flammable liquid"},
            9.0,
            {"chemical": 0.15, "grade": -0.25, "volume": 0.9},
            unit="bottle",
            pallet=96,
            order_in_packs=False,
        ),
        Leaf(
            ("Reagents", "Acids and bases"),
            "AB",
            "{chemical}, {grade}, {volume}",
            {
                "chemical": [
                    ("Hydrochloric acid 37 %", "HCL"),
                    ("Nitric acid 65 %", "HNO3"),
                    ("Sulfuric acid 96 %", "H2SO4"),
                    ("Sodium hydroxide 1 M", "NAOH"),
                    ("Acetic acid glacial", "ACOH"),
                ],
                "grade": [("ACS reagent", "ACS"), ("for analysis", "PA")],
                "volume": VOLUMES[:3],
            },
            "Corrosive: supplied in coated glass or HDPE bottles, with safety data sheet.",
            {"Grade": "{grade}", "Volume": "{volume}", "Hazard": "Corrosive"},
            11.0,
            {"chemical": 0.2, "grade": -0.2, "volume": 0.8},
            unit="bottle",
            pallet=96,
            order_in_packs=False,
        ),
        Leaf(
            ("Reagents", "Buffers"),
            "BUF",
            "{chemical}, {form}",
            {
                "chemical": [
                    ("PBS pH 7.4", "PBS"),
                    ("Tris-HCl 1 M pH 8.0", "TRIS"),
                    ("TAE 50×", "TAE"),
                    ("HEPES 1 M", "HEPES"),
                    ("Citrate buffer pH 6.0", "CIT"),
                ],
                "form": [
                    ("500 mL solution", "500"),
                    ("1 L solution", "1L"),
                    ("powder, 10 pouches", "PWD"),
                ],
            },
            "Ready-to-use molecular biology grade buffer, 0.2 µm filtered, nuclease-free.",
            {"Form": "{form}", "Grade": "Molecular biology"},
            18.0,
            {"chemical": 0.15, "form": 0.4},
            unit="bottle",
            pallet=96,
            order_in_packs=False,
        ),
        Leaf(
            ("Reagents", "Salts"),
            "SLT",
            "{chemical}, {grade}, {mass}",
            {
                "chemical": [
                    ("Sodium chloride", "NACL"),
                    ("Potassium chloride", "KCL"),
                    ("Magnesium sulfate heptahydrate", "MGSO4"),
                    ("Calcium chloride dihydrate", "CACL2"),
                    ("Sodium phosphate dibasic", "NA2HPO4"),
                ],
                "grade": [("ACS reagent", "ACS"), ("cell culture tested", "CC")],
                "mass": _axis("500 g", "1 kg", "5 kg"),
            },
            "Crystalline reagent in a resealable HDPE container, with lot-specific certificate.",
            {"Grade": "{grade}", "Quantity": "{mass}"},
            12.0,
            {"chemical": 0.2, "grade": 0.6, "mass": 0.9},
            unit="tub",
            pallet=80,
            order_in_packs=False,
        ),
    ),
)

TRADES = {"northwind": NORTHWIND, "helio": HELIO}
