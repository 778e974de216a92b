"""Named ESCO v1.1.1 URIs that tests rely on."""

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
ISCO = "http://data.europa.eu/esco/isco/C"

BAKER = OCC + "1aadb308-432a-4d01-b54b-b4f7f76dd419"  # boulanger/boulangère, bakker; ISCO 7512
PASTRY_MAKER = OCC + "ff42d44c-34f8-46be-ad3a-2aad9a5e43f0"  # pâtissier/pâtissière, gebakmaker; ISCO 7512
COOK = OCC + "90f75f67-495d-49fa-ab57-2f320e251d7e"  # cuisinier/cuisinière, kok; ISCO 5120
KITCHEN_PORTER = OCC + "f756fdab-7726-4c48-bfcc-94ff8810fc08"  # plongeur/plongeuse; ISCO 9412
SOFTWARE_DEVELOPER = OCC + "f2b15a0e-e65a-438a-affb-29b9d50b77d1"  # ISCO 2512
ACCOUNTANT = OCC + "eda0d957-3c3c-4139-b89a-a18bc9e18897"  # comptable; ISCO 2411
NURSE = OCC + "8d3e8aaa-791b-4c75-a465-f3f827028f50"  # infirmier de soins généraux; ISCO 2221
SHOP_ASSISTANT = OCC + "0b15375e-dfdd-4047-9efb-096e0aaee7d2"  # employé de magasin, winkelmedewerker; 5223
DOMESTIC_ELECTRICIAN = OCC + "5dbb9cf0-b226-402c-a295-2f42ef05ff8b"  # ISCO 7411

ISCO_BAKERS = ISCO + "7512"
ISCO_CRAFT_FOOD = ISCO + "751"

BAKE_GOODS = SKILL + "5626b3b1-5415-47f6-acf1-b573d457d180"  # essential for bakers; nl "bakkerswaren bakken"
KNEAD_FOOD = SKILL + "d87653a0-87b0-4c03-a44a-bf0a217431a2"  # pétrir des denrées alimentaires
# Essential for bakers, has French but no Dutch label: Dutch falls back to French.
MONITOR_FLOUR_UNLOADING = SKILL + "047ceb23-1eb3-4889-a07f-84a1e4b85bff"
# Has neither a French nor a Dutch label: both fall back to English.
INFLUENCE_PUBLIC_POLICIES = SKILL + "008fa98b-dba6-4abf-909e-04299728e3eb"
HASKELL = SKILL + "000f1d3d-220f-4789-9c0a-cc742521fb02"  # digital collection
UNDERSTAND_SPOKEN_DUTCH = SKILL + "347d33a8-3698-4549-a7de-722a0216ee40"  # language collection

SLICE_OCCUPATIONS = (
    BAKER,
    PASTRY_MAKER,
    COOK,
    KITCHEN_PORTER,
    SOFTWARE_DEVELOPER,
    ACCOUNTANT,
    NURSE,
    SHOP_ASSISTANT,
    DOMESTIC_ELECTRICIAN,
)

PREPARE_BAKERY_PRODUCTS = SKILL + "50db2b5e-edda-496d-8a6e-aff91dc243d9"  # broader than BAKE_GOODS
MOULD_DOUGHS = SKILL + "8f96b592-24c4-40c3-bb88-189ae3a1e405"  # narrower than BAKE_GOODS
TEND_BAKERY_OVENS = SKILL + "77250067-81bd-4e18-865e-2be6ca26c8a8"
APPLY_HACCP = SKILL + "5ba1d5b9-3f8d-46ca-bf9f-2e9ca65d1350"
ORDER_SUPPLIES = SKILL + "210827e3-3129-45a2-8683-70399f3f561f"  # essential for cooks
CALCULATE_TAX = SKILL + "2ecf90f1-c511-464b-b26f-598d69182c70"  # essential for accountants
OPERATE_WEIGHING_MACHINE = SKILL + "d18408c1-c2ba-4835-9ee0-352705d807d0"  # weegapparatuur gebruiken
