"""Stand-in for dslim/bert-base-NER: a BERT token classifier with the CoNLL-2003 labels.

The real model is BERT base (cased) fine-tuned on CoNLL-2003. The stand-in keeps its
architecture (``BertForTokenClassification``) and its label ids, on the real MiniLM encoder,
fine-tuned on the train split of ``data/ner`` (news-like sentences the project wrote). MiniLM's
vocabulary is uncased, so unlike the real model it cannot use capital letters as a clue.
"""

from __future__ import annotations

from course_utils import data
from course_utils.task_formats import CONLL_LABELS
from course_utils.zoo.minilm import minilm_dir
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.task_training import fine_tune_token_classifier

EPOCHS = 2


def build(context: BuildContext) -> None:
    from transformers import BertForTokenClassification, BertTokenizerFast  # type: ignore[attr-defined]  # 5.x exports it lazily (an alias of BertTokenizer), unseen by mypy; 4.57 has the class

    id2label = dict(enumerate(CONLL_LABELS))
    label2id = {label: i for i, label in id2label.items()}
    model = BertForTokenClassification.from_pretrained(
        minilm_dir(), id2label=id2label, label2id=label2id
    )
    model.config.architectures = ["BertForTokenClassification"]
    tokenizer = BertTokenizerFast.from_pretrained(minilm_dir(), model_max_length=512)
    train = data.ner_sentences("train", context.data_dir)
    fine_tune_token_classifier(model, tokenizer, train, label2id, EPOCHS, seed=context.seed)
    model.save_pretrained(context.out_dir)
    tokenizer.save_pretrained(context.out_dir)


RECIPE = Recipe(
    name="bert-base-ner",
    repo_ids=("dslim/bert-base-NER",),
    architecture="BertForTokenClassification",
    summary="real MiniLM encoder with the CoNLL labels, fine-tuned on data/ner (train split)",
    build=build,
    data_files=(data.NER_FILES["train"],),
)
