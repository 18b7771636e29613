"""Place names as people type them, compared as the same place."""

import unicodedata


def place_key(text: str) -> str:
    """A place's name as compared: no accents, no case, single spaces ("Ségou " = "segou")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
