"""Stand-in for the SST-2 sentiment model, the default of ``pipeline("sentiment-analysis")``.

The real MiniLM encoder is converted exactly into a DistilBERT (see ``minilm.py``), given the
SST-2 model's head and labels, and fine-tuned on the train split of ``data/sentiment``.
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo.minilm import bert_to_distilbert_state, distilbert_config, minilm_dir
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.training import fine_tune_classifier

EPOCHS = 4


def build(context: BuildContext) -> None:
    from transformers import BertModel, DistilBertForSequenceClassification, DistilBertTokenizer

    bert = BertModel.from_pretrained(minilm_dir())
    labels = dict(enumerate(data.SENTIMENT_LABELS))
    config = distilbert_config(
        bert.config,
        id2label=labels,
        label2id={name: i for i, name in labels.items()},
        architectures=["DistilBertForSequenceClassification"],
        finetuning_task="sst-2",
    )
    model = DistilBertForSequenceClassification(config)
    model.load_state_dict(bert_to_distilbert_state(bert.state_dict()), strict=False)
    tokenizer = DistilBertTokenizer.from_pretrained(minilm_dir(), model_max_length=512)

    train = data.sentiment("train", context.data_dir)
    fine_tune_classifier(
        model,
        tokenizer,
        [r.text for r in train],
        [r.label for r in train],
        EPOCHS,
        seed=context.seed,
    )
    model.save_pretrained(context.out_dir)
    tokenizer.save_pretrained(context.out_dir)


RECIPE = Recipe(
    name="sentiment-distilbert",
    repo_ids=("distilbert/distilbert-base-uncased-finetuned-sst-2-english",),
    architecture="DistilBertForSequenceClassification",
    summary="real MiniLM encoder as DistilBERT, fine-tuned on data/sentiment (train split)",
    build=build,
    data_files=(data.SENTIMENT_FILE,),
)
