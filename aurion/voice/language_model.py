"""Each widget's own recognition model: what its visitors are likely to say.

pocketsphinx's general English model gets about half the words of a support
question wrong; a small trigram model built from the widget's knowledge base plus
common support phrases gets about nine in ten right, and a dictionary trimmed to
that vocabulary loads in milliseconds instead of ten seconds. The model is built
on first use, kept on disk in the instance folder and in memory, and rebuilt when
the knowledge base changes (keyed by `knowledge_revision`).
"""

import hashlib
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import cache

from aurion.models import Widget
from aurion.services.knowledge import knowledge_revision, list_articles

# What visitors say to any support desk, whatever the product.
COMMON_PHRASES = """\
hello
hi there
yes
no
yes please
no thanks
thank you
thanks that helps
okay
i need help
can you help me
i have a question
i need help with my account
how do i
how can i
how long does it take
how much does it cost
what is
where is my order
when will my order arrive
i want a refund
can i get a refund
i want to cancel
i want to talk to a person
can i speak to a human
let me talk to someone
i forgot my password
i can not sign in
it does not work
something is broken
what are your opening hours
how do i contact support
one two three four five six seven eight nine ten
"""
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
_NOT_A_WORD = re.compile(r"[^a-z' ]+")


@dataclass(frozen=True)
class ModelFiles:
    """A built model: the ARPA language model and its trimmed pronunciation dictionary."""

    language_model: str
    dictionary: str


def corpus_sentences(texts: list[str]) -> list[str]:
    """One lower-case sentence of plain words per item, from free text (articles, phrases)."""
    sentences = []
    for text in texts:
        for sentence in _SENTENCE_END.split(text.lower()):
            words = _NOT_A_WORD.sub(" ", sentence.replace("-", " ")).split()
            words = [word.strip("'") for word in words if word.strip("'")]
            if words:
                sentences.append(" ".join(words))
    return sentences


@cache
def _pronunciations() -> dict[str, list[str]]:
    """pocketsphinx's English dictionary: word → its lines (variants such as `read(2)` included)."""
    from pocketsphinx import get_model_path

    entries: dict[str, list[str]] = {}
    with open(os.path.join(get_model_path(), "en-us", "cmudict-en-us.dict"), encoding="utf-8") as handle:
        for line in handle:
            word = line.split(" ", 1)[0].split("(", 1)[0]
            entries.setdefault(word, []).append(line if line.endswith("\n") else line + "\n")
    return entries


def build_model(texts: list[str], folder: str) -> ModelFiles:
    """Write a language model and dictionary for `texts` into `folder`.

    Words the dictionary cannot pronounce (product names, codes) are left out of the
    sentences: the recogniser could never produce them anyway.
    """
    from pocketsphinx.lm import ArpaBoLM

    pronunciations = _pronunciations()
    sentences = []
    for sentence in corpus_sentences([*texts, COMMON_PHRASES]):
        known = [word for word in sentence.split() if word in pronunciations]
        if known:
            sentences.append(" ".join(known))
    vocabulary = sorted({word for sentence in sentences for word in sentence.split()})
    model = ArpaBoLM(text="\n".join(sentences), add_start=True)
    model.compute()
    files = ModelFiles(os.path.join(folder, "widget.lm"), os.path.join(folder, "widget.dict"))
    model.write_file(files.language_model)
    with open(files.dictionary, "w", encoding="utf-8") as handle:
        for word in vocabulary:
            handle.writelines(pronunciations[word])
    return files


class _ModelCache:
    """Built models by widget, rebuilt when the widget's knowledge base changes."""

    def __init__(self):
        self._lock = threading.Lock()
        # By (folder, widget): apps with different instance folders (tests) keep their own.
        self._models: dict[tuple[str, int], tuple[tuple, ModelFiles]] = {}

    def get(self, widget: Widget, root: str) -> ModelFiles:
        revision = knowledge_revision(widget.id)
        with self._lock:
            cached = self._models.get((root, widget.id))
            if cached and cached[0] == revision:
                return cached[1]
            fingerprint = hashlib.sha256(repr((revision, COMMON_PHRASES)).encode()).hexdigest()[:16]
            folder = os.path.join(root, f"widget-{widget.id}-{fingerprint}")
            if not os.path.isdir(folder):
                texts = [f"{article.title}. {article.body}" for article in list_articles(widget)]
                os.makedirs(root, exist_ok=True)
                # Built aside and renamed into place: another worker may be building the same model.
                building = tempfile.mkdtemp(dir=root, prefix=".building-")
                build_model(texts, building)
                try:
                    os.rename(building, folder)
                except OSError:
                    shutil.rmtree(building, ignore_errors=True)
                _remove_older_models(root, widget.id, keep=folder)
            files = ModelFiles(os.path.join(folder, "widget.lm"), os.path.join(folder, "widget.dict"))
            self._models[(root, widget.id)] = (revision, files)
            return files


def _remove_older_models(root: str, widget_id: int, keep: str) -> None:
    """Drop the widget's models built for earlier knowledge bases (decoders already loaded keep working)."""
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if name.startswith(f"widget-{widget_id}-") and path != keep:
            shutil.rmtree(path, ignore_errors=True)


_models = _ModelCache()


def widget_model(widget: Widget, root: str) -> ModelFiles:
    """The recognition model for `widget`'s visitors, kept under folder `root`."""
    return _models.get(widget, root)
