"""A realistic search corpus for bench/search.py, built offline from the app's own texts.

Words: every Kazakh, Russian and English word of the demo drafts, the interface's translations (translations/*.po),
the search glossary and the Kazakh gold lists of tests/search/data, plus the regular inflections of their dictionary
forms — Kazakh plural, possessive and case endings with vowel harmony and consonant assimilation, Russian noun,
adjective and verb endings, English -s/-ed/-ing. Each language's forms are ranked (a form seen in the texts by its
count, then each lemma's generated forms, the commoner endings first) and drawn with Zipf's law (s = 1.1), so a few
words are in most texts and most words are rare, as in real text. Comments are log-normal in length (median 45
words), sections 30-300 words. Queries are 1-3 words drawn from the same distribution, stop words left out.
"""

import random
import re
from collections import Counter
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("kk", "ru", "en")
LANG_WEIGHTS = (4, 5, 1)
ZIPF_S = 1.1
WORD = re.compile(r"[^\W\d_]{2,}")
PO_STRING = re.compile(r'^(msgid|msgstr(?:\[\d\])?) "(.*)"$', re.M)
PLACEHOLDER = re.compile(r"%\(\w+\)\w|\{\w+\}|<[^>]+>")

# --- Kazakh -------------------------------------------------------------------------------------------------------
KK_BACK, KK_FRONT = set("аоұы"), set("әөүіеэ")
KK_VOWELS = KK_BACK | KK_FRONT | set("иуюя")
KK_VOICELESS = set("пкқтсшфхцчщ")
KK_NASAL = set("мнң")
KK_SOFTENED = {"п": "б", "к": "г", "қ": "ғ"}  # кітап -> кітабы, жүрек -> жүрегі


def _back(stem: str) -> bool:
    for letter in reversed(stem):
        if letter in KK_BACK:
            return True
        if letter in KK_FRONT:
            return False
    return True


def _kk(stem: str, back_form: str, front_form: str) -> str:
    return stem + (back_form if _back(stem) else front_form)


def _kk_sound(stem: str) -> str:
    last = stem[-1]
    if last in KK_VOWELS:
        return "vowel"
    if last in KK_VOICELESS or last in "бвгд":
        return "voiceless"
    if last in KK_NASAL:
        return "nasal"
    if last in "зж":
        return "zh"
    return "sonorant"  # л р й у


def kk_plural(stem: str) -> str:
    sound = _kk_sound(stem)
    ending = {"vowel": "л", "sonorant": "л" if stem[-1] in "рйу" else "д", "nasal": "д", "zh": "д"}.get(sound, "т")
    return _kk(stem, ending + "ар", ending + "ер")


def kk_possessive3(stem: str) -> str:
    if _kk_sound(stem) == "vowel":
        return _kk(stem, "сы", "сі")
    return _kk(stem[:-1] + KK_SOFTENED.get(stem[-1], stem[-1]), "ы", "і")


def kk_possessive1pl(stem: str) -> str:
    if _kk_sound(stem) == "vowel":
        return _kk(stem, "мыз", "міз")
    return _kk(stem[:-1] + KK_SOFTENED.get(stem[-1], stem[-1]), "ымыз", "іміз")


def kk_cases(stem: str, possessed: bool = False) -> list[str]:
    """Genitive, accusative, dative, locative, ablative, instrumental of a stem (a 3rd-person possessive takes -н-)."""
    sound = _kk_sound(stem)
    vowel, voiceless = sound == "vowel", sound == "voiceless"
    genitive = "н" if vowel or sound == "nasal" else "т" if voiceless else "д"
    accusative = "н" if vowel else "т" if voiceless else "д"
    if possessed:
        accusative, dative, locative, ablative = "", ("на", "не"), ("нда", "нде"), ("нан", "нен")
    else:
        dative = ("қа", "ке") if voiceless else ("ға", "ге")
        locative = ("та", "те") if voiceless else ("да", "де")
        ablative = ("тан", "тен") if voiceless else ("нан", "нен") if sound == "nasal" else ("дан", "ден")
    instrumental = "пен" if voiceless else "бен" if sound in ("nasal", "zh") else "мен"
    return [
        _kk(stem, genitive + "ың", genitive + "ің"),
        stem + "н" if possessed else _kk(stem, accusative + "ы", accusative + "і"),
        _kk(stem, *dative),
        _kk(stem, *locative),
        _kk(stem, *ablative),
        stem + instrumental,
    ]


