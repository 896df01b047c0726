"""Generate a small video-game sentiment set where everyday sentiment words mislead.

Notebook 17 adapts a general sentiment model to a new *domain* with LoRA. The domain has to be
one where a general model goes wrong often, for a reason a learner can see. Gamer talk is such
a domain: praise is said with words that are negative in everyday English ("the final boss is
*sick*", "the soundtrack is *insane*", "that combo was *filthy*"), and criticism with words that
sound neutral or even positive ("the battle pass is *pay-to-win*", "the story is *mid*", "my
class got *nerfed*", "it holds your hand the whole time").

Each sentence is a frame ("Honestly, {subject} {expression}.") filled with a game element (the
subject) and an expression that carries the sentiment. There are two kinds of rows:

* ``flipped``: the expression is gamer slang whose everyday polarity is the opposite of (or
  unrelated to) what it means here; these are the rows a general model gets wrong;
* ``plain``: ordinary sentiment words meaning what they usually mean ("is beautiful and
  memorable", "crashes all the time"), so that a model cannot score well by flipping every
  prediction: it has to learn *which* words change meaning.

The held-out split (``test``) uses frames and subjects that never occur in ``train``; half of
its flipped rows use slang expressions that never occur in ``train`` either (the ``expression``
column says which expression a row uses). Both splits are balanced (half positive).

Output: ``games.csv`` with header ``text,label,split,kind,expression``. Standard library only;
the fixed seed makes the output byte-identical on every run.

Usage:  python make_domain.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 0

# Frames: (train, test). "{s}" is the subject; a frame that starts with it capitalises it.
FRAMES = (
    [
        "{s} {e}.",
        "Honestly, {s} {e}.",
        "I have to say {s} {e}.",
        "After twenty hours in, {s} {e}.",
        "{s} {e}, no question.",
        "Just finished a session and {s} {e}.",
        "Everyone in my squad says {s} {e}.",
        "Quick review: {s} {e}.",
    ],
    [
        "Not gonna lie, {s} {e}.",
        "{s} {e}, trust me.",
        "Played it all weekend and {s} {e}.",
        "Update after the latest patch: {s} {e}.",
        "My brother and I agree that {s} {e}.",
        "Day one impressions: {s} {e}.",
    ],
)

# Game elements, all singular: (train, test).
SUBJECTS = (
    [
        "the final boss",
        "the campaign",
        "the level design",
        "the new map",
        "the crafting system",
        "the open world",
        "the combat system",
        "the co-op mode",
        "the story mode",
        "the ranked mode",
        "the new season",
        "this shooter",
        "the skill tree",
        "the stealth section",
        "the boss rush",
        "the racing mode",
    ],
    [
        "the side quest line",
        "the new expansion",
        "the dungeon",
        "the battle pass",
        "the multiplayer",
        "the survival mode",
        "the arena mode",
        "the raid",
        "the endgame",
        "the sequel",
    ],
)

# Expressions: (train, held-out only). Flipped ones mean the opposite of their everyday sense.
FLIPPED_POSITIVE = (
    [
        "is sick",
        "is insane",
        "is absolutely filthy",
        "is wicked",
        "is a total banger",
        "is cracked",
        "is crazy good",
        "goes hard",
        "is stupid fun",
        "slaps",
        "is dangerously addictive",
        "is brutal in the best way",
        "is nasty",
        "is unreal",
    ],
    ["is bonkers", "is mental", "is savage", "is nuts", "absolutely rips", "is a beast"],
)
FLIPPED_NEGATIVE = (
    [
        "got nerfed into the ground",
        "is pay-to-win",
        "is mid",
        "is a cash grab",
        "is so grindy",
        "is on rails",
        "holds your hand the whole time",
        "is way too easy",
        "is so basic",
        "feels like a mobile game",
        "is just a reskin",
        "runs like a slideshow",
        "is pure RNG",
        "is pure filler",
    ],
    [
        "is a money grab",
        "is a lootbox casino",
        "is easy mode forever",
        "is a glorified demo",
        "is a sweatfest",
        "got gutted by the patch",
    ],
)
PLAIN_POSITIVE = (
    [
        "is beautiful and memorable",
        "is a joy to play",
        "is fun and well made",
        "is excellent",
        "is wonderful from start to finish",
        "is clever and rewarding",
        "is polished and fair",
        "is a delight",
    ],
    ["is genuinely great", "is lovely and relaxing", "is brilliant", "is fantastic"],
)
PLAIN_NEGATIVE = (
    [
        "is boring and unfair",
        "crashes all the time",
        "is a frustrating mess",
        "is terrible",
        "is buggy and broken",
        "is dull and repetitive",
        "is painfully slow",
        "is a disappointment",
    ],
    ["is awful", "is tedious", "keeps freezing", "is a waste of money"],
)

# Rows per (kind, label) group: (train, test).
COUNTS = {"flipped": (72, 36), "plain": (24, 12)}


def sentence(frame: str, subject: str, expression: str) -> str:
    if frame.startswith("{s}"):
        subject = subject[0].upper() + subject[1:]
    return frame.format(s=subject, e=expression)


def fill(
    expressions: list[str], frames: list[str], subjects: list[str], n: int, rng: random.Random
) -> list[tuple[str, str]]:
    """``n`` unique (text, expression) pairs, using the expressions in turn (evenly)."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    order = expressions * (n // len(expressions) + 1)
    for expression in order[:n]:
        while True:
            text = sentence(rng.choice(frames), rng.choice(subjects), expression)
            if text not in seen:
                seen.add(text)
                rows.append((text, expression))
                break
    return rows


def generate() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    rows: list[dict[str, str]] = []
    groups = (
        ("flipped", "positive", FLIPPED_POSITIVE),
        ("flipped", "negative", FLIPPED_NEGATIVE),
        ("plain", "positive", PLAIN_POSITIVE),
        ("plain", "negative", PLAIN_NEGATIVE),
    )
    for split, side in (("train", 0), ("test", 1)):
        split_rows = []
        for kind, label, (seen_expressions, held_out_expressions) in groups:
            n = COUNTS[kind][side]
            if split == "train":
                chosen = fill(seen_expressions, FRAMES[0], SUBJECTS[0], n, rng)
            elif kind == "flipped":  # half new slang, half slang known from training
                chosen = fill(held_out_expressions, FRAMES[1], SUBJECTS[1], n // 2, rng)
                known = rng.sample(seen_expressions, len(seen_expressions))
                chosen += fill(known, FRAMES[1], SUBJECTS[1], n - n // 2, rng)
            else:
                chosen = fill(held_out_expressions, FRAMES[1], SUBJECTS[1], n, rng)
            split_rows += [
                {"text": t, "label": label, "split": split, "kind": kind, "expression": e}
                for t, e in chosen
            ]
        rng.shuffle(split_rows)
        rows += split_rows
    texts = [row["text"].lower() for row in rows]
    assert len(set(texts)) == len(texts), "duplicate sentences"
    return rows


def main() -> None:
    path = Path(__file__).resolve().parent / "games.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, ["text", "label", "split", "kind", "expression"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(generate())


if __name__ == "__main__":
    main()
