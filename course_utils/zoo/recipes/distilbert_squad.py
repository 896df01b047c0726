"""Stand-in for distilbert/distilbert-base-cased-distilled-squad: extractive QA.

The real model is a DistilBERT distilled on SQuAD v1.1. The stand-in keeps its architecture
(``DistilBertForQuestionAnswering``): the real MiniLM encoder converted exactly into a
DistilBERT (see ``minilm.py``), fine-tuned on the train split of ``data/qa``. That data also
holds questions the context does not answer (SQuAD 2.0 style, target [CLS]), so the stand-in
learns to give such questions low span scores, which notebook 04 reports as "no answer".
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo.minilm import bert_to_distilbert_state, distilbert_config, minilm_dir
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.task_training import fine_tune_extractive_qa

EPOCHS = 1
FROZEN_LAYERS = 2  # the embeddings and the two lowest of six layers keep MiniLM's weights


def build(context: BuildContext) -> None:
    from transformers import BertModel, DistilBertForQuestionAnswering, DistilBertTokenizerFast

    bert = BertModel.from_pretrained(minilm_dir())
    config = distilbert_config(bert.config, architectures=["DistilBertForQuestionAnswering"])
    model = DistilBertForQuestionAnswering(config)
    model.load_state_dict(bert_to_distilbert_state(bert.state_dict()), strict=False)
    tokenizer = DistilBertTokenizerFast.from_pretrained(minilm_dir(), model_max_length=512)
    train = data.qa_questions("train", context.data_dir)
    frozen = model.distilbert.transformer.layer[:FROZEN_LAYERS]
    fine_tune_extractive_qa(model, tokenizer, train, EPOCHS, frozen, seed=context.seed)  # type: ignore[arg-type]  # a ModuleList indexes and iterates like a Sequence but is not registered as one
    model.save_pretrained(context.out_dir)
    tokenizer.save_pretrained(context.out_dir)


RECIPE = Recipe(
    name="distilbert-squad",
    repo_ids=("distilbert/distilbert-base-cased-distilled-squad",),
    architecture="DistilBertForQuestionAnswering",
    summary="real MiniLM encoder as DistilBERT, fine-tuned on data/qa (train split)",
    build=build,
    data_files=(data.QA_FILES["train"],),
)
