"""Chinese analysis for ranking: a jieba tokenizer that is a proper Whoosh tokenizer.

Whoosh pickles analyzers into the index, so they live here (an importable module). The
tokenizer is only used for BM25F ranking and fuzzy words; exact matching is a substring test
on normalised text (see ``indexer.search``), because jieba words alone cannot give grep recall.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Iterator
from importlib import resources

from whoosh.analysis import Token, Tokenizer

from .normalize import normalize

_DICT_LOCK = threading.Lock()
_LOADED_WORDS: set[str] = set()
_DICT_LOADED = False


def userdict_words() -> list[str]:
    """The shipped dictionary of government terms (indexer/data/userdict.txt)."""
    text = resources.files("indexer").joinpath("data/userdict.txt").read_text(encoding="utf-8")
    words = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line.split()[0])
    return words


def _import_jieba():
    """``import jieba``, without letting it import pkg_resources: jieba's ``_compat`` imports
    it only to open its own data files and falls back to ``open()`` when it is missing, and
    importing pkg_resources costs about 0.2 s (a third of a small `fazhi index` update's
    start-up) and warns on recent setuptools."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    block = "pkg_resources" not in sys.modules
    if block:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # "import" fails
    try:
        import jieba
    finally:
        if block and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(60)  # silence "Building prefix dict..." on stderr, whoever builds it
    return jieba


def _jieba():
    """jieba with the shipped dictionary loaded (once, lazily, thread-safe)."""
    global _DICT_LOADED
    with _DICT_LOCK:
        jieba = _import_jieba()

    if not _DICT_LOADED:
        with _DICT_LOCK:
            if not _DICT_LOADED:
                _load_prefix_dict(jieba)
                add_userdict(jieba.dt)
                _DICT_LOADED = True
    return jieba


def add_userdict(tokenizer) -> None:
    """Add the shipped government terms to a jieba ``Tokenizer``."""
    for word in userdict_words():
        # Words are matched on normalised text, so register the normalised form.
        tokenizer.add_word(normalize(word), freq=None)


def _load_prefix_dict(jieba) -> None:
    """Give jieba's default tokenizer its prefix dictionary from our pickle cache: jieba's
    own cache is a marshal file that takes 1-2 s to load, a pickle about a third of that
    (it matters for `fazhi index` updates and worker processes)."""
    dt = jieba.dt
    if dt.initialized or dt.dictionary != jieba.DEFAULT_DICT:
        return
    base = base_dictionary(jieba)
    if base is not None and not dt.initialized:
        with dt.lock:
            dt.FREQ, dt.total, dt.initialized = base[0], base[1], True


def base_dictionary(jieba) -> tuple[dict[str, int], int] | None:
    """jieba's own prefix dictionary and total, a fresh copy from our pickle cache (None when
    jieba's dictionary file cannot be found)."""
    from pathlib import Path

    from .diskcache import cached, file_key

    def build() -> tuple[dict, int]:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        return tokenizer.FREQ, tokenizer.total

    try:
        key = file_key(Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME))
    except (OSError, AttributeError):
        return None
    return cached(f"jieba-{jieba.__version__}", key, build)


def load_extra_words(words: Iterable[str]) -> None:
    """Add ``settings.extra_words`` to jieba (idempotent)."""
    jieba = _jieba()
    with _DICT_LOCK:
        for word in words:
            w = normalize(word)
            if w and w not in _LOADED_WORDS:
                jieba.add_word(w)
                _LOADED_WORDS.add(w)


# A token is kept when it has a letter, digit or CJK character (punctuation and spaces go).
_WORDY = re.compile(r"[^\W_]")


class JiebaTokenizer(Tokenizer):
    """Cuts text with jieba; ``search_mode`` also emits the sub-words of long words.

    Token positions count tokens (consecutive), ``startchar``/``endchar`` slice the input back to
    the token text, one ``Token`` object is reused, punctuation and whitespace are dropped.
    """

    def __init__(self, search_mode: bool = True, hmm: bool = True) -> None:
        self.search_mode = search_mode
        self.hmm = hmm

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, JiebaTokenizer)
            and self.search_mode == other.search_mode
            and self.hmm == other.hmm
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.search_mode, self.hmm))

    def __call__(  # noqa: PLR0913 - Whoosh's tokenizer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        jieba = _jieba()
        cut_mode = "search" if self.search_mode else "default"
        pos = start_pos
        wordy = _WORDY.search
        for word, start, end in jieba.tokenize(value, mode=cut_mode, HMM=self.hmm):
            if not wordy(word):
                continue
            t.text = word
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            pos += 1
            yield t


def ChineseAnalyzer(search_mode: bool = True):  # noqa: N802 - Whoosh naming convention
    """The analyzer of the ranking fields (text is normalised before it gets here)."""
    return JiebaTokenizer(search_mode=search_mode)


def words(text: str, search_mode: bool = False) -> list[str]:
    """The distinct jieba words of ``text`` after normalisation, in order (no punctuation)."""
    seen: dict[str, None] = {}
    for token in JiebaTokenizer(search_mode=search_mode)(normalize(text)):
        seen.setdefault(token.text, None)
    return list(seen)


def word_counts(norm_text: str, tokenizer=None) -> dict[str, int]:
    """How often each search-mode jieba word occurs in an already normalised text (what the
    ranking postings hold for one paragraph). ``tokenizer``: the jieba ``Tokenizer`` to cut
    with (default: jieba's own, with the whole dictionary)."""
    cut = (tokenizer or _jieba()).tokenize
    wordy = _WORDY.search
    counts: dict[str, int] = {}
    for word, _start, _end in cut(norm_text, mode="search", HMM=True):
        if wordy(word):
            counts[word] = counts.get(word, 0) + 1
    return counts


def load_dictionary() -> None:
    """Load jieba's dictionary now (about a second) rather than on the first fuzzy query."""
    _jieba().initialize()
