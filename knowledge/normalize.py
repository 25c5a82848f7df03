"""Text normalisation shared by the classifier and the matcher, for our eight languages.

Users type on phones, often without diacritics ("mebeles" for "mēbeles", "moebel" or
"mobel" for "Möbel") and with inflected forms, so both the knowledge base and every query
go through the same pipeline before they are compared:

1. :func:`fold` - NFKC, case-folding, letters outside Unicode decomposition mapped by hand
   (ł→l, ø→o, æ→ae, đ→d), then every diacritic dropped (ä→a, ß→ss, õ→o, ā→a, š→s, ą→a ...).
2. :func:`canonical` - the German/Danish transliterations ae/oe/ue reduced to a/o/u, so that
   "moebel", "mobel" and "Möbel" meet. The reduction is applied to every language on both
   sides, which keeps it consistent; the few words it merges are harmless for matching.
3. :func:`tokens` - words of two or more letters (digits allowed inside, pure numbers dropped).
4. :func:`stem` - a light per-language suffix stripper. A dictionary lemmatiser was measured
   (simplemma 2.0.0: 20.7 s and 1.25 GB RSS for our eight languages) and rejected against a
   budget of 2 s and 300 MB for the whole bot; the stripper plus prefix, compound and fuzzy
   matching in the classifier covers the same ground for sector vocabulary.

Stop words (function words and generic business words such as "company" or "looking for")
are dropped by :func:`content_words` because they say nothing about a sector.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

LANGS: tuple[str, ...] = ("en", "pl", "lv", "et", "lt", "fi", "de", "da")

# Letters that Unicode does not decompose into a base letter and a diacritic.
_FOLD_EXTRA = (
    ("ł", "l"), ("ø", "o"), ("æ", "ae"), ("đ", "d"), ("ð", "d"), ("þ", "th"), ("ı", "i"),
    ("œ", "oe"),
)  # fmt: skip
_COMBINING = re.compile(r"[\u0300-\u036f]+")
# A word as typed: a letter or digit, then letters, digits, "_" or combining accents.
# (One-letter words are cut too - "ß" folds to "ss" - and dropped once folded.)
WORD_PATTERN = re.compile(r"[^\W_][\w\u0300-\u036f]*")
ACRONYMS = frozenset({"it"})  # stop words in English, sector names in capitals ("IT")

_STOPWORDS: dict[str, str] = {
    "en": """services service solutions solution products product
        a an the and or of in on at to for from with by as is are was were be been being
        we our ours us you your they their them it its this that these those i me my he she his
        her not no but if so than then also very all any some such can could will would should
        may might do does did have has had about into over under up out more most other only
        own same too just via per etc incl including include includes both each e.g
        company companies firm firms business businesses enterprise ltd inc llc plc co
        looking look seek seeking seeks searching search need needs want wants wanted find
        offer offers offering provide provides providing partner partners cooperation
        customer customers client clients small medium sized large family based located
        region regional country countries abroad new high quality good best year years day
        like well work working together joint interested able also
        kind kinds range wide various full own using use used""",
    "pl": """usługi usług usługa usługami rozwiązania rozwiązań produkty produktów
        i oraz a w we z ze na do od dla o u po przy przez za pod nad przed jest są być
        był była było byli jesteśmy jestem nasz nasza nasze naszych naszej naszą naszego
        naszym nasi my oni one ona on ono to ten ta te tego tej tym tych które który która
        których którym się nie tak też także jak lub albo czy co ale bardzo już jako ich jego
        jej jeśli gdy oraz około ok itp itd m.in np też
        firma firmy firmie firmą firmę spółka spółki sp zoo o.o przedsiębiorstwo
        szukamy szukam poszukujemy poszukuję szuka poszukuje potrzebujemy chcemy
        oferujemy oferuje oferta ofertę zajmujemy zajmuje mamy partnera partnerów partner
        partnerem partnerzy klientów klienci klienta małą mała małe mały średnia średnie
        rodzinna rodzinny rodzinne nowych nowe wysokiej jakości współpracy współpraca
        regionie regionu kraju krajach zagranicą za granicą rocznie""",
    "lv": """pakalpojumi pakalpojumu pakalpojumus risinājumi risinājumu produkti produktu
        un vai ar no uz par pie kā ka ir esam esmu mēs mūsu jūs viņi tā tas šis šī arī
        bet jo ja kas kuru kuri kurā kurš kura ne nav lai līdz pēc pa bez jau tikai ļoti
        sia as uzņēmums uzņēmuma uzņēmumam uzņēmumi uzņēmumus firma meklējam meklēju meklē
        vajag vēlamies piedāvājam piedāvā nodarbojamies partneri partnerus partneris
        partnerim partneru klientus klienti klientiem mazs maza mazais ģimenes jaunus
        augstas kvalitātes sadarbība sadarbības sadarbībai reģionā valstī ārzemēs gadā""",
    "et": """teenused teenuseid teenus teenuste lahendused lahendusi tooted tooteid
        ja või ning ka on oleme olen me meie meil te nad see need selle seda et kui aga
        ei ole mis kes mille kus koos jaoks poolt üle alla all peale ainult väga juba
        oü as firma ettevõte ettevõtte ettevõtted ettevõtteid otsime otsin otsib vajame
        pakume pakub tegeleme partnerit partnereid partner partneri partnerite kliente
        kliendid klientidele väike väikese pere pereettevõte uusi kõrge kvaliteediga
        koostöö koostööks koostööpartnerit piirkonnas riigis välismaal aastas""",
    "lt": """paslaugos paslaugų paslaugas sprendimai sprendimų produktai produktų
        ir ar bei su iš į ant apie prie už per po be nuo iki kaip kad tai šis ši jis ji
        mes mūsų jūs jie yra esame buvo ne taip pat tik bet labai jau kuri kuris kurie
        uab įmonė įmonės įmonei įmonių bendrovė ieškome ieškau ieško reikia norime
        siūlome siūlo užsiimame partnerio partnerių partnerį partneriai partnerius
        klientų klientai klientams maža mažoji šeimos šeimyninė naujų aukštos kokybės
        bendradarbiavimo bendradarbiavimas regione šalyje užsienyje per metus metus""",
    "fi": """palvelut palveluja palvelu palveluita ratkaisut ratkaisuja tuotteet tuotteita
        ja tai sekä on olemme olen me meidän meillä te he se ne tämä nämä että kun mutta
        ei myös kuin jos joka jotka mikä mitä ovat oli hyvin vain jo
        oy ab oyj yritys yrityksen yrityksemme yritykset yrityksiä etsimme etsii haemme
        tarvitsemme tarjoamme tarjoaa kumppani kumppania kumppaneita kumppanin asiakkaita
        asiakkaat asiakkaille pieni pienet perheyritys uusia laadukas laadukkaita
        yhteistyö yhteistyötä alueella maassa ulkomailla vuodessa""",
    "de": """dienstleistungen dienstleistung leistungen lösungen lösung produkte produkten
        und oder der die das den dem des ein eine einen einem einer eines in im an am auf
        aus bei mit nach von vom zu zum zur für über unter durch gegen ohne um wir unser
        unsere unseren unserer unserem uns ich sie er es ist sind war waren sein auch nicht
        nur sowie als wie so sehr bereits ca bzw usw etc z.b
        gmbh ag kg ug ohg e.k firma unternehmen betrieb suchen sucht gesucht brauchen
        bieten bietet anbieten partner partnern partnerin kunden kundinnen klein kleines
        kleiner mittelständisches familienunternehmen familienbetrieb neue hochwertige
        zusammenarbeit kooperation region land ausland jährlich pro jahr""",
    "da": """tjenester tjenesteydelser ydelser løsninger løsning produkter
        og eller i på af til fra med for om ved under over en et den det de der som er
        var være vi vores os jeg han hun ikke også kun men så meget allerede ca osv
        aps a/s as firma virksomhed virksomheden virksomheder søger leder efter finde
        tilbyder partner partnere partnerne kunder kunderne lille mindre familieejet
        familievirksomhed nye høj kvalitet samarbejde region landet udlandet om året""",
}

# Suffixes in canonical (folded) form, tried longest first; a stem keeps at least
# ``_MIN_STEM`` letters so short words are left alone.
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": (
        "ational", "ations", "ation", "ition", "ings", "ing", "ment", "ness", "ery",
        "ers", "er", "ed", "ion", "al", "ly", "e", "y",
    ),
    "pl": (
        "owania", "owanie", "aniem", "owych", "owymi", "owego", "owej", "owym", "owie",
        "ami", "ach", "owi", "owy", "owa", "owe", "ego", "emu", "ych", "ymi", "ich", "imi",
        "iej", "om", "ow", "em", "ie", "ia", "iu", "ii", "ej", "a", "e", "i", "o", "u", "y",
    ),
    "lv": (
        "ajiem", "ajam", "ajos", "iem", "ies", "am", "em", "im", "um", "as", "es", "is",
        "us", "os", "ai", "ei", "ie", "a", "e", "i", "u", "s", "o",
    ),
    "et": (
        "dega", "tega", "desse", "tesse", "dele", "tele", "delt", "telt", "des", "tes",
        "sse", "ga", "ta", "st", "le", "lt", "ks", "ni", "id", "de", "te", "d", "t", "s",
        "i", "e", "a", "u",
    ),
    "lt": (
        "iuose", "iams", "iems", "uose", "ose", "ams", "ems", "oms", "ims", "ais", "ius",
        "iai", "ios", "ies", "iu", "as", "is", "ys", "us", "os", "es", "ai", "ei", "om",
        "am", "ui", "a", "e", "i", "u", "o", "y", "s",
    ),
    "fi": (
        "itten", "ineen", "iden", "issa", "ista", "illa", "ilta", "ille", "iin", "ita",
        "ien", "jen", "ssa", "sta", "lla", "lta", "lle", "ksi", "ja", "na", "ta", "en",
        "an", "in", "on", "un", "yn", "t", "n", "a", "i",
    ),
    "de": (
        "ungen", "heiten", "keiten", "ung", "heit", "keit", "ern", "en", "er", "es", "em",
        "e", "n", "s",
    ),
    "da": (
        "ernes", "erens", "erne", "heden", "ende", "ene", "ens", "hed", "er", "en", "et",
        "es", "e", "s",
    ),
}  # fmt: skip
_MIN_STEM: dict[str, int] = {"en": 3, "pl": 3, "lv": 3, "et": 3, "lt": 3, "fi": 4, "de": 4, "da": 3}
# Case endings stack in Estonian and Finnish ("sõiduki-te", "mööbli-t"): strip twice there.
_TWO_PASS = frozenset({"et", "fi"})
# Danish and Estonian drop the e of a final -el/-er/-en when inflecting (møbel/møbler,
# mööbel/mööbli): drop it in the stem too, so both forms meet.
_SYNCOPE = frozenset({"da", "et"})
_SYNCOPE_RE = re.compile(r"([^aeiouy])e([lrn])$")


def fold(text: str) -> str:
    """Case-fold and strip diacritics so typed-without-diacritics text compares equal.

    >>> fold("Łódź Møbler Straße MĒBELES")
    'lodz mobler strasse mebeles'
    """
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text).casefold()
    if not text.isascii():
        text = _COMBINING.sub("", text)
        if not text.isascii():
            for letter, plain in _FOLD_EXTRA:
                text = text.replace(letter, plain)
    return text


def canonical(text: str) -> str:
    """Reduce the ae/oe/ue spellings of umlauts, so "moebel" meets "Möbel" (folded "mobel")."""
    if "e" not in text:
        return text
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


@lru_cache(maxsize=262_144)
def canonical_word(word: str) -> str:
    """:func:`canonical` of :func:`fold` of one word as typed (cached: words repeat a lot)."""
    return canonical(fold(word))


def tokens(text: str) -> list[str]:
    """Folded, canonical words of at least two characters; pure numbers are dropped.

    Words are cut from the text as typed and folded one by one, through a cache.
    """
    found = map(canonical_word, WORD_PATTERN.findall(text))
    return [w for w in found if len(w) > 1 and not w.isdigit()]


@lru_cache(maxsize=16)
def stopwords(lang: str | None) -> frozenset[str]:
    """Canonical stop words of ``lang`` plus English; of every language when ``lang`` is None."""
    langs: Iterable[str] = LANGS if lang not in _STOPWORDS else {lang, "en"}
    words: set[str] = set()
    for code in langs:
        words.update(canonical(w) for w in fold(_STOPWORDS[code]).split())
    return frozenset(words)


def content_words(text: str, lang: str | None, *, curated: bool = False) -> list[str]:
    """The words of ``text`` that can name a sector: :func:`tokens` minus stop words.

    Acronyms that spell a stop word ("IT") are kept when written in capitals, and always in
    ``curated`` text (lexicon terms), where "it services" cannot mean the pronoun.
    """
    stop = stopwords(lang)
    found: list[str] = []
    for raw in WORD_PATTERN.findall(text):
        word = canonical_word(raw)
        if len(word) < 2 or word.isdigit():
            continue
        if word not in stop or (word in ACRONYMS and (curated or raw.isupper())):
            found.append(word)
    return found


def is_content_word(raw: str, lang: str | None = None) -> bool:
    """Whether a word as typed is worth matching (not a stop word, number or letter)."""
    word = canonical_word(raw)
    if len(word) < 2 or word.isdigit():
        return False
    return word not in stopwords(lang) or (word in ACRONYMS and raw.isupper())


@lru_cache(maxsize=262_144)
def stem(word: str, lang: str) -> str:
    """Strip the longest inflectional suffix of ``lang`` from a canonical word (cached).

    Unknown languages leave the word as is; a stem keeps a minimum length.
    """
    buckets = _suffix_buckets(lang)
    if not buckets:
        return word
    if lang == "en":
        word = _english_plural(word)
    keep = _MIN_STEM[lang]
    for _ in range(2 if lang in _TWO_PASS else 1):
        for length, suffixes in buckets:
            if len(word) - length >= keep and word[-length:] in suffixes:
                word = word[:-length]
                break
        else:
            break
    if lang in _SYNCOPE and len(word) > keep + 1:
        word = _SYNCOPE_RE.sub(r"\1\2", word)
    return word


@lru_cache(maxsize=16)
def _suffix_buckets(lang: str) -> tuple[tuple[int, frozenset[str]], ...]:
    """The suffixes of ``lang`` grouped by length, longest first."""
    suffixes = _SUFFIXES.get(lang, ())
    lengths = sorted({len(s) for s in suffixes}, reverse=True)
    return tuple((n, frozenset(s for s in suffixes if len(s) == n)) for n in lengths)


def _english_plural(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def overlap_key(word: str) -> str:
    """A language-neutral key for literal word overlap when a text's language is unknown.

    The shortest stem (of four letters or more) any of our languages' strippers gives, cut
    to six letters: crude, but it lets "hotels"/"hotel", "meble"/"meblami" and
    "huonekaluja"/"huonekalu" meet without knowing the language.
    """
    stems = [s for s in (stem(word, lang) for lang in LANGS) if len(s) >= 4]
    return min(stems, key=len)[:6] if stems else word[:6]