def kk_forms(stem: str) -> list[str]:
    """The commoner inflections of a Kazakh noun stem, commonest first."""
    plural, possessed = kk_plural(stem), kk_possessive3(stem)
    forms = [*kk_cases(stem), plural, possessed, *kk_cases(possessed, possessed=True), *kk_cases(plural)]
    plural_possessed = kk_possessive3(plural)
    return [*forms, plural_possessed, *kk_cases(plural_possessed, possessed=True), kk_possessive1pl(stem)]


# --- Russian ------------------------------------------------------------------------------------------------------
RU_HUSHING = set("кгхжшчщ")


def ru_forms(word: str) -> list[str]:
    """The regular paradigm of a Russian dictionary form (noun, adjective, -ать/-ить verb); [] when it is not one."""
    if len(word) < 4:
        return []
    if word.endswith(("ый", "ий", "ой")):
        stem, y = word[:-2], "и" if word[-3] in RU_HUSHING or word.endswith("ий") else "ы"
        return [stem + e for e in ("ого", "ому", f"{y}м", "ом", "ая", "ой", "ую", "ое", f"{y}е", f"{y}х", f"{y}ми")]
    if word.endswith("ние") or word.endswith("тие"):
        stem = word[:-1]
        return [stem + e for e in ("я", "ю", "ем", "и", "й", "ям", "ями", "ях")]
    if word.endswith(("ать", "ять")):
        stem = word[:-2]
        return [stem + e for e in ("ет", "ют", "л", "ла", "ли", "ло", "ющий", "ние", "нный")]
    if word.endswith("ить"):
        stem = word[:-3]
        return [stem + e for e in ("ит", "ят", "ил", "ила", "или", "ено", "ение", "енный")]
    if word.endswith("а") and word[-2] not in "аеиоуыэюя":
        stem, y = word[:-1], "и" if word[-2] in RU_HUSHING else "ы"
        return [stem + e for e in (y, "е", "у", "ой", "", "ам", "ами", "ах")]
    if word[-1] not in "аеёиоуыэюяйь":
        y = "и" if word[-1] in RU_HUSHING else "ы"
        return [word + e for e in ("а", "у", "ом", "е", y, "ов" if y == "ы" else "ей", "ам", "ами", "ах")]
    return []


# --- English ------------------------------------------------------------------------------------------------------
def en_forms(word: str) -> list[str]:
    if len(word) < 4 or not word.isascii() or word.endswith(("s", "ed", "ing", "ly")):
        return []
    if word.endswith("e"):
        return [word + "s", word + "d", word[:-1] + "ing"]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    return [word + "s", word + "ed", word + "ing"]


# --- the texts ------------------------------------------------------------------------------------------------------
def _po_strings(lang: str) -> list[str]:
    """The interface's strings in a language: the msgstrs of kk and ru, the English msgids."""
    path = ROOT / "translations" / ("en" if lang == "en" else lang) / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return []
    wanted = "msgid" if lang == "en" else "msgstr"
    return [PLACEHOLDER.sub(" ", text) for kind, text in PO_STRING.findall(path.read_text(encoding="utf-8"))
            if kind.startswith(wanted)]  # fmt: skip


