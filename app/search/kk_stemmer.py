"""Light Kazakh stemmer: strips inflectional endings so the word forms of one noun share a stem.

Endings are removed in the reverse order of attachment, one slot each: personal/predicative, case,
-дағы ("which is in"), possessive, plural; then a final б/г/ғ after a vowel becomes п/к/қ, as the bare
stem is written (кітабы -> кітаб -> кітап, тармағы -> тармақ). An ending is only removed after the
letters that select that allomorph (-тар after voiceless consonants, -дар after л м н ң ж з, -лар after
vowels and р й у и), which keeps most stem-final look-alikes whole (доллар, орта, ана). The result is
stemmed again until it stops changing, so an inflected form meets its bare stem even where the rules
also trim the bare stem (кедергілер -> кедергі -> кедерг, like кедергі "obstacle" itself).

Not stripped, because they collide with frequent stems in legal and civic text:
- 1sg possessive -м/-ым/-ім and predicative -мын/-мін: адам, қоғам, шешім, білім end the same way;
- 2sg informal possessive -ң/-ың/-ің: кезең, алаң, қалың;
- dative -а/-е, which only follows those two possessives;
- privative -сыз/-сіз (заңсыз "unlawful" is not заң) and derivational suffixes (-лық, -шы, -нама).

Two ambiguities are settled by a default and the exception list (data/kk_exceptions.txt):
- -сы/-сі: a vowel stem + possessive (жоба-сы) unless the stem is listed (кеңес-і, үлес-і);
- -ны/-ні after а, е...: an accusative (жоба-ны) unless the stem in -н is listed (орган-ы, аудан-ы).
"""

from collections.abc import Callable
from functools import cache
from pathlib import Path

_EXCEPTIONS_FILE = Path(__file__).parent / "data" / "kk_exceptions.txt"

# у, и and ю are left out on purpose: they take consonant allomorphs (тарау-дың, тарау-ы, ми-дың, жою-ы).
_VOWELS = frozenset("аәеоөұүыіэяё")
_YI = frozenset("ыі")
_NASALS = frozenset("мнң")
_SONORANTS = frozenset("лрйуию")
_ZH = frozenset("жз")
# Final б в г д ғ in loanwords are devoiced and take the voiceless allomorphs (клубтың, кодтың).
_VOICELESS = frozenset("пткқсшщфхцчбвгдғ")
_CONSONANTS = _NASALS | _SONORANTS | _ZH | _VOICELESS

_D_AFTER = _SONORANTS | _ZH  # genitive -дың, ablative -дан
_GEN_N = _VOWELS | _NASALS
_ACC_D = _SONORANTS | _ZH | _NASALS
_LOC_D = _VOWELS | _SONORANTS | _ZH | _NASALS  # also dative -ға
_ABL_D = _VOWELS | _D_AFTER
_INS_M = _VOWELS | _SONORANTS | _NASALS
_PL_L = _VOWELS | frozenset("рйуию")
_PL_D = frozenset("лмнңжз")
_PRED_M = _VOWELS | _SONORANTS | _NASALS

_ACC_N = frozenset(("ны", "ні"))
_PARTICIPLE_ENDS = ("ға", "ге", "қа", "ке")
_DEVOICE = {"б": "п", "г": "к", "ғ": "қ"}
_CYRILLIC = frozenset("абвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюяә")

# A rule: (ending, letters allowed just before it, shortest stem left, ending follows a 3rd-person possessive).
_Rule = tuple[str, frozenset[str], int, bool]


def _index(rules: list[_Rule]) -> dict[str, tuple[_Rule, ...]]:
    """Group rules by the ending's last letter, longest ending first, so a word checks only a few."""
    by_last: dict[str, list[_Rule]] = {}
    for rule in sorted(rules, key=lambda r: -len(r[0])):
        by_last.setdefault(rule[0][-1], []).append(rule)
    return {last: tuple(group) for last, group in by_last.items()}


def _pair(back: str, front: str, after: frozenset[str], min_stem: int = 2, poss3: bool = False) -> list[_Rule]:
    """Return the back- and front-vowel variants of one ending as rules."""
    return [(back, after, min_stem, poss3), (front, after, min_stem, poss3)]


_PERSONAL = _index(
    # 1pl "we are" (азаматпыз, жобамыз); -мыз after a vowel doubles as the 1pl possessive, same stem either way.
    _pair("мыз", "міз", _PRED_M, 3)
    + _pair("быз", "біз", _ZH, 3)
    + _pair("пыз", "піз", _VOICELESS, 3)
    # 1sg "I am" only after consonants that select -бын/-пын: -мын would eat шешім-і-н, адам-ы-н.
    + _pair("бын", "бін", _ZH, 3)
    + _pair("пын", "пін", _VOICELESS, 3)
)

