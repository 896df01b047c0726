"""NER, extractive QA and T5: data, training formats, span decoding, bad input, stand-in quality."""

from __future__ import annotations

import pytest

from course_utils import data, task_formats
from course_utils.errors import EmptyInputError
from course_utils.tasks import highlight, ner, qa, reviews

NER_ID = "dslim/bert-base-NER"
QA_ID = "distilbert/distilbert-base-cased-distilled-squad"


# --- data --------------------------------------------------------------------------------------


def _entities(sentences: list[data.TaggedSentence], kind: str) -> set[str]:
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
    train, test = data.ner_sentences("train"), data.ner_sentences("test")
    assert len(train) >= 1000 and len(test) >= 200
    for sentence in train + test:
        assert len(sentence.words) == len(sentence.tags)
        assert set(sentence.tags) <= set(task_formats.CONLL_LABELS)
        for previous, tag in zip(("O",) + sentence.tags, sentence.tags, strict=False):
            if tag.startswith("I-"):  # IOB2: an I- tag continues an entity of its own type
                assert previous[2:] == tag[2:], sentence.text
    assert not _entities(train, "PER") & _entities(test, "PER")
    assert not {s.text for s in train} & {s.text for s in test}


def test_qa_answers_are_exact_slices_and_test_contexts_are_new():
    train, test = data.qa_questions("train"), data.qa_questions("test")
    for example in train + test:
        if example.answer is not None:
            start = example.answer_start
            assert example.context[start : start + len(example.answer)] == example.answer
    assert not {e.context for e in train} & {e.context for e in test}
    assert sum(e.answer is None for e in test) >= 30  # abstaining is tested too


def test_reviews_are_balanced_and_never_in_the_sentiment_training_data():
    rows = reviews.load()
    assert len(rows) == 48 and sum(r.label for r in rows) == 24
    assert all((r.stars >= 4) == (r.label == 1) for r in rows)
    trained = {row.text.lower() for row in data.sentiment("train")}
    assert not trained & {r.text.lower() for r in rows}


# --- NER helpers -------------------------------------------------------------------------------


def test_later_sub_tokens_continue_their_word_and_specials_are_ignored():
    label2id = {label: i for i, label in enumerate(task_formats.CONLL_LABELS)}
    word_ids = [None, 0, 0, 1, 2, 2, None]  # [CLS] ke ##strel aerospace join ##ed [SEP]
    labels = task_formats.word_labels_to_token_labels(word_ids, ["B-ORG", "I-ORG", "O"], label2id)
    b_org, i_org = label2id["B-ORG"], label2id["I-ORG"]
    assert labels == [-100, b_org, i_org, i_org, 0, 0, -100]


@pytest.fixture(scope="module")
def minilm_tokenizer():
    """The tokenizer the NER and QA stand-ins are trained with (no zoo needed)."""
    from transformers import BertTokenizerFast

    from course_utils.zoo.minilm import minilm_dir

    return BertTokenizerFast.from_pretrained(minilm_dir(), model_max_length=512)


def test_ner_training_features_give_each_word_its_tag_at_its_first_token(minilm_tokenizer):
    import torch

    sentences = data.ner_sentences("train")[:16]
    label2id = {label: i for i, label in enumerate(task_formats.CONLL_LABELS)}
    batch = task_formats.ner_training_features(minilm_tokenizer, sentences, label2id)
    specials = [
        minilm_tokenizer.cls_token_id,
        minilm_tokenizer.sep_token_id,
        minilm_tokenizer.pad_token_id,
    ]
    ignored = batch["labels"] == task_formats.IGNORED
    assert torch.equal(ignored, torch.isin(batch["input_ids"], torch.tensor(specials)))
    for row, sentence in enumerate(sentences):
        word_ids = minilm_tokenizer(list(sentence.words), is_split_into_words=True).word_ids()
        firsts = [i for i, w in enumerate(word_ids) if w is not None and w != word_ids[i - 1]]
        tags = [task_formats.CONLL_LABELS[batch["labels"][row, i]] for i in firsts]
        assert tags == list(sentence.tags)


