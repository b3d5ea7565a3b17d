"""A large ordinary CSV of realistic users, sized so its Cognito form just fits Cognito's 100 MB limit."""

from __future__ import annotations

import csv
from pathlib import Path

from cognito_user_csv.facts import MAX_FILE_BYTES

COLUMNS = [
    "cognito:username",
    "email",
    "email_verified",
    "given_name",
    "family_name",
    "name",
    "phone_number",
    "cognito:mfa_enabled",
    "address",
    "custom:tenant",
    "custom:plan",
    "custom:seats",
]
#: Columns of the pool's header (19 standard, 2 cognito:, 3 custom) the file lacks: written empty.
POOL_COLUMNS = 24
GIVEN = [
    ("Zoë", "zoe"),
    ("José", "jose"),
    ("Łukasz", "lukasz"),
    ("François", "francois"),
    ("Anaïs", "anais"),
    ("Søren", "soren"),
    ("Ümit", "umit"),
    ("Chloé", "chloe"),
    ("Björn", "bjorn"),
    ("Inés", "ines"),
    ("Siobhán", "siobhan"),
    ("Ana", "ana"),
    ("Mei", "mei"),
    ("Дмитрий", "dmitry"),
]
FAMILY = [
    ("Müller", "muller"),
    ("García", "garcia"),
    ("Núñez", "nunez"),
    ("Kowalski", "kowalski"),
    ("O'Brien", "obrien"),
    ("Dubois", "dubois"),
    ("Nørgaard", "norgaard"),
    ("Çelik", "celik"),
    ("Lefèvre", "lefevre"),
    ("Schröder", "schroder"),
    ("Håkansson", "hakansson"),
    ("Smith", "smith"),
    ("田中", "tanaka"),
]
PLANS = ["free", "team", "enterprise"]
_FILLER = "Bâtiment B, escalier 3, étage 2, porte gauche, côté cour, interphone 42, "


def _cognito_size(values: list[str]) -> int:
    """Bytes of the row in Cognito's dialect: values, a backslash per comma, 24 columns, a newline."""
    return sum(len(v.encode()) + v.count(",") for v in values) + POOL_COLUMNS


def write_users_file(
    path: Path, users: int, *, cognito_bytes: int = MAX_FILE_BYTES - 500_000
) -> tuple[int, int]:
    """Write ``users`` rows of ordinary CSV (quoted fields, CRLF) to ``path``.

    The address is padded so the file's Cognito form is about ``cognito_bytes`` (default: 99.5 MB,
    just under the 100,000,000-byte limit the handler enforces). Returns (file bytes, Cognito bytes).
    """
    header_size = len(",".join(["cognito:username", *["x"] * (POOL_COLUMNS - 1)]).encode())  # rough
    per_row_goal = (cognito_bytes - header_size - 400) / max(users, 1)
    total_cognito = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)  # QUOTE_MINIMAL, CRLF: what spreadsheets export
        writer.writerow(COLUMNS)
        for i in range(users):
            given, given_ascii = GIVEN[i % len(GIVEN)]
            family, family_ascii = FAMILY[(i // len(GIVEN)) % len(FAMILY)]
            values = [
                f"user{i:07d}",
                f"{given_ascii}.{family_ascii[:3]}{i}@example.com",
                "TRUE" if i % 10 == 0 else "true",
                given,
                family,
                f"{given} {family}",
                f"+1206{i:07d}",
                "false",
                f"{i % 200 + 1} Rue de l'Église, 75001 Paris",
                f"Société {i % 500}, Zürich",
                PLANS[i % 3],
                str(i % 10_000 + 1),
            ]
            # Pad the address so the running total of Cognito bytes tracks the goal row by row.
            size = _cognito_size(values)
            missing = int(per_row_goal * (i + 1)) - total_cognito - size
            if missing > 0:
                pad = (_FILLER * (missing // len(_FILLER) + 1))[:missing]
                while len(pad) and len(pad.encode()) + pad.count(",") > missing:
                    pad = pad[:-1]
                values[8] = f"{values[8]}; {pad}".rstrip(" ,;")
                size = _cognito_size(values)
            total_cognito += size
            writer.writerow(values)
    return path.stat().st_size, total_cognito