def source_counts(lang: str) -> Counter:
    """Each word of the app's own texts in that language with its count."""
    texts = [path.read_text(encoding="utf-8") for path in (ROOT / "app" / "laws" / "demo_texts").glob(f"*.{lang}.txt")]
    texts += _po_strings(lang)
    column = LANGS.index(lang)
    for line in (ROOT / "app" / "search" / "data" / "glossary.tsv").read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if not line.startswith("#") and len(cells) > column:
            texts.append(cells[column])
    if lang == "kk":
        for path in (ROOT / "tests" / "search" / "data").glob("kk_*.tsv"):
            texts += [line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()
                      if line and not line.startswith("#")]  # fmt: skip
    words = Counter(word.lower().replace("ё", "е") for text in texts for word in WORD.findall(text))
    script = re.compile({"en": r"^[a-z]+$", "ru": r"^[а-я]+$", "kk": r"^[а-яәғқңөұүһі]+$"}[lang])
    return Counter({word: n for word, n in words.items() if script.match(word)})


def ranked_vocabulary(lang: str) -> list[str]:
    """Every form of the language, the most frequent first: seen forms by count, then generated ones by the rank of
    their lemma and the commonness of their ending."""
    from app.search.analysis import STOP_WORDS_BY_LANG

    counts = source_counts(lang)
    stops = STOP_WORDS_BY_LANG[lang]
    weights: dict[str, float] = {word: float(n) for word, n in counts.items()}
    if lang == "kk":
        from app.search.kk_stemmer import stem

        lemmas = Counter()
        for word, n in counts.items():
            lemma = stem(word)
            if len(lemma) >= 3 and lemma[-1] not in "ьъ" and word not in stops:
                lemmas[lemma] += n
        generated = {lemma: kk_forms(lemma) for lemma in lemmas}
    else:
        lemmas = Counter({word: n for word, n in counts.items() if word not in stops})
        generated = {word: (ru_forms if lang == "ru" else en_forms)(word) for word in lemmas}
    for lemma, forms in generated.items():
        if not any(form in counts for form in forms):
            continue  # no inflection of it is seen in the texts: not a noun, adjective or verb we can inflect
        for position, form in enumerate(forms, 1):
            weight = lemmas[lemma] * 0.5 / position
            if weights.get(form, 0.0) < weight:
                weights[form] = weight
    return sorted(weights, key=lambda word: (-weights[word], word))


class Vocabulary:
    """Ranked forms per language and Zipf's law over them."""

    def __init__(self, seed: int = 1):
        self.rng = random.Random(seed)
        self.words = {lang: ranked_vocabulary(lang) for lang in LANGS}
        self.cumulative = {
            lang: list(accumulate(1 / rank**ZIPF_S for rank in range(1, len(words) + 1)))
            for lang, words in self.words.items()
        }

    def draw(self, lang: str, n: int) -> list[str]:
        return self.rng.choices(self.words[lang], cum_weights=self.cumulative[lang], k=n)

    def text(self, low: int, high: int, median: float | None = None) -> tuple[str, str]:
        lang = self.rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
        n = self.rng.randint(low, high) if median is None else self.rng.lognormvariate(0, 0.8) * median
        return lang, " ".join(self.draw(lang, max(low, min(high, round(n)))))

    def queries(self, n: int, searchable) -> list[tuple[str, str]]:
        """n queries of 1-3 words by frequency; searchable(word, lang) leaves out what no engine indexes."""
        found = []
        while len(found) < n:
            lang = self.rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
            words = [w for w in self.draw(lang, self.rng.choice((1, 1, 2, 2, 2, 3))) if searchable(w, lang)]
            if words:
                found.append((lang, " ".join(dict.fromkeys(words))))
        return found


def most_frequent(texts: list[tuple[str, str]], n: int, searchable) -> list[tuple[str, str]]:
    """The n words found in most texts (as a one-word query in its language)."""
    counts: Counter = Counter()
    for lang, text in texts:
        counts.update((lang, word) for word in set(text.split()) if searchable(word, lang))
    return [(lang, word) for (lang, word), _ in counts.most_common(n)]
