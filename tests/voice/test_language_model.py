"""Each widget's recognition model: built from its knowledge base, cached, rebuilt when it changes."""

import os

from aurion.services.knowledge import create_article, update_article
from aurion.voice.language_model import corpus_sentences, widget_model


def dictionary_words(files) -> set[str]:
    with open(files.dictionary, encoding="utf-8") as handle:
        return {line.split(" ", 1)[0].split("(", 1)[0] for line in handle}


def test_corpus_is_plain_lower_case_sentences():
    assert corpus_sentences(["Refunds: 5-10 days! Don't worry.\nThe link expires."]) == [
        "refunds",
        "days",
        "don't worry",
        "the link expires",
    ]


def test_model_knows_the_knowledge_base_and_common_phrases_only(app, make_tenant, tmp_path):
    widget = make_tenant("acme")[1]
    create_article(widget, {"title": "Zorblax warranty", "body": "The warranty covers screens for two years."})
    files = widget_model(widget, str(tmp_path))
    words = dictionary_words(files)
    assert {"warranty", "screens", "years", "refund", "password", "person"} <= words
    # A product name the dictionary cannot pronounce is left out rather than guessed.
    assert "zorblax" not in words
    assert len(words) < 500
    with open(files.language_model, encoding="utf-8") as handle:
        assert "\\data\\" in handle.read()


def test_model_is_cached_and_rebuilt_when_the_knowledge_base_changes(app, make_tenant, tmp_path):
    widget = make_tenant("acme")[1]
    article = create_article(widget, {"title": "Warranty", "body": "The warranty covers screens."})
    first = widget_model(widget, str(tmp_path))
    assert widget_model(widget, str(tmp_path)) == first
    update_article(article, {"body": "The warranty covers batteries."})
    second = widget_model(widget, str(tmp_path))
    assert second != first and "batteries" in dictionary_words(second)
    # The old model's folder is cleaned up.
    assert not os.path.exists(os.path.dirname(first.dictionary))
