"""NER and extractive QA: data, label alignment, span decoding, bad input, and stand-in quality."""

from __future__ import annotations

import pytest

from course_utils.errors import EmptyInputError
from course_utils.tasks import highlight, ner, qa, reviews

NER_ID = "dslim/bert-base-NER"
QA_ID = "distilbert/distilbert-base-cased-distilled-squad"


# --- data --------------------------------------------------------------------------------------


def _entities(sentences: list[ner.TaggedSentence], kind: str) -> set[str]:
    found, current = set(), []
    for sentence in sentences:
        for word, tag in [*zip(sentence.words, sentence.tags, strict=True), ("", "O")]:
            if tag == f"I-{kind}":
                current.append(word)
                continue
            if current:
                found.add(" ".join(current))
            current = [word] if tag == f"B-{kind}" else []
    return found


def test_ner_data_is_iob2_with_held_out_names():
    train, test = ner.load("train"), ner.load("test")
    assert len(train) >= 1000 and len(test) >= 200
    for sentence in train + test:
        assert len(sentence.words) == len(sentence.tags)
        assert set(sentence.tags) <= set(ner.CONLL_LABELS)
        for previous, tag in zip(("O",) + sentence.tags, sentence.tags, strict=False):
            if tag.startswith("I-"):  # IOB2: an I- tag continues an entity of its own type
                assert previous[2:] == tag[2:], sentence.text
    assert not _entities(train, "PER") & _entities(test, "PER")
    assert not {s.text for s in train} & {s.text for s in test}


def test_qa_answers_are_exact_slices_and_test_contexts_are_new():
    train, test = qa.load("train"), qa.load("test")
    for example in train + test:
        if example.answer is not None:
            start = example.answer_start
            assert example.context[start : start + len(example.answer)] == example.answer
    assert not {e.context for e in train} & {e.context for e in test}
    assert sum(e.answer is None for e in test) >= 30  # abstaining is tested too


def test_reviews_are_balanced_and_never_in_the_sentiment_training_data():
    from course_utils import data

    rows = reviews.load()
    assert len(rows) == 48 and sum(r.label for r in rows) == 24
    assert all((r.stars >= 4) == (r.label == 1) for r in rows)
    trained = {row.text.lower() for row in data.sentiment("train")}
    assert not trained & {r.text.lower() for r in rows}


# --- NER helpers -------------------------------------------------------------------------------


def test_later_sub_tokens_continue_their_word_and_specials_are_ignored():
    label2id = {label: i for i, label in enumerate(ner.CONLL_LABELS)}
    word_ids = [None, 0, 0, 1, 2, 2, None]  # [CLS] ke ##strel aerospace join ##ed [SEP]
    labels = ner.word_labels_to_token_labels(word_ids, ["B-ORG", "I-ORG", "O"], label2id)
    b_org, i_org = label2id["B-ORG"], label2id["I-ORG"]
    assert labels == [-100, b_org, i_org, i_org, 0, 0, -100]


def test_entity_scores_count_whole_entities():
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    assert ner.entity_scores(gold, gold)["f1"] == 1.0
    half = ner.entity_scores(gold, [["B-PER", "O", "O", "B-LOC"]])  # a cut-short person
    assert half["precision"] == half["recall"] == 0.5


def test_highlight_uses_the_original_text_and_escapes_it():
    text = "Amara <Okafor> visited Lisbon."
    entities = [
        {"entity_group": "PER", "start": 0, "end": 14},
        {"entity_group": "LOC", "start": 23, "end": 29},
    ]
    assert highlight.markup(text, entities) == "[Amara <Okafor>](PER) visited [Lisbon](LOC)."
    html = highlight.highlight(text, entities)
    assert "&lt;Okafor&gt;" in html and "<Okafor>" not in html
    assert html.count("<mark") == 2


# --- QA helpers --------------------------------------------------------------------------------


def test_squad_normalisation():
    assert qa.exact_match("The Cello.", "cello")
    assert not qa.exact_match("cello", "violin")
    assert qa.exact_match(None, None) and not qa.exact_match("cello", None)


@pytest.fixture(scope="module")
def reader():
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    return AutoModelForQuestionAnswering.from_pretrained(QA_ID), AutoTokenizer.from_pretrained(
        QA_ID
    )


# A company, founder and city that occur nowhere in data/qa, in the data's style.
CONTEXT = (
    "Wrenfield Ceramics was founded in 1987 by Noor Silva. The company was started by Noor "
    "Silva, a former engineer. Its headquarters are in Trondheim. The company makes teapots."
)


def test_answer_is_a_slice_of_the_context(reader):
    answer = qa.answer_question("Who founded Wrenfield Ceramics?", CONTEXT, *reader)
    assert answer.found and answer.text == "Noor Silva"
    assert CONTEXT[answer.start : answer.end] == answer.text
    assert answer.score >= qa.DEFAULT_MIN_SCORE


def test_question_the_context_does_not_answer_gets_no_answer(reader):
    answer = qa.answer_question("How many people does Wrenfield Ceramics employ?", CONTEXT, *reader)
    assert not answer.found
    assert "no answer" in str(answer)


def test_long_context_is_read_in_windows_not_truncated(reader):
    model, tokenizer = reader
    filler = " ".join(e.context for e in qa.load("test")[:400:20])  # other subjects first
    context = f"{filler} {CONTEXT}"
    question = "Where is Wrenfield Ceramics based?"
    windows = qa.encode_windows(tokenizer, [question], [context])
    assert len(windows["input_ids"]) > 1, "the test context must need several windows"
    first_window = tokenizer.decode(windows["input_ids"][0])
    assert "trondheim" not in first_window.lower(), "the answer must lie beyond the first window"
    answer = qa.answer_question(question, context, model, tokenizer)
    assert answer.text == "Trondheim"


@pytest.mark.parametrize(
    ("question", "context"), [("", CONTEXT), ("   ", CONTEXT), ("Who?", ""), ("Who?", " \n")]
)
def test_empty_question_or_context_is_refused(reader, question, context):
    with pytest.raises(EmptyInputError):
        qa.answer_question(question, context, *reader)


def test_question_too_long_for_a_window_is_refused_clearly(reader):
    with pytest.raises(ValueError, match="Shorten the question"):
        qa.answer_question("Why " * 400 + "?", CONTEXT, *reader)


# --- stand-in quality on held-out splits -------------------------------------------------------


def test_ner_stand_in_entity_f1_on_held_out_split():
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    model = AutoModelForTokenClassification.from_pretrained(NER_ID)
    tokenizer = AutoTokenizer.from_pretrained(NER_ID)
    assert tuple(model.config.id2label[i] for i in range(9)) == ner.CONLL_LABELS
    test = ner.load("test")
    predicted = ner.predict_tags(model, tokenizer, [s.words for s in test])
    scores = ner.entity_scores([s.tags for s in test], predicted)
    print(f"\nNER stand-in held-out entity F1: {scores['f1']:.3f} {scores['per_type']}")
    assert scores["f1"] >= 0.85, scores


def test_qa_stand_in_exact_match_on_held_out_split(reader):
    scores = qa.evaluate(*reader, qa.load("test"))
    print(f"\nQA stand-in held-out: {scores}")
    assert scores["exact_match"] >= 0.8, scores
    assert scores["no_answer_accuracy"] >= 0.7, scores