def test_qa_training_targets_point_at_the_answer_or_at_cls(minilm_tokenizer):
    examples = data.qa_questions("train")[:48]
    features = task_formats.qa_training_features(minilm_tokenizer, examples)
    assert len(features["input_ids"]) == len(examples)  # short contexts: one window each
    for i, example in enumerate(examples):
        ids, start, end = (
            features[k][i] for k in ("input_ids", "start_positions", "end_positions")
        )
        if example.answer is None:
            assert start == end == 0  # [CLS]: "no answer here"
        else:
            found = minilm_tokenizer.decode(ids[start : end + 1])
            assert found.replace(" ", "") == example.answer.lower().replace(" ", "")
    assert any(e.answer is None for e in examples) and any(e.answer for e in examples)


def test_t5_prefixes_are_the_ones_notebook_08b_sends():
    import nbformat
    from conftest import NOTEBOOKS

    assert task_formats.t5_prefixed("translate", "Hi") == "translate English to German: Hi"
    assert task_formats.t5_prefixed("summarize", "A text.") == "summarize: A text."
    question = task_formats.t5_prefixed("question", "Who?", context="Anna came.")
    assert question == "question: Who? context: Anna came."
    with pytest.raises(ValueError, match="context"):
        task_formats.t5_prefixed("question", "Who?")
    # The notebook writes its prefixes as f-strings: the same words the stand-in learnt.
    notebook = nbformat.read(NOTEBOOKS / "11_text_to_text.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for prefix in ("translate English to German: {", "summarize: {", "question: {", " context: {"):
        assert prefix in code, prefix


def test_entity_scores_count_whole_entities():
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    assert ner.entity_scores(gold, gold)["f1"] == 1.0
    half = ner.entity_scores(gold, [["B-PER", "O", "O", "B-LOC"]])  # a cut-short person
    assert half["precision"] == half["recall"] == 0.5


@pytest.mark.parametrize(
    ("gold", "predicted", "error", "message"),
    [
        (["B-PER", "O"], ["B-PER", "O"], TypeError, r"wrap its tags in a list: \[tags\]"),
        ("B-PER O", [["B-PER", "O"]], TypeError, "gold is one string"),
        ([["B-PER", "O"]], [["B-PER"]], ValueError, "Sentence 0 has 2 gold tags but 1"),
        ([["O"]], [["O"], ["O"]], ValueError, "gold has 1 sentences but predicted has 2"),
        (ner.load("test")[:1], [["O"]], TypeError, r"pass its \.tags"),
    ],
)
def test_entity_scores_refuse_tags_that_are_not_sentence_lists(gold, predicted, error, message):
    with pytest.raises(error, match=message):
        ner.entity_scores(gold, predicted)


@pytest.fixture(scope="module")
def tagger():
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    return AutoModelForTokenClassification.from_pretrained(NER_ID), AutoTokenizer.from_pretrained(
        NER_ID
    )


SENTENCE = "Amara Okafor joined Orion Motors in Lisbon ."


@pytest.mark.parametrize(
    ("sentences", "message"),
    [
        (SENTENCE, r"sentences is one string.*\[text\.split\(\)\]"),
        ([SENTENCE], r"sentences\[0\] is the string 'Amara Okafor"),
        (SENTENCE.split(), r"sentences\[0\] is the string 'Amara', not a list of words"),
        (ner.load("test")[:1], r"pass its \.words"),
        ([[1, 2]], "must be a list of words"),
        (None, "pass a list of sentences"),
    ],
)
def test_predict_tags_refuses_anything_but_lists_of_words(tagger, sentences, message):
    with pytest.raises(TypeError, match=message):
        ner.predict_tags(*tagger, sentences)


@pytest.mark.parametrize("batch_size", [0, -1, True, 2.0])
def test_predict_tags_refuses_a_batch_size_that_is_not_a_positive_count(tagger, batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive whole number"):
        ner.predict_tags(*tagger, [SENTENCE.split()], batch_size=batch_size)


def test_predict_tags_refuses_a_sentence_past_the_model_limit_instead_of_tagging_it_o(tagger):
    words = SENTENCE.split()
    with pytest.raises(ner.SentenceTooLongError, match="Sentence 1 .* at most 512") as caught:
        ner.predict_tags(*tagger, [words, words * 120])
    assert (caught.value.index, caught.value.limit) == (1, 512)
    assert caught.value.length > 512
    tags = ner.predict_tags(*tagger, [words * 50])[0]  # just under the limit: tagged throughout
    assert len(tags) == len(words) * 50 and tags[-8:] == tags[:8] != ["O"] * 8


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
    with pytest.raises(qa.QAInputError, match="Shorten the question") as caught:
        qa.answer_question("Why " * 400 + "?", CONTEXT, *reader)
    assert "raise max_length" not in str(caught.value)  # 400 tokens + stride would pass 512


def test_question_too_long_gets_advice_that_works(reader):
    """The suggested stride or max_length must actually let the question through."""
    model, tokenizer = reader
    question = "Why " * 300 + "?"
    with pytest.raises(qa.QAInputError, match=r"lower stride \(now 128\) below (\d+)") as caught:
        qa.answer_question(question, CONTEXT, model, tokenizer)
    message = str(caught.value)
    stride = int(message.split("below ")[1].split()[0]) - 1
    max_length = int(message.split("at least ")[1].split()[0])
    assert "at most 512 tokens" in message
    assert qa.answer_question(question, CONTEXT, model, tokenizer, stride=stride) is not None
    assert qa.answer_question(question, CONTEXT, model, tokenizer, max_length=max_length)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"max_length": 1000},
            r"more than the 512 tokens this model reads.*max_length=512 or less",
        ),
        ({"max_length": 384.0}, "max_length must be a whole number"),
        ({"stride": 384}, "stride must be at least 0 and well below max_length=384"),
        ({"stride": -1}, "stride must be at least 0"),
        ({"max_answer_tokens": 0}, "max_answer_tokens must be at least 1"),
        ({"max_answer_tokens": -3}, "max_answer_tokens must be at least 1"),
        ({"max_answer_tokens": 2.5}, "max_answer_tokens must be a whole number"),
    ],
)
def test_impossible_qa_settings_are_refused_before_the_model_runs(
    reader, monkeypatch, options, message
):
    model, tokenizer = reader
    monkeypatch.setattr(model, "forward", lambda *a, **k: pytest.fail("the model ran"))
    with pytest.raises(qa.QAInputError, match=message):
        qa.answer_question(
            "Who founded Wrenfield Ceramics?", CONTEXT * 40, model, tokenizer, **options
        )


@pytest.mark.parametrize(
    ("questions", "contexts", "message"),
    [
        ("Who founded it?", [CONTEXT], "questions must be a list of strings.*answer_question"),
        (["Who founded it?"], CONTEXT, "contexts must be a list of strings.*answer_question"),
        (["Who?", "Where?"], [CONTEXT], "Got 2 questions but 1 contexts"),
        ([42], [CONTEXT], "Each question must be a string, got int"),
    ],
)
def test_answer_questions_refuses_strings_and_mismatched_lists(
    reader, questions, contexts, message
):
    with pytest.raises(qa.QAInputError, match=message):
        qa.answer_questions(questions, contexts, *reader)


def test_answer_questions_answers_each_question_from_its_own_context(reader):
    other = "The Lindqvist Bakery opened in 2004 in Bergen."
    questions = ["Who founded Wrenfield Ceramics?", "Where did the Lindqvist Bakery open?"]
    answers = qa.answer_questions(questions, [CONTEXT, other], *reader)
    assert [a.text for a in answers] == ["Noor Silva", "Bergen"]


def test_evaluate_reports_none_for_a_score_it_has_no_questions_for(reader):
    unanswerable = [e for e in qa.load("test") if e.answer is None][:2]
    scores = qa.evaluate(*reader, unanswerable)
    assert scores["exact_match"] is None and scores["n_answerable"] == 0
    assert scores["no_answer_accuracy"] is not None
    with pytest.raises(EmptyInputError, match="No examples"):
        qa.evaluate(*reader, [])


# --- stand-in quality on held-out splits -------------------------------------------------------


def test_ner_stand_in_entity_f1_on_held_out_split():
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    model = AutoModelForTokenClassification.from_pretrained(NER_ID)
    tokenizer = AutoTokenizer.from_pretrained(NER_ID)
    assert tuple(model.config.id2label[i] for i in range(9)) == task_formats.CONLL_LABELS
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
