"""One message catalogue: every message the code and templates show has a French translation."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.web.i18n import LANGUAGES, Translator, catalogue_path

ROOT = Path(__file__).resolve().parents[2]
# As `make messages` runs it: the same keywords, the same mapping file.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "FieldProblem": (2,),
    "ValueError": (1,),
    "ConflictError": (1,),
}
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]")


def _used_messages() -> set[str | tuple[str, str]]:
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message)
    return found


def _catalogue(language: str):  # type: ignore[no-untyped-def]
    with catalogue_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language)


def test_every_message_in_use_is_translated_in_every_language() -> None:
    used = _used_messages()
    assert len(used) > 250  # the extraction itself works
    for language in set(LANGUAGES) - {"en"}:
        catalogue = _catalogue(language)
        untranslated = []
        for message in used:
            key = message[0] if isinstance(message, tuple) else message
            entry = catalogue.get(key)
            strings = (
                (entry.string if isinstance(entry.string, tuple) else (entry.string,))
                if (entry)
                else ("",)
            )
            if not entry or entry.fuzzy or not all(strings):
                untranslated.append(key)
        assert not untranslated, f"{language}: run `make messages` and translate {untranslated}"


def test_translations_keep_the_placeholders_of_the_source() -> None:
    for language in set(LANGUAGES) - {"en"}:
        for entry in _catalogue(language):
            if not entry.id:
                continue
            source = entry.id if isinstance(entry.id, str) else entry.id[1]
            targets = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            for target in targets:
                assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), (
                    entry.id
                )


def test_the_catalogue_is_read_as_the_pages_read_it() -> None:
    french = Translator("fr")
    assert french.gettext("Log an incident") == "Enregistrer un incident"
    assert french.format("Must be at most {le}.", le=120) == "Doit être au plus 120."
    assert Translator("en").gettext("Log an incident") == "Log an incident"


def test_no_translation_carries_another_messages_english_text() -> None:
    """A translation that ends with another entry's English sentence (two entries merged by hand)
    would put English on the French page."""
    for language in set(LANGUAGES) - {"en"}:
        entries = [entry for entry in _catalogue(language) if entry.id]
        sources = {
            source
            for entry in entries
            for source in (entry.id if isinstance(entry.id, tuple) else (entry.id,))
            if len(source) >= 40  # a sentence, not a word that both languages share
        }
        for entry in entries:
            targets = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            for target in targets:
                carried = [source for source in sources if source in target]
                assert not carried, (language, entry.id, carried)
