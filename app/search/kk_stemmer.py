"""Light Kazakh stemmer: strips inflectional endings so the word forms of one noun or verb share a stem.

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

A verb form becomes its verbal noun in -у/-ю, the form people type: жарияланады, жарияланған, жариялануы ->
жариялау (the ending, then a negation -ма-, then up to two passives -ыл-/-н-; see "Verbs" below). Not handled:
the future -ар (the plural -лар after a vowel; қарар, тауар are nouns), an active past after a consonant (бекіт-ті
is written like мемлекет-ті), gerunds but a passive's, the past of -ыла verbs (талқыла-ды reads like ұсын-ыл-ады).
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

# --- Verbs ------------------------------------------------------------------------------------------------------
# How sure an ending is that the word is a verb, so what else the stem must show before it is read as one:
_STRONG = 0  # nothing more: -ған, -ады, -йды, -ды after a vowel have no noun reading
_WEAK = 1  # a noun in -т reads the same (мемлекет-і-н, жоба-мыз): a known root, a voice, negation or causative
_ACC = 2  # -ды/-ті after a consonant is also the accusative (заң-ды, мемлекет-ті): a known root, voice or negation
_VOICE = 3  # -сын, -ып: only after a passive (бекітіл-сін) or a known root; a negation would eat жоба-сы-н
_MARKED = 4  # -у: the verbal noun is the lemma itself, it changes only when a passive or a negation is removed

_VOICED = _VOWELS | _SONORANTS | _NASALS | _ZH
_NEG = {"м": _VOWELS | frozenset("лрйуи"), "б": _NASALS | _ZH, "п": _VOICELESS}
# Roots that are verbs for sure: short ones (a root under 3 letters must be listed), one-syllable ones whose
# -ады is a present (шеш-еді, not шеше-ді), and verbs that look like another's passive (қолдану "to apply" is
# not қолдау "to support" undergone, таралу "to spread" not тарау "chapter").
_VERB_ROOTS = frozenset(
    "ет бер ал бол сал кел кет қой жой біл бөл көр өт тұр жүр шеш жаз таб шығ қос кес өс түс ұсын асыр".split()
) | {"қолдан", "тарал"}
# Nouns whose accusative looks like a past passive (портал-ды ~ қара-л-ды) or a present (жағдай-ды ~ қара-й-ды).
_NOT_VERBS = frozenset(
    """
    мысал мақал дәлел портал канал материал капитал журнал персонал сигнал финал потенциал генерал минерал
    ылғал кабел модел панел отел тәсіл өкіл уәкіл көңіл қызыл жасыл ақыл әділ кеден отан метан уран план роман
    океан стакан арман тұман баян баған туған құрбан сұлтан дастан жағдай мұнай сарай құдай бидай қытай алтай кедей
    """.split()
)
_PASSIVE_YL = _CONSONANTS - {"у", "и"}  # -ыл/-іл follows a consonant root (бекіт-іл), but not у or и: ауыл
_CAUSATIVE = ("ғыз", "гіз", "қыз", "кіз", "дыр", "дір", "тыр", "тір")
# (ending, letters before it, mode, whole word only, letter the ending swallowed, shortest stem); back/front together
_VerbRule = tuple[str, frozenset[str], int, bool, str, int]
_VERB_RULES: dict[str, tuple[_VerbRule, ...]] = _index([(ending, *rest) for endings, *rest in (
    # Participles, also under a noun ending (белгіленген-де, тіркелген-дер); -ғандық "the fact that".
    ("ған ген ғандық гендік", _VOICED, _STRONG, False, "", 2),
    ("қан кен қандық кендік", _VOICELESS, _STRONG, False, "", 2),
    ("йтын йтін", _VOWELS, _STRONG, False, "", 3), ("атын етін", _CONSONANTS, _WEAK, False, "", 2),
    # A root in й or ы takes -а, -й as я, и (жоя-ды, қамти-ды); front -иді/-итін would eat диоксид-і(-н).
    ("ятын", frozenset("й"), _STRONG, False, "й", 2), ("итын", frozenset("ы"), _STRONG, False, "ы", 4),
    ("яды", frozenset("й"), _STRONG, True, "й", 2), ("иды", frozenset("ы"), _STRONG, True, "ы", 4),
    # Future of intent, also before -та "is being done" (жүргізілмек-те); тармақ stays a noun.
    ("мақ мек", _NEG["м"], _STRONG, False, "", 4), ("бақ бек", _NEG["б"], _STRONG, False, "", 4),
    ("пақ пек", _NEG["п"], _STRONG, False, "", 4),
    # Present: he, I, we.
    ("ады еді", _CONSONANTS, _STRONG, True, "", 2), ("йды йді ймын ймін ймыз йміз", _VOWELS, _STRONG, True, "", 3),
    ("амын емін амыз еміз", _CONSONANTS, _WEAK, True, "", 2),
    # Past.
    ("ды ді дым дім", _VOWELS, _STRONG, True, "", 3), ("ды ді", _VOICED, _ACC, True, "", 2),
    ("ты ті", _VOICELESS, _ACC, True, "", 2),
    # Conditional, 3rd-person imperative, a passive's gerund, the verbal noun.
    ("са се", _VOWELS, _STRONG, True, "", 3), ("са се", _CONSONANTS, _WEAK, True, "", 2),
    ("сын сін ып іп", _CONSONANTS, _VOICE, True, "", 2), ("у", _VOWELS | _CONSONANTS, _MARKED, False, "", 3),
) for ending in endings.split()])  # fmt: skip


def _strip_passive(root: str) -> str | None:
    """Return the root without a passive -ыл/-іл (-л, -н after а/е; -ын/-ін after л), or None."""
    if root in _VERB_ROOTS or len(root) < 4:
        return None
    if root[-2] in _YI and (root[-1] == "л" and root[-3] in _PASSIVE_YL or root[-1] == "н" and root[-3] == "л"):
        shorter = root[:-2]  # бекіт-іл, жой-ыл (not ауыл); ал-ын, бөл-ін
    elif root[-1] in "лн" and root[-2] in "ае":
        shorter = root[:-1]  # қара-л, жарияла-н
    else:
        return None
    return shorter if len(shorter) >= 3 or shorter in _VERB_ROOTS else None


def _verbal(root: str) -> bool:
    """Tell whether a root with no passive or negation still looks like a verb's: causative or -т."""
    # жүргіз, келтір (not негіз read as не-гіз); бекіт, өзгерт (not депут-ат-ы-н, комит-ет-і-н: т after у or и)
    causative = len(root) >= 5 and root.endswith(_CAUSATIVE)
    return causative or len(root) >= 4 and root[-1] == "т" and root[-2] in "аәеоөұүыірл"


