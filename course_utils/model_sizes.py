"""Where do a model's parameters live? Count them exactly from the config, then sort them.

"BERT-base has 110M parameters" hides the interesting part: *where* those parameters are. A
vocabulary of 30,000 tokens × 768 dimensions is 23M numbers before the first layer; every layer
then adds attention (about 4·H² numbers) and an MLP (about 8·H²). As models grow wider and deeper
the layers grow with L·H² while the embedding table grows only with H, so the balance shifts from
the vocabulary towards the MLPs. This module makes that visible for any architecture
transformers knows:

- :func:`build_on_meta` builds the real model class from a config on PyTorch's ``meta`` device
  (shapes only: no memory, no download), with the auto class you name;
- :func:`count_parameters` counts its parameters the way ``model.parameters()`` does (a tensor
  shared by two modules, such as a tied output head, counts once);
- :func:`parameter_breakdown` sorts every parameter into embeddings, attention, MLP, layer
  norms and head/pooler, so that the buckets add up to exactly the total;
- :func:`auto_class_table` shows which classes ``AutoConfig`` and the ``AutoModel*`` classes
  pick for a config, and :func:`plot_parameter_breakdown` draws the buckets as stacked bars.

Configs come from ``data/configs/`` through :func:`course_utils.configs.load_config`.
torch, transformers and matplotlib are imported inside the functions, so ``import course_utils``
stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from course_utils.configs import as_config
from course_utils.errors import CourseError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from torch import nn

    from course_utils.configs import ConfigLike

#: The auto classes the course uses, one per kind of model (any other ``AutoModel*`` works too).
AUTO_CLASSES = (
    "AutoModel",
    "AutoModelForMaskedLM",
    "AutoModelForCausalLM",
    "AutoModelForSeq2SeqLM",
)

#: The buckets of :func:`parameter_breakdown`, in the order they are stacked in the chart.
BUCKETS = ("embeddings", "attention", "MLP", "layer norms", "head & pooler")
#: Extra bucket for a parameter no rule recognises (never used by the configs in data/configs/).
OTHER = "other"

# Module names (one path segment, lower case) that belong to a task head or a pooler, i.e. to
# what sits on top of the transformer body. Checked first, so a head's own LayerNorm or dense
# layer counts as head, not as a layer norm or MLP.
_HEAD_SEGMENTS = frozenset(
    {
        "lm_head",  # GPT-2, T5, Mistral, ... (only counted when not tied to the embeddings)
        "cls",  # BertForMaskedLM: transform (dense + LayerNorm) and the output bias
        "pooler",  # BertModel: dense + tanh on [CLS]
        "vocab_transform",  # DistilBertForMaskedLM
        "vocab_layer_norm",
        "vocab_projector",
        "classifier",
        "pre_classifier",
        "qa_outputs",
        "score",
        "embed_out",
    }
)
# Segments that mark the feed-forward part of a block (checked after attention).
_MLP_SEGMENTS = frozenset(
    {
        "mlp",  # GPT-2, GPT-Neo, BLOOM, Mistral
        "intermediate",  # BERT: H -> 4H
        "output",  # BERT: 4H -> H (attention.output was already claimed by attention)
        "ffn",  # DistilBERT
        "densereludense",  # T5
        "fc1",  # OPT
        "fc2",
        "feed_forward",
    }
)


class UnknownAutoClassError(CourseError, ValueError):
    """The name given is not an ``AutoModel*`` class of the installed transformers."""


class NoModelClassError(CourseError, ValueError):
    """The auto class exists, but has no model class for this kind of config."""


# --------------------------------------------------------------------------------------------
# Auto classes


def _auto_class(name: str) -> Any:
    """The transformers auto class called ``name``, or a clear error saying what to use."""
    import transformers

    auto_class = getattr(transformers, name, None) if isinstance(name, str) else None
    if auto_class is None or not hasattr(auto_class, "_model_mapping"):
        hint = ""
        if name == "AutoModelWithLMHead":
            hint = (
                " It was split into AutoModelForCausalLM (GPT-2), AutoModelForMaskedLM (BERT) "
                "and AutoModelForSeq2SeqLM (T5), and transformers 5 removed it."
            )
        raise UnknownAutoClassError(
            f"{name!r} is not an AutoModel class of transformers {transformers.__version__}.{hint} "
            f"Use one of {', '.join(AUTO_CLASSES)} (or another AutoModelFor... class, such as "
            f"AutoModelForSequenceClassification)."
        )
    return auto_class


def model_class_for(config: ConfigLike, auto_class: str = "AutoModel") -> type | None:
    """The class ``auto_class.from_config(config)`` would build, or None if it has none.

    Why this is a lookup and not magic: each auto class owns a table from config class to model
    class (for ``AutoModelForCausalLM`` it is built from ``MODEL_FOR_CAUSAL_LM_MAPPING_NAMES``,
    ``{"gpt2": "GPT2LMHeadModel", "bert": "BertLMHeadModel", ...}``). The config's
    ``architectures`` field plays no part (except to break a tie between two candidates).
    """
    config = as_config(config)
    mapping = _auto_class(auto_class)._model_mapping
    if type(config) not in mapping:
        return None
    found = mapping[type(config)]
    if isinstance(found, (list, tuple)):  # a few model types have several candidate classes
        wanted = set(getattr(config, "architectures", None) or [])
        found = next((cls for cls in found if cls.__name__ in wanted), found[0])
    return found


def auto_class_table(
    configs: Mapping[str, ConfigLike] | Iterable[str],
    auto_classes: Sequence[str] = AUTO_CLASSES,
) -> list[dict[str, Any]]:
    """One row per model: its ``model_type``, the config class and each auto class's pick.

    Why a table: it shows at a glance that the *task* (the auto class) and the *architecture*
    (``model_type``) together decide the class, and which combinations do not exist (None), such
    as a causal-LM class for T5.

    Args:
        configs: ``{label: config}`` or stored repository ids (then the id is the label).
        auto_classes: auto class names; each becomes a column.
    """
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    classes = [_auto_class(name) for name in auto_classes]  # fail early on a wrong name
    items = configs.items() if isinstance(configs, Mapping) else ((c, c) for c in configs)
    rows = []
    for label, config in items:
        config = as_config(config)
        row: dict[str, Any] = {
            "model": label,
            "model_type": config.model_type,
            "AutoConfig": CONFIG_MAPPING[config.model_type].__name__,
        }
        for name, auto_class in zip(auto_classes, classes, strict=True):
            found = model_class_for(config, auto_class.__name__)
            row[name] = found.__name__ if found is not None else None
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------
# Building and counting


def build_on_meta(config: ConfigLike, auto_class: str = "AutoModel") -> nn.Module:
    """``auto_class.from_config(config)`` on the ``meta`` device: the real classes, no memory.

    Why meta: tensors there have a shape and a dtype but no storage, so even a 7-billion-parameter
    model is built in a fraction of a second, allocating nothing and downloading nothing.
    A combination that does not exist (a causal-LM class for T5) raises
    :class:`NoModelClassError` naming the auto classes that do work for this model.
    """
    import torch

    config = as_config(config)
    auto = _auto_class(auto_class)
    if model_class_for(config, auto_class) is None:
        working = [name for name in AUTO_CLASSES if model_class_for(config, name) is not None]
        raise NoModelClassError(
            f"{auto_class} has no class for model_type {config.model_type!r}, so "
            f"{auto_class}.from_config() refuses this config. For this model use one of: "
            f"{', '.join(working)}."
        )
    with torch.device("meta"):
        return auto.from_config(config)


def count_parameters(config: ConfigLike, auto_class: str = "AutoModel") -> int:
    """Exact number of parameters of the model ``auto_class`` builds from ``config``.

    ``model.parameters()`` yields a shared tensor once, so an output head tied to the input
    embeddings (GPT-2, T5, BERT's masked-LM decoder) is counted once, as in the published sizes.
    """
    model = build_on_meta(config, auto_class)
    return sum(parameter.numel() for parameter in model.parameters())


# --------------------------------------------------------------------------------------------
# Where the parameters live


def bucket_of(path: str, module: nn.Module) -> str:
    """The bucket of the parameters owned directly by ``module`` (at ``path`` in the model).

    The rules read the module's place in the model (``encoder.layer.0.attention.self.query``)
    and its type, in this order: anything inside a head or pooler; any normalisation layer;
    embedding tables; anything inside an attention module; the feed-forward modules. The order
    matters: BERT's ``attention.output.LayerNorm`` is a layer norm, not attention.
    """
    from torch import nn

    segments = [segment.lower() for segment in path.split(".")]
    if any(segment in _HEAD_SEGMENTS for segment in segments):
        return "head & pooler"
    if "norm" in type(module).__name__.lower():  # LayerNorm, T5LayerNorm, MistralRMSNorm, ...
        return "layer norms"
    if isinstance(module, nn.Embedding):
        # T5's relative position bias is a (buckets × heads) table added to the attention
        # scores inside the attention layer, so it is counted with attention.
        return "attention" if "relative_attention_bias" in segments else "embeddings"
    if any("attn" in segment or "attention" in segment for segment in segments):
        return "attention"
    if any(segment in _MLP_SEGMENTS for segment in segments):
        return "MLP"
    return OTHER


def parameter_breakdown(
    config_or_model: ConfigLike | nn.Module, auto_class: str = "AutoModel"
) -> dict[str, int]:
    """Parameters per bucket — embeddings, attention, MLP, layer norms, head & pooler.

    The buckets add up to exactly ``sum(p.numel() for p in model.parameters())``: every tensor
    is counted once, in the bucket of the first module that owns it (a head tied to the token
    embeddings therefore stays in "embeddings", and only an untied head counts as head).
    Attention includes the query/key/value/output projections with their biases, T5's
    cross-attention and T5's relative position bias; MLP is the feed-forward part of each block.

    Args:
        config_or_model: a config (object, dict or stored id), built with ``auto_class`` on the
            meta device, or an already built model.

    Returns:
        ``{bucket: count}`` in :data:`BUCKETS` order, plus ``"other"`` if a parameter fits no
        rule (an architecture this module has not seen).
    """
    from torch import nn

    if isinstance(config_or_model, nn.Module):
        model = config_or_model
    else:
        model = build_on_meta(config_or_model, auto_class)
    counts = dict.fromkeys(BUCKETS, 0)
    seen: set[int] = set()
    for path, module in model.named_modules():
        for parameter in module.parameters(recurse=False):
            if id(parameter) in seen:  # tied: already counted where it first appeared
                continue
            seen.add(id(parameter))
            bucket = bucket_of(path, module)
            counts[bucket] = counts.get(bucket, 0) + parameter.numel()
    return counts


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    """Each bucket's fraction of the total (they sum to 1)."""
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("The counts add up to zero: pass the result of parameter_breakdown().")
    return {bucket: count / total for bucket, count in counts.items()}


# --------------------------------------------------------------------------------------------
# Plot

_COLOURS = {
    "embeddings": "tab:orange",
    "attention": "tab:blue",
    "MLP": "tab:green",
    "layer norms": "tab:purple",
    "head & pooler": "tab:red",
    OTHER: "tab:gray",
}


def plot_parameter_breakdown(
    breakdowns: Mapping[str, Mapping[str, int]],
    title: str = "Where the parameters live",
    group_size: int | None = None,
    axes: Sequence[Axes] | None = None,
) -> list[Axes]:
    """Stacked bars per model: millions of parameters (left) and share of the total (right).

    Why two panels: the absolute bars show how much bigger the large models are; the 100% bars
    show what changes *inside* them (the embeddings' share shrinks, the MLPs' grows), which the
    absolute bars hide because the small models' bars are so short. Shares of 8% or more are
    written on the bars.

    Args:
        breakdowns: ``{label: parameter_breakdown(...)}``, drawn left to right in this order.
        group_size: leave a gap after every ``group_size`` bars (e.g. 3 for three sizes of each
            family), so that families read as groups.
        axes: two Axes to draw on; by default a new figure with ``title``.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if not breakdowns:
        raise ValueError("No breakdowns were given: pass {label: parameter_breakdown(...)}.")
    if group_size is not None and (isinstance(group_size, bool) or group_size < 1):
        raise ValueError(f"group_size must be a whole number >= 1 or None, got {group_size!r}.")
    labels = list(breakdowns)
    buckets = [b for b in (*BUCKETS, OTHER) if any(c.get(b, 0) for c in breakdowns.values())]
    values = np.array([[breakdowns[m].get(b, 0) for m in labels] for b in buckets], dtype=float)
    totals = values.sum(axis=0)
    if (totals <= 0).any():
        raise ValueError("Every model needs at least one parameter to be plotted.")
    if axes is None:
        figure, axes = plt.subplots(1, 2, figsize=(max(10, 1.3 * len(labels) + 4), 4.6))
        figure.suptitle(title)
    if len(axes) != 2:
        raise ValueError(f"Pass two Axes (absolute and share panels), not {len(axes)}.")
    left, right = axes
    positions = np.arange(len(labels), dtype=float)
    if group_size:
        positions += 0.6 * (np.arange(len(labels)) // group_size)
    for panel, data in ((left, values / 1e6), (right, 100 * values / totals)):
        bottom = np.zeros(len(labels))
        for bucket, row in zip(buckets, data, strict=True):
            bars = panel.bar(positions, row, bottom=bottom, color=_COLOURS[bucket], label=bucket)
            if panel is right:
                texts = [f"{share:.0f}%" if share >= 8 else "" for share in row]
                panel.bar_label(bars, texts, label_type="center", fontsize=7, color="white")
            bottom += row
        if panel is left:
            top_bars = bars  # the stacks' top segments: the totals go above them
        panel.set_xticks(positions, labels, rotation=35, ha="right", fontsize=8)
    left.bar_label(top_bars, [f"{t / 1e6:.0f}M" for t in totals], padding=2, fontsize=8)
    left.set_ylabel("parameters (millions)")
    left.set_ylim(0, 1.12 * totals.max() / 1e6)
    right.set_ylabel("share of the model (%)")
    right.set_ylim(0, 100)
    right.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return [left, right]