_CASE = _index(
    # genitive
    _pair("ның", "нің", _GEN_N)
    + _pair("дың", "дің", _D_AFTER)
    + _pair("тың", "тің", _VOICELESS)
    # ablative
    + _pair("нан", "нен", _NASALS)
    + _pair("нан", "нен", _YI, poss3=True)
    + _pair("дан", "ден", _ABL_D)
    + _pair("тан", "тен", _VOICELESS)
    # instrumental
    + _pair("мен", "мен", _INS_M)
    + _pair("бен", "бен", _ZH)
    + _pair("пен", "пен", _VOICELESS)
    # locative
    + _pair("нда", "нде", _YI, poss3=True)
    + _pair("да", "де", _LOC_D)
    + _pair("та", "те", _VOICELESS)
    # dative
    + _pair("ға", "ге", _LOC_D)
    + _pair("қа", "ке", _VOICELESS)
    + _pair("на", "не", _YI, poss3=True)
    # accusative; -ны after a vowel may also be н-stem + possessive (органы), see _n_stem_possessive
    + _pair("ны", "ні", _VOWELS, 3)
    + _pair("ды", "ді", _ACC_D)
    + _pair("ты", "ті", _VOICELESS)
    # A bare -н must leave 3 letters after the possessive too, or орын/ойын/қиын would lose their ending.
    + [("н", _YI, 3, True)]
)

# -дағы "which is in" (заңдағы, Кодекстегі) may itself take a case: Заңдағыдан, so it gets its own slot.
_LOC_ADJ = _index(
    _pair("ндағы", "ндегі", _YI, poss3=True) + _pair("дағы", "дегі", _LOC_D) + _pair("тағы", "тегі", _VOICELESS)
)

_PLURAL = _index(_pair("лар", "лер", _PL_L) + _pair("дар", "дер", _PL_D) + _pair("тар", "тер", _VOICELESS))

# 1pl and polite 2sg possessives; the 3rd person (-сы/-ы) has its own function because it is ambiguous.
_POSSESSIVE = _index(
    _pair("ымыз", "іміз", _CONSONANTS)
    + _pair("мыз", "міз", _VOWELS, 3)
    + _pair("ыңыз", "іңіз", _CONSONANTS)
    + _pair("ңыз", "ңіз", _VOWELS, 3)
)


@cache
def _exceptions() -> dict[str, str]:
    """Load the exception list once, on first use rather than at import."""
    table: dict[str, str] = {}
    for raw in _EXCEPTIONS_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, _, target = line.partition("\t")
        word, target = word.strip().lower(), target.strip().lower()
        table[word] = target or word
        # A target is a known stem too, so its own forms stop there: кәсіпорны -> кәсіпорын <- кәсіпорынның.
        if target:
            table.setdefault(target, target)
    return table


def _strip_poss3(word: str, exceptions: dict[str, str], min_stem: int = 2) -> str | None:
    """Return the word without a 3rd-person possessive -сы/-сі/-ы/-і, or None if it has none."""
    if len(word) < 3 or word[-1] not in _YI:
        return None
    short = word[:-1]
    if word[-2] == "с" and len(word) >= 4 and word[-3] in _VOWELS:
        # Ambiguous: vowel stem + -сы (жоба-сы) or с-stem + -ы (ұсыныс-ы, кеңес-і).
        long = word[:-2]
        if _is_known(long, exceptions):
            return long if len(long) >= min_stem else None
        if _is_known(short, exceptions):
            return short
        # ы/і before -с is almost always an -ыс/-іс noun (ұсыныс, жұмыс, табыс), unless it ends an agent -шы.
        if long[-1] not in _YI or long[-2] == "ш":
            return long if len(long) >= min_stem else None
        return short if len(short) >= min_stem else None
    if word[-2] in _VOWELS:
        return None
    # Agent nouns end in -шы after a consonant or у (тұтынушы, басшы): that ы is not a possessive.
    # Nouns in -ыш/-іш (өтініш, көрсеткіш) have a vowel before ш and do take the possessive -ы/-і.
    if word[-2] == "ш" and word[-3] not in _VOWELS:
        return None
    return short if len(short) >= min_stem else None


