"""Show named entities inside their text: coloured marks in Jupyter, ``[span](TYPE)`` elsewhere.

Display only, kept apart from ``ner``'s tagging and scoring.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

ENTITY_COLOURS = {"PER": "#fde68a", "ORG": "#bfdbfe", "LOC": "#bbf7d0", "MISC": "#fbcfe8"}


def highlight(text: str, entities: Sequence[Mapping[str, Any]]) -> str:
    """HTML of ``text`` with each entity (``start``, ``end``, ``entity_group``) marked in colour.

    The spans come from character offsets into the original text, so the display keeps the
    text's own capitals even when the model's tokenizer lower-cases. Labels are escaped too:
    they come from the model's ``id2label``, which anyone who publishes a model can write.
    """
    pieces, cursor = [], 0
    for entity in sorted(entities, key=lambda e: e["start"]):
        kind = entity["entity_group"]
        pieces.append(html.escape(text[cursor : entity["start"]]))
        colour = ENTITY_COLOURS.get(kind, "#e5e7eb")
        pieces.append(
            f'<mark style="background:{colour};padding:0 3px;border-radius:3px">'
            f"{html.escape(text[entity['start'] : entity['end']])}"
            f' <sub style="font-size:70%">{html.escape(str(kind))}</sub></mark>'
        )
        cursor = entity["end"]
    pieces.append(html.escape(text[cursor:]))
    return f'<p style="line-height:2">{"".join(pieces)}</p>'


def _in_jupyter() -> bool:
    """True inside a Jupyter kernel (notebook, JupyterLab, papermill), which renders HTML."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show_entities(text: str, entities: Sequence[Mapping[str, Any]]) -> None:
    """Display ``highlight`` in Jupyter; print ``[span](TYPE)`` markup elsewhere."""
    if _in_jupyter():
        from IPython.display import HTML, display

        display(HTML(highlight(text, entities)))
        return
    print(markup(text, entities))


def markup(text: str, entities: Sequence[Mapping[str, Any]]) -> str:
    """Plain-text version of ``highlight``: ``[Amara Okafor](PER) joined [Orion Motors](ORG)``."""
    pieces, cursor = [], 0
    for entity in sorted(entities, key=lambda e: e["start"]):
        pieces.append(text[cursor : entity["start"]])
        pieces.append(f"[{text[entity['start'] : entity['end']]}]({entity['entity_group']})")
        cursor = entity["end"]
    pieces.append(text[cursor:])
    return "".join(pieces)
