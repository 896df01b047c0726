"""Stand-in for distilbert/distilbert-base-uncased: the bert-base-uncased stand-in, converted.

The conversion is exact (see ``minilm.py``), masked-LM head included, so both stand-ins fill in a
``[MASK]`` identically — just as the real DistilBERT was distilled to imitate BERT.
"""

from __future__ import annotations

from course_utils.zoo.minilm import bert_to_distilbert_state, distilbert_config
from course_utils.zoo.recipe import BuildContext, Recipe


def build(context: BuildContext) -> None:
    from transformers import BertForPreTraining, DistilBertForMaskedLM, DistilBertTokenizer

    source = context.inputs["bert-base-uncased"]
    bert = BertForPreTraining.from_pretrained(source)
    config = distilbert_config(bert.config, architectures=["DistilBertForMaskedLM"])
    model = DistilBertForMaskedLM(config)
    model.load_state_dict(bert_to_distilbert_state(bert.state_dict()))
    model.save_pretrained(context.out_dir)
    DistilBertTokenizer.from_pretrained(source).save_pretrained(context.out_dir)


RECIPE = Recipe(
    name="distilbert-base-uncased",
    repo_ids=("distilbert/distilbert-base-uncased",),
    architecture="DistilBertForMaskedLM",
    summary="the bert-base-uncased stand-in converted exactly to DistilBERT",
    build=build,
    needs=("bert-base-uncased",),
)