def _is_known(word: str, exceptions: dict[str, str]) -> bool:
    """Tell whether the word is a known stem in the exception list (not a form mapped elsewhere)."""
    return exceptions.get(word) == word


def _n_stem_possessive(rest: str, exceptions: dict[str, str]) -> bool:
    """Tell whether -ны/-ні is better read as a stem's final н plus the possessive -ы/-і."""
    if _is_known(rest, exceptions):
        return False
    if len(rest) >= 5 and rest.endswith(_PARTICIPLE_ENDS):
        return True  # a participle in -ған/-ген + possessive: қабылданған-ы, not қабылданға-ны
    # A vowel stem in ы/і is rare (ignoring agent nouns in -шы), a noun in -ын/-ін is common (жиын-ы).
    return rest[-1] in _YI and rest[-2] != "ш"


def _strip(word: str, rules: dict[str, tuple[_Rule, ...]], exceptions: dict[str, str]) -> str:
    """Remove the longest ending from one slot whose context fits, or return the word unchanged."""
    candidates = rules.get(word[-1])
    if not candidates:
        return word
    for ending, after, min_stem, poss3 in candidates:
        if not word.endswith(ending):
            continue
        rest = word[: -len(ending)]
        if len(rest) < min_stem or rest[-1] not in after:
            continue
        if word[-1] in _YI and _is_known(_devoice(word[:-1]), exceptions):
            return word  # known stem + possessive -ы/-і (орган-ы, мүгедег-і): the possessive slot takes it
        if len(rest) == 2 and rest[-1] in _VOWELS and rules is _CASE:
            continue  # two-letter vowel stems are rare: баға, кәде are whole words, not ба-ға, кә-де
        if ending in _ACC_N and _n_stem_possessive(rest, exceptions):
            continue
        if ending == "н" and rest[-2] in "қк":
            continue  # a possessive voices қ/к to ғ/г (құқық-ы = құқығы), so -қын/-кін is a noun: толқын
        if poss3:
            if ending.startswith("нд") and _is_known(rest + "н", exceptions):
                continue  # a known stem in -ын/-ін + locative: мәтін-де, not мәті-нде
            # An ending that only follows a possessive is accepted only if that possessive is really there.
            if rest in exceptions or _strip_poss3(rest, exceptions, min_stem) is not None:
                return rest
            continue
        return rest
    return word


def _strip_possessive(word: str, exceptions: dict[str, str]) -> str:
    """Remove a possessive: 1pl or polite 2sg first, else the 3rd person -сы/-ы."""
    shorter = _strip(word, _POSSESSIVE, exceptions)
    if shorter == word:
        shorter = _strip_poss3(word, exceptions) or word
    return shorter


def _devoice(word: str) -> str:
    """Turn a final б/г/ғ after a vowel back into п/к/қ, as the bare stem is written."""
    if len(word) >= 3 and word[-1] in _DEVOICE and word[-2] in _VOWELS:
        return word[:-1] + _DEVOICE[word[-1]]
    return word


def _slot(rules: dict[str, tuple[_Rule, ...]]) -> Callable[[str, dict[str, str]], str]:
    """Return a step that strips one ending of the given slot."""
    return lambda word, exceptions: _strip(word, rules, exceptions)


# Reverse order of attachment: заң-дар-ымыз-да-мыз is undone from the right.
_STEPS = (
    _slot(_PERSONAL),
    _slot(_CASE),
    _slot(_LOC_ADJ),
    _strip_possessive,
    _slot(_PLURAL),
)
# A second pass makes an inflected form meet its bare stem when the rules also cut the bare stem:
# қорытынды -> қорытынд (its -ы read as a possessive), so қорытындылар -> қорытынды must go on too.
_MAX_PASSES = 3


def _stem_once(word: str, exceptions: dict[str, str]) -> str:
    """Run every slot once over the word; an exception reached on the way ends the stemming."""
    for step in _STEPS:
        shorter = step(word, exceptions)
        if shorter != word:
            word = shorter
            if word in exceptions:
                return exceptions[word]
    return _devoice(word)


def stem(word: str) -> str:
    """Return the stem of one Kazakh word; words that are not all Cyrillic come back lower-cased."""
    word = word.lower().replace("ё", "е")
    if len(word) < 3 or not _CYRILLIC.issuperset(word):
        return word
    exceptions = _exceptions()
    for _ in range(_MAX_PASSES):
        if word in exceptions:
            return exceptions[word]
        shorter = _stem_once(word, exceptions)
        if shorter == word:
            break
        word = shorter
    return word