def _reads_as_past(base: str) -> bool:
    """Tell whether -ады/-еді is better read as a stem in -а/-е plus the past -ды: қолда-ды, not қолд-ады."""
    last = base[-1]
    if last == "д" or (last in _NEG and base[-2] in _NEG[last]):
        return True  # no root ends in д (айқында-ды); a negation (талқыла-ма-ды, бекіт-пе-ді)
    if last == "т":
        return base[-2] not in _VOWELS and base[-2] not in "рлй"  # сақ-та-ды, рет-те-ді; бекіт-еді, айт-ады
    if last == "л":
        return base not in _VERB_ROOTS and _strip_passive(base) is None  # жария-ла-ды; қара-л-ады, бол-ады
    # A one-syllable root in a consonant is rarer than a two-syllable one in -а: қара-ды, жаса-ды, сұра-ды
    return base not in _VERB_ROOTS and sum(letter in _VOWELS for letter in base) == 1


def _verb_lemma(base: str, mode: int) -> str | None:
    """Return the verbal noun of a verb stem (voice and negation removed), or None if it is not one."""
    root, passive = base, False
    # A negation -ма/-ба/-па (-ме/-бе/-пе), chosen by the letter before it like the accusative -ны/-ды/-ты.
    negated = mode != _VOICE and len(root) >= 4 and root[-1] in "ае" and root[-2] in _NEG and root[-3] in _NEG[root[-2]]
    if negated:
        root = root[:-2]
    for _ in range(2):  # пайдалан-ыл: a -лан verb and its passive
        if not (shorter := _strip_passive(root)):
            break
        root, passive = shorter, True
    known = root in _VERB_ROOTS
    marked = negated or passive
    evidence = (True, marked or known or _verbal(root), marked or known, passive or known, marked)[mode]
    if not evidence or (len(root) < 3 and not known):
        return None
    if root[-1] == "й":
        return root[:-1] + "ю"  # жой -> жою
    return (root[:-1] if root[-1] in _YI else root) + "у"  # қамты -> қамту, бекіт -> бекіту


def _verb(word: str, exceptions: dict[str, str], whole: bool) -> str | None:
    """Return the verbal noun the word is a form of, or None; finite forms are only looked for in a whole word."""
    for noun in (word[:-2], word[:-1]):  # an accusative or possessive reading: жағдай-ды, мемлекет-ті, диоксид-і
        if noun in _NOT_VERBS or _is_known(noun, exceptions):
            return None
    for ending, after, mode, whole_only, restore, min_base in _VERB_RULES.get(word[-1], ()):
        if (whole_only and not whole) or not word.endswith(ending) or len(word) - len(ending) < min_base:
            continue
        base = word[: -len(ending)] + restore
        if ending in ("ады", "еді") and _reads_as_past(base):
            continue  # the past -ды after a vowel takes it
        if base[-1] in after and (lemma := _verb_lemma(base, mode)):
            return lemma
    return None


def _stem_once(word: str, exceptions: dict[str, str]) -> tuple[str, bool]:
    """Run every slot once over the word; an exception or a verb form reached on the way ends the stemming."""
    for step in _STEPS:
        shorter = step(word, exceptions)
        if shorter != word:
            word = shorter
            if word in exceptions:
                return exceptions[word], True
            if lemma := _verb(word, exceptions, whole=False):
                return lemma, True  # a participle or verbal noun under a noun ending: бекітілген-дер, бекітілу-і
    return _devoice(word), False


def stem(word: str) -> str:
    """Return the stem of one Kazakh word; words that are not all Cyrillic come back lower-cased."""
    word = word.lower().replace("ё", "е")
    if len(word) < 3 or not _CYRILLIC.issuperset(word):
        return word
    exceptions = _exceptions()
    if word not in exceptions and (lemma := _verb(word, exceptions, whole=True)):
        return lemma
    for _ in range(_MAX_PASSES):
        if word in exceptions:
            return exceptions[word]
        shorter, done = _stem_once(word, exceptions)
        if done or shorter == word:
            return shorter
        word = shorter
    return word
