"""Figures written as a report writes them, in English and French.

United Nations editorial style: whole numbers from one to nine in words, 10 and above in
figures (with the language's grouping: 1,234 and 1 234); percentages always in figures. In
French the word for one agrees with its noun (un cas, une femme), so each noun says whether it
is feminine there; every other form (singular or plural, the noun itself) comes from the message
catalogue through `ngettext`, under the language's plural rule (French: singular for 0 and 1).

A figure the statistics withhold is never written as a number: `<5` (only other organisations'
data, from 1 to 4) becomes "fewer than five", and `suppressed` (the caller's own records beside
such a part) "an undisclosed number of", each with the plural noun.
"""

from collections.abc import Callable
from dataclasses import dataclass

from babel.numbers import format_decimal

from app.core.i18n import N_
from app.stats.suppression import WITHHELD_MARKER
from app.web.i18n import Translator

_WORDS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "fr": ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
}
_FEMININE_ONE = {"fr": "une"}
FEWER_THAN = N_("fewer than {number}")
UNDISCLOSED = N_("an undisclosed number of")


def number(value: int, language: str, feminine: bool = False) -> str:
    """A whole number: a word from zero to nine, else figures grouped as the language does."""
    if 0 <= value < 10:
        if value == 1 and feminine and language in _FEMININE_ONE:
            return _FEMININE_ONE[language]
        return _WORDS.get(language, _WORDS["en"])[value]
    return format_decimal(value, locale=language)


def decimal(value: float, language: str) -> str:
    """A share or a rate: always in figures (55, 33.3 or 33,3)."""
    return format_decimal(value, locale=language)


@dataclass(frozen=True)
class Noun:
    """A counted phrase: the message in the form a count needs (a call to `ngettext` with both
    forms written out, so the catalogue extraction finds them), with `{count}` where the number
    goes; and whether the French noun is feminine (une femme, une affaire)."""

    forms: Callable[[Translator, int], str]
    feminine_in_french: bool = False


@dataclass(frozen=True)
class Written:
    """A figure as a sentence writes it: the words, and the count the plural form follows."""

    text: str
    plural_of: int


def written(value: int | str, t: Translator, k: int, noun: Noun) -> Written:
    """A figure as published (a count, `<k` or `suppressed`) in words."""
    if value == WITHHELD_MARKER:
        return Written(t.gettext(UNDISCLOSED), 2)
    if isinstance(value, str):  # "<k": fewer than k, never the hidden count
        return Written(t.format(FEWER_THAN, number=number(k, t.language)), k)
    feminine = noun.feminine_in_french and t.language == "fr"
    return Written(number(value, t.language, feminine), value)


def counted(t: Translator, noun: Noun, count: Written, **values: str) -> str:
    """The noun's message in the form its count needs, with the count (and any other value)."""
    return noun.forms(t, count.plural_of).format(count=count.text, **values)


def listed(items: list[str], t: Translator) -> str:
    """ "a, b and c" / "a, b et c" (no comma before the last, as UN style has it)."""
    if len(items) < 2:
        return "".join(items)
    return t.format(N_("{items} and {last}"), items=", ".join(items[:-1]), last=items[-1])
