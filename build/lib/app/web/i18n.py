"""The interface's languages: one message catalogue per language, English being the source text.

Every label, enum value and error message the pages show goes through `Translator`. The French
catalogue is `locales/fr/LC_MESSAGES/messages.po`; it is read at start-up (no compiled .mo file to
forget to rebuild), and a test checks that every message the code and templates use is in it.
"""

import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.core.i18n import N_

__all__ = ["LANGUAGES", "N_", "Translator", "catalogue_path", "pick_language"]

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
CATALOGUE_DOMAIN = "messages"


def catalogue_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{CATALOGUE_DOMAIN}.po"


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    with catalogue_path(language).open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=CATALOGUE_DOMAIN)


@dataclass(frozen=True)
class Translator:
    language: str

    def gettext(self, message: str) -> str:
        return _translations(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return _translations(self.language).ngettext(singular, plural, count)

    def format(self, message: str, **values: object) -> str:
        """Translate, then fill in `{name}` placeholders (after, so translators can move them)."""
        return self.gettext(message).format(**values)


def pick_language(cookie_value: str | None, accept_language: str | None) -> str:
    """The language the user chose, else the first of theirs the browser prefers, else English."""
    if cookie_value in LANGUAGES:
        return cookie_value
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE
