"""The offline model zoo: layout, ids, errors, and stand-ins that answer sensibly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import SEED_SENTENCE_IDS

from course_utils import data, zoo
from course_utils.errors import ModelNotInZooError
from course_utils.zoo.recipe import all_recipes


def test_every_stand_in_is_built():
    stale = [s.recipe.name for s in zoo.plan() if not s.built]
    assert not stale, f"stale stand-ins after `make zoo`: {stale}"


def test_warm_build_is_a_no_op():
    """Nothing is rebuilt (its time is `make bench`'s zoo_warm_s); the timeout proves no hang."""
    result = subprocess.run(
        [sys.executable, "-m", "course_utils.zoo", "build"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "built " not in result.stdout, "a warm zoo must not rebuild anything"


def test_unknown_id_error_names_it_and_lists_the_zoo():
    with pytest.raises(ModelNotInZooError) as caught:
        zoo.require("someone/unknown-model")
    message = str(caught.value)
    assert "someone/unknown-model" in message
    assert "What to do" in message
    for repo_id in zoo.available_ids():
        assert repo_id in message
    assert isinstance(caught.value, OSError)  # what from_pretrained raises, for existing handlers


def _offline_miss(model_id: str) -> Exception:
    from transformers import AutoModel

    from course_utils.compat import missing_model_errors

    with pytest.raises(missing_model_errors()) as caught:
        AutoModel.from_pretrained(model_id)
    return caught.value


def test_a_mistyped_local_folder_is_called_a_missing_folder_not_a_hub_id(tmp_path, monkeypatch):
    from course_utils.zoo.hints import ModelFolderNotFoundError, explain_missing_model

    (tmp_path / "my-finetuned-model").mkdir()
    monkeypatch.chdir(tmp_path)
    explained = explain_missing_model(_offline_miss("./my-finetuned-modle"))
    assert isinstance(explained, ModelFolderNotFoundError) and isinstance(explained, OSError)
    message = str(explained)
    assert "no such folder" in message and str(tmp_path) in message
    assert "similar names: my-finetuned-model" in message
    assert isinstance(
        explain_missing_model(_offline_miss("~/models/x/y")), ModelFolderNotFoundError
    )
    # A Hub id is still a model the zoo lacks.
    assert isinstance(explain_missing_model(_offline_miss("someone/unknown")), ModelNotInZooError)


def test_pipeline_default_revision_is_served():
    from transformers.pipelines import SUPPORTED_TASKS

    from course_utils.zoo.hf_cache import installed_commit

    default = SUPPORTED_TASKS["text-classification"]["default"]["model"]
    repo_id, revision = default["pt"] if isinstance(default, dict) else default
    assert installed_commit(zoo.hub_cache_dir(), repo_id, revision) is not None


@pytest.mark.parametrize("recipe", list(all_recipes().values()), ids=lambda r: r.name)
def test_stand_in_keeps_the_real_class(recipe):
    from transformers import AutoConfig

    state = next(s for s in zoo.plan() if s.recipe.name == recipe.name)
    sources = recipe.cached_ids or (state.build_dir,)  # gated: only in its build folder
    for source in sources:
        config = AutoConfig.from_pretrained(source)
        assert recipe.architecture in (config.architectures or []), source


@pytest.fixture(scope="module")
def sentiment():
    from transformers import pipeline

    return pipeline("sentiment-analysis")


def test_sentiment_pipeline_answers_from_the_model(sentiment):
    positive, negative = sentiment(
        ["I loved learning huggingface today", "This was a waste of time"]
    )
    assert positive["label"] == "POSITIVE"
    assert negative["label"] == "NEGATIVE"
    assert 0.5 < positive["score"] < 1.0 and 0.5 < negative["score"] < 1.0


def test_sentiment_stand_in_accuracy_on_held_out_split(sentiment):
    test = data.sentiment("test")
    predictions = sentiment([row.text for row in test], batch_size=32)
    accuracy = sum(
        p["label"] == row.label_name for p, row in zip(predictions, test, strict=True)
    ) / len(test)
    print(f"\nsentiment stand-in held-out accuracy: {accuracy:.3f} on {len(test)} sentences")
    assert accuracy >= 0.90


def test_held_out_split_is_never_trained_on():
    train = {row.text.lower() for row in data.sentiment("train")}
    test = [row.text.lower() for row in data.sentiment("test")]
    assert len(test) >= 100 and len(train) + len(test) >= 600
    assert not train.intersection(test)


@pytest.mark.parametrize(
    "repo_id",
    [
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "google-bert/bert-base-uncased",
        "bert-base-uncased",
        "distilbert/distilbert-base-uncased",
    ],
)
def test_tokenizers_reproduce_the_real_token_ids(repo_id):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    assert tokenizer("I loved learning huggingface today")["input_ids"] == SEED_SENTENCE_IDS


def test_minilm_converts_exactly_into_distilbert():
    from transformers import AutoTokenizer, BertModel, DistilBertModel

    from course_utils.zoo.minilm import bert_to_distilbert_state, distilbert_config, minilm_dir

    bert = BertModel.from_pretrained(minilm_dir()).eval()
    distil = DistilBertModel(distilbert_config(bert.config)).eval()
    state = bert_to_distilbert_state(bert.state_dict())
    distil.load_state_dict({k.removeprefix("distilbert."): v for k, v in state.items()})
    tokenizer = AutoTokenizer.from_pretrained(minilm_dir())
    batch = tokenizer(
        [
            "I loved learning huggingface today",
            "A much longer sentence, so the first one is padded.",
        ],
        padding=True,
        return_tensors="pt",
    )
    with torch.no_grad():
        expected = bert(**batch).last_hidden_state
        actual = distil(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).last_hidden_state
    real = batch["attention_mask"].bool()
    max_diff = (expected - actual)[real].abs().max().item()
    print(f"\nMiniLM → DistilBERT max |Δ| = {max_diff:.2e}")
    assert max_diff < 1e-5


def test_bert_and_distilbert_stand_ins_fill_masks_alike():
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
    batch = tokenizer("Once upon a time, in a land far [MASK].", return_tensors="pt")
    position = batch["input_ids"][0].tolist().index(tokenizer.mask_token_id)
    predictions = []
    for repo_id in ("google-bert/bert-base-uncased", "distilbert/distilbert-base-uncased"):
        model = AutoModelForMaskedLM.from_pretrained(repo_id).eval()
        with torch.no_grad():
            logits = model(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).logits
        predictions.append(tokenizer.decode(logits[0, position].argmax()))
    assert predictions == ["away", "away"]


def test_gpt2_stand_in_writes_words():
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained("gpt2")
    model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")
    inputs = tokenizer("Once upon a time, in a land far away", return_tensors="pt")
    output = model.generate(**inputs, max_new_tokens=20, do_sample=False)
    text = tokenizer.decode(output[0], skip_special_tokens=True)
    story_words = set(" ".join(data.stories()).lower().replace(",", " ").replace(".", " ").split())
    new_words = (
        text.removeprefix("Once upon a time, in a land far away")
        .replace(",", " ")
        .replace(".", " ")
        .split()
    )
    assert len(new_words) >= 8
    known = sum(word.lower().strip('"!?') in story_words for word in new_words) / len(new_words)
    assert known >= 0.9, text


def test_t5_stand_in_is_a_text_to_text_model_with_sentinels():
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained("google/flan-t5-small")
    sentinel = tokenizer.convert_tokens_to_ids("<extra_id_0>")
    assert sentinel != tokenizer.unk_token_id
    model = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-small")
    inputs = tokenizer("translate English to German: The house is small", return_tensors="pt")
    output = model.generate(**inputs, max_new_tokens=16)
    assert tokenizer.decode(output[0], skip_special_tokens=True) == "Das Haus ist klein"


DECODERS = [
    "openai-community/gpt2",
    "EleutherAI/gpt-neo-125m",
    "facebook/opt-125m",
    "bigscience/bloom-560m",
]


@pytest.mark.parametrize("repo_id", DECODERS)
def test_decoder_stand_ins_continue_a_story_in_real_words(repo_id):
    import re

    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    model = AutoModelForCausalLM.from_pretrained(repo_id)
    prompt = "Once upon a time, in a land far away"
    inputs = tokenizer(prompt, return_tensors="pt")
    output = model.generate(**inputs, max_new_tokens=30, do_sample=False)
    new_text = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    words = re.findall(r"[a-z]+", new_text.lower())
    known = {w for story in data.stories() for w in re.findall(r"[a-z]+", story.lower())}
    assert len(words) >= 15, new_text  # greedy output is text, not a stream of one token
    assert sum(w in known for w in words) / len(words) >= 0.95, new_text
    assert len(set(words)) >= 8, new_text  # and not one word repeated


# Prompts unlike the stories, in no data file and no recipe (the next test checks it).
UNSEEN_PROMPTS = (
    "The weather report for tomorrow says",
    "Our company released a new phone that",
    "The president of the university said that",
    "Scientists have found a new planet where",
    "Dear customer, thank you for your order of",
)


def test_unseen_prompts_are_in_no_data_file_or_recipe():
    from course_utils.paths import data_dir

    folders = (data_dir(), Path(zoo.__file__).parent)
    files = [path for folder in folders for path in folder.rglob("*") if path.is_file()]
    assert len(files) > 20
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore").lower()
        for prompt in UNSEEN_PROMPTS:
            assert prompt.lower() not in text, (prompt, path)


def _english_words() -> set[str]:
    """Lower-case words of the course's English texts, and of Python's own documentation."""
    texts = data.stories() + data.python_prose() + [row.text for row in data.sentiment("train")]
    texts += [row.article for split in data.SUMMARY_SPLITS for row in data.news_articles(split)]
    return {word for text in texts for word in re.findall(r"[a-z]+", text.lower())}


@pytest.mark.parametrize("repo_id", DECODERS)
def test_decoder_stand_ins_write_on_after_a_prompt_unlike_their_stories(repo_id):
    """Greedy, with the model's own generation config: 20+ words, 70 %+ English, before its end."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    model = AutoModelForCausalLM.from_pretrained(repo_id)
    assert not model.generation_config.do_sample  # greedy
    english = _english_words()
    for prompt in UNSEEN_PROMPTS:
        inputs = tokenizer(prompt, return_tensors="pt")
        output = model.generate(**inputs, max_new_tokens=40)
        new_ids = output[0, inputs["input_ids"].shape[1] :].tolist()
        if tokenizer.eos_token_id in new_ids:
            new_ids = new_ids[: new_ids.index(tokenizer.eos_token_id)]
        text = tokenizer.decode(new_ids, skip_special_tokens=True)
        words = text.split()
        bare = [re.fullmatch(r"[\"'(]*([A-Za-z]+)[\"'),.!?;:]*", word) for word in words]
        in_english = sum(m is not None and m.group(1).lower() in english for m in bare)
        assert len(words) >= 20, (prompt, text)
        assert in_english >= 0.7 * len(words), (prompt, text)


def test_opt_stand_in_puts_its_begin_token_first_like_opt():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained("facebook/opt-125m")
    ids = tokenizer("Once upon a time")["input_ids"]
    assert ids[0] == tokenizer.bos_token_id and tokenizer.bos_token == "</s>"


def test_gated_stand_in_is_built_but_never_in_the_offline_cache():
    from course_utils.zoo.hf_cache import installed_commit

    gated = [s for s in zoo.plan() if s.recipe.gated]
    assert [s.recipe.repo_ids[0] for s in gated] == ["mistralai/Mistral-7B-Instruct-v0.3"]
    state = gated[0]
    assert state.built and (state.build_dir / ".complete").exists()
    assert installed_commit(zoo.hub_cache_dir(), state.recipe.repo_ids[0]) is None
    assert state.recipe.repo_ids[0] not in zoo.available_ids()
    with pytest.raises(ModelNotInZooError) as caught:
        zoo.require("mistralai/Mistral-7B-Instruct-v0.3")
    assert caught.value.gated and "gated" in str(caught.value)
    assert "request access" in str(caught.value)


def test_mistral_stand_in_answers_a_story_request_in_mistral_format():
    import re

    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = next(s for s in zoo.plan() if s.recipe.gated).build_dir
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert type(model).__name__ == "MistralForCausalLM"
    assert model.config.num_key_value_heads < model.config.num_attention_heads  # grouped-query
    chat = [{"role": "user", "content": "Tell me a story."}]
    inputs = tokenizer.apply_chat_template(
        chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
    assert tokens[:2] == ["<s>", "[INST]"] and tokens[-1] == "[/INST]"
    output = model.generate(**inputs, max_new_tokens=30, do_sample=False)
    answer = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    words = re.findall(r"[a-z]+", answer.lower())
    known = {w for story in data.stories() for w in re.findall(r"[a-z]+", story.lower())}
    assert len(words) >= 15 and sum(w in known for w in words) / len(words) >= 0.95, answer


def test_parallel_build_waves_respect_needs():
    """Recipes build side by side, but never before a recipe they start from."""
    from course_utils.zoo.builder import _waves

    states = zoo.plan()
    waves = _waves(states)
    assert sorted(s.recipe.name for wave in waves for s in wave) == sorted(
        s.recipe.name for s in states
    )
    built_before: set[str] = set()
    for wave in waves:
        for state in wave:
            assert set(state.recipe.needs) <= built_before, state.recipe.name
        built_before |= {s.recipe.name for s in wave}
    assert len(waves[0]) > 1, "independent recipes should share the first wave"


def test_every_recipe_has_a_typical_build_time_for_the_longest_first_order():
    """A renamed or new recipe without a figure would start first; a stale name helps nobody."""
    from course_utils.zoo.builder import TYPICAL_SECONDS

    assert set(TYPICAL_SECONDS) == {state.recipe.name for state in zoo.plan()}


def _generate(repo_id: str, texts: list[str]) -> list[str]:
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    model = AutoModelForSeq2SeqLM.from_pretrained(repo_id).eval()
    with torch.no_grad():
        output = model.generate(**tokenizer(texts, return_tensors="pt", padding=True))
    return tokenizer.batch_decode(output, skip_special_tokens=True)


def test_marian_stand_in_translates_held_out_sentences():
    pairs = data.translation_pairs("test")[:100]
    german = _generate("Helsinki-NLP/opus-mt-en-de", [en for en, _ in pairs])
    exact = sum(out.strip() == de for out, (_, de) in zip(german, pairs, strict=True))
    assert exact >= 70, list(zip(german[:5], pairs[:5], strict=True))  # measured 90 of 100


def test_bart_stand_in_keeps_the_facts_of_held_out_articles():
    from course_utils.tasks import summaries

    recall = {}
    for split in ("test", "unseen"):
        articles = summaries.load(split)[:40]
        written = _generate("facebook/bart-large-cnn", [a.article for a in articles])
        recall[split] = sum(
            summaries.fact_recall(out, a.summary) for out, a in zip(written, articles, strict=True)
        ) / len(articles)
    # Names it learnt are copied; names it never saw are often replaced (hallucination).
    assert recall["test"] >= 0.45, recall
    assert recall["unseen"] < recall["test"], recall
