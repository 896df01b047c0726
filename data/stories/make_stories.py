"""Generate a small, synthetic corpus of simple children's stories.

Why?  The TinyStories idea (Eldan & Li, 2023): a language model with only a few
million parameters learns fluent, grammatical English quickly if its training
text has a small vocabulary and short, regular sentences.  On real prose, a few
minutes of CPU training are spread over thousands of rare words and long
sentences, and a tiny model learns almost nothing.

The stories are built from hand-written templates and word lists, with several
templates for every slot of a story (opening, setup, problem, feeling, help,
solution, ending), so a model has to learn a small language instead of
memorising a few strings.  Standard library only; a fixed seed (0) makes the
output byte-identical on every run.

Usage:  python make_stories.py [--out stories.txt] [--count 3000]
"""

import argparse
import random
import re
from pathlib import Path

# A character is (how we introduce it, pronoun); see name() for how it is called later.
CHARACTERS: list[tuple[str, str]] = [
    ("little fox", "it"),
    ("brave girl named Mia", "she"),
    ("old fisherman", "he"),
    ("curious robot", "it"),
    ("kind dragon", "it"),
    ("young king", "he"),
    ("wise old owl", "it"),
    ("small brown rabbit", "it"),
    ("shy boy named Leo", "he"),
    ("clever girl named Lily", "she"),
    ("happy little bear", "it"),
    ("gentle giant", "he"),
    ("young princess", "she"),
    ("tiny mouse", "it"),
    ("old farmer", "he"),
    ("friendly dog named Max", "he"),
    ("little blue bird", "it"),
    ("lazy cat", "it"),
    ("busy baker", "he"),
    ("kind old woman", "she"),
    ("brave knight", "he"),
    ("slow little turtle", "it"),
    ("funny monkey", "it"),
    ("small boy named Sam", "he"),
    ("happy girl named Anna", "she"),
    ("little yellow duck", "it"),
    ("big gray elephant", "it"),
    ("silly goat", "it"),
    ("tiny fairy", "she"),
    ("little girl named Rosa", "she"),
    ("young painter named Ben", "he"),
    ("lonely wolf", "it"),
    ("sleepy lion", "it"),
    ("little green frog", "it"),
    ("old teacher", "she"),
    ("clever crow", "it"),
    ("proud peacock", "it"),
    ("little penguin", "it"),
    ("old sailor", "he"),
    ("young witch named Ella", "she"),
    ("playful puppy", "it"),
    ("tired old horse", "it"),
    ("tiny bee", "it"),
    ("clever squirrel", "it"),
    ("friendly whale", "it"),
    ("little prince", "he"),
]
PRONOUNS: dict[str, tuple[str, str, str]] = {  # subject, object, possessive
    "he": ("he", "him", "his"),
    "she": ("she", "her", "her"),
    "it": ("it", "it", "its"),
}
PLACES: list[str] = [  # all of them fit after "lived in ..."
    "a quiet village",
    "a dark forest",
    "a castle by the sea",
    "a small town",
    "a big city",
    "a green valley",
    "a little house on a hill",
    "a land of snow and ice",
    "a busy harbor",
    "a sunny garden",
    "a deep jungle",
    "a cottage near the river",
    "a tall tower",
    "an old mill",
    "a warm cottage",
    "a kingdom of flowers",
    "a hot desert",
    "a tiny island",
    "a town by the mountains",
    "a forest full of birds",
    "a field of sunflowers",
    "a cave behind a waterfall",
    "a village of tiny houses",
    "a sleepy little port",
]
SPOTS: list[str] = [
    "by the river",
    "under a tall tree",
    "near the old bridge",
    "on the beach",
    "in the tall grass",
    "behind a big rock",
    "at the top of the hill",
    "in the garden",
    "next to the well",
    "deep in the woods",
    "by the lake",
    "near the little pond",
    "near the old windmill",
    "behind the red barn",
    "among the flowers",
    "inside a hollow log",
]
OBJECTS: list[str] = [
    "red ball",
    "shiny stone",
    "old map",
    "golden key",
    "blue kite",
    "magic hat",
    "little bell",
    "wooden box",
    "silver coin",
    "small boat",
    "yellow scarf",
    "orange kite",
    "soft blanket",
    "tiny drum",
    "green umbrella",
    "favorite book",
    "purple ribbon",
    "glass marble",
    "toy train",
    "bright lantern",
    "warm coat",
    "little flute",
    "painted egg",
]
WISHES: list[str] = [
    "fly over the mountains",
    "see the big blue sea",
    "find a real treasure",
    "touch the moon",
    "learn how to sing",
    "build a tall tower",
    "sail across the lake",
    "find the lost garden",
    "find the end of the rainbow",
    "climb the highest tree",
    "see the city at night",
    "swim with the fish",
    "ride a fast horse",
    "count all the stars",
    "walk on the clouds",
    "dance at the royal ball",
    "see snow for the first time",
    "paint the whole sky",
]
ACTIVITIES: list[str] = [  # past tense: "Every day, she ..." and "Together, they ..."
    "played in the garden",
    "sang songs to the flowers",
    "read old books",
    "looked at the stars",
    "picked berries in the woods",
    "watched the boats on the sea",
    "painted pictures of the sky",
    "ran up and down the hill",
    "swam in the cool lake",
    "counted the clouds",
    "baked sweet bread",
    "danced in the rain",
    "built little houses of sand",
    "told funny stories",
    "fed the ducks by the pond",
    "chased butterflies in the field",
    "watered the flowers",
    "flew kites on the hill",
    "listened to the birds",
    "collected shells on the beach",
    "jumped in the puddles",
    "made soup for the neighbors",
    "climbed tall trees",
]
SEARCHES: list[str] = [
    "searched high and low",
    "looked under every stone",
    "walked along the river",
    "asked all the animals in the forest",
    "climbed over the big hills",
    "followed a little path",
    "looked behind every tree",
    "walked through the tall grass",
]
SAD: list[str] = ["sad", "scared", "lonely", "worried", "upset", "afraid", "unhappy", "frightened"]
HAPPY: list[str] = ["happy", "proud", "glad", "thankful", "cheerful", "joyful", "excited"]
QUOTES: list[str] = [
    "Do not cry. I will help you.",
    "Do not be afraid. I am your friend.",
    "Let us look together.",
    "I can help you, my friend.",
    "Come with me. I know the way.",
    "Please do not be sad. We will find a way.",
    "Take my hand. Everything will be fine.",
]
LESSONS: list[str] = [
    "friends help each other",
    "it is good to be kind",
    "sharing makes everyone happy",
    "a good friend is worth more than gold",
    "you should never give up",
    "being brave means trying even when you are afraid",
    "home is the best place of all",
    "small acts of kindness matter",
    "every problem has an answer",
    "the best gifts come from the heart",
    "it is fine to ask for help",
]

# A problem and its solution must appear together, so they come in pairs.
TROUBLES: list[tuple[str, str]] = [
    (
        "But one night, a big storm came, and {r} had nowhere to sleep.",
        "When the sun came out again, they built a new home together.",
    ),
    (
        "But one cold winter, there was no food left.",
        "When spring came, they planted a big garden together.",
    ),
    (
        "But one day, the river rose and the water came into {s} home.",
        "When the water went down, they cleaned the house together.",
    ),
]
NEEDS: list[tuple[str, str]] = [
    (
        "One afternoon, {p} saw {c2} who was crying {spot}.",
        "{r} sat next to {o2} and told funny stories until {r2} smiled again.",
    ),
    (
        "One morning, {p} found {c2} stuck in a deep hole {spot}.",
        "{r} found a long rope and pulled {o2} out.",
    ),
    (
        "One evening, {p} met {c2} who was very hungry.",
        "{r} gave {o2} some bread and a cup of warm milk.",
    ),
]
OPENINGS_ONCE: list[str] = [
    "Once upon a time, in a land far away, there lived {c}.",
    "Once upon a time, in {place}, there lived {c}.",
    "Once upon a time, there was {c} who lived in {place}.",
]
OPENINGS_OTHER: list[str] = [
    "One day, {c} was walking {spot}.",
    "Long ago, {c} lived in {place}.",
    "There was once {c} who lived in {place}.",
    "Long ago, in {place}, there lived {c}.",
    "One sunny morning, {c} woke up early in {place}.",
]
ENDINGS: list[str] = [
    "And they lived happily ever after.",
    "From that day on, {r} and {r2} were the best of friends.",
    "{r} smiled. It was the best day of {s} life.",
    "That night, {r} went to sleep with a big smile.",
    "{r} learned that {lesson}.",
    "From then on, {r} was never {sad} again.",
    "{r} felt {happy} and warm inside.",
]
SHORT: list[str] = [  # two-sentence stories: the opening plus one of these
    "Every day, {p} {act} and {act2}, and everyone loved {o} very much.",
    "{p} had {obj_a}, and every evening {p} {act} with {s} friend, {c2}.",
    "{r} and {s} friend {r2} {act} every day, and they were always {happy}.",
]

# A plot is a list of slots: (is the slot required?, sentences to choose from).
PLOTS: list[list[tuple[bool, list[str]]]] = [
    [  # something precious is lost and found again
        (
            False,
            [
                "{r} had {obj_a} that {p} loved very much.",
                "Every day, {p} played with {s} {obj}.",
                "{p} loved {s} {obj} more than anything.",
            ],
        ),
        (
            True,
            [
                "But one day, {p} lost {s} {obj} {spot}.",
                "One windy day, {s} {obj} was gone.",
                "But one morning, {r} could not find {s} {obj}.",
            ],
        ),
        (
            False,
            [
                "{p} felt very {sad}.",
                "{r} sat down and began to cry.",
                "{r} was so {sad} that {p} did not want to eat.",
            ],
        ),
        (
            True,
            [
                'Then {c2} came by and said, "{quote}"',
                "{c2} heard {o} and came to help.",
                "Just then, {c2} saw {o} and offered to help.",
            ],
        ),
        (
            True,
            [
                "Together, they {search}, and at last they found the {obj} {spot2}.",
                "They {search} until they found the {obj} {spot2}.",
            ],
        ),
    ],
    [  # a wish comes true with a little help
        (
            True,
            [
                "More than anything, {p} wanted to {wish}.",
                "{p} always wanted to {wish}.",
                "{r} dreamed of a day when {p} could {wish}.",
            ],
        ),
        (
            True,
            [
                "But {p} did not know the way.",
                "But everyone said it was not possible.",
                "But the way was long, and {p} was afraid to go alone.",
            ],
        ),
        (False, ["For a long time, {p} felt {sad}.", "{r} felt {sad}, but {p} did not give up."]),
        (
            True,
            [
                'One day, {c2} said, "Come with me. I know the way."',
                "Then {p} met {c2}, who knew a secret path.",
                "Then {c2} came and offered to help.",
            ],
        ),
        (
            True,
            ["At last, {r} was able to {wish}.", "After a long trip, {r} could finally {wish}."],
        ),
    ],
    [  # a lonely character finds a friend
        (
            True,
            [
                "{r} had no friends, and {p} often felt lonely.",
                "{r} was very shy and always played alone.",
            ],
        ),
        (
            True,
            [
                "One afternoon, {p} saw {c2} sitting alone {spot}.",
                "Then one day, {p} met {c2} {spot}.",
            ],
        ),
        (
            False,
            [
                '"Hello," said {r}. "Do you want to play with me?"',
                "{r2} looked {sad}, too, so {r} said hello.",
            ],
        ),
        (
            True,
            [
                "Together, they {act} all day long.",
                "They {act} and laughed until the sun went down.",
            ],
        ),
    ],
    [  # trouble comes and a friend gives shelter
        (False, ["Every day, {p} {act}.", "In the summer, {p} {act} and {act2}."]),
        (True, ["{trouble}"]),
        (False, ["{p} was cold, hungry and {sad}.", "{r} did not know what to do."]),
        (
            True,
            [
                'Then {c2} said, "Come and stay with me."',
                "Then {c2} shared {s2} food and gave {o} a warm place to sleep.",
            ],
        ),
        (True, ["{rescue}"]),
    ],
    [  # the hero helps someone in need
        (False, ["Every day, {p} {act}.", "{r} was known for {s} big, kind heart."]),
        (True, ["{need}"]),
        (False, ["{r} did not walk away.", "{r} wanted to help at once."]),
        (True, ["{help}"]),
        (
            False,
            [
                '{r2} was very {happy} and said, "Thank you!"',
                '"Thank you," said {r2}. "You are a true friend."',
            ],
        ),
    ],
]


def a(phrase: str) -> str:
    """Put the right indefinite article in front of a noun phrase."""
    return ("an " if phrase[0].lower() in "aeiou" else "a ") + phrase


def name(intro: str) -> str:
    """How a character is called later: "shy boy named Leo" -> "Leo", "little fox" -> "the fox"."""
    return intro.split(" named ")[1] if " named " in intro else "the " + intro.split()[-1]


def cast(rng: random.Random) -> dict[str, str]:
    """Choose the characters, place, things and feelings of one story."""
    (hero, pron), (helper, pron2) = rng.sample(CHARACTERS, 2)
    p, o, s = PRONOUNS[pron]
    p2, o2, s2 = PRONOUNS[pron2]
    obj = rng.choice(OBJECTS)
    trouble, rescue = rng.choice(TROUBLES)
    need, help_ = rng.choice(NEEDS)
    return {
        "c": a(hero),
        "r": name(hero),
        "p": p,
        "o": o,
        "s": s,
        "c2": a(helper),
        "r2": name(helper),
        "p2": p2,
        "o2": o2,
        "s2": s2,
        "obj": obj,
        "obj_a": a(obj),
        "place": rng.choice(PLACES),
        "spot": rng.choice(SPOTS),
        "spot2": rng.choice(SPOTS),
        "wish": rng.choice(WISHES),
        "act": rng.choice(ACTIVITIES),
        "act2": rng.choice(ACTIVITIES),
        "search": rng.choice(SEARCHES),
        "sad": rng.choice(SAD),
        "happy": rng.choice(HAPPY),
        "quote": rng.choice(QUOTES),
        "lesson": rng.choice(LESSONS),
        "trouble": trouble,
        "rescue": rescue,
        "need": need,
        "help": help_,
    }


def fill(template: str, words: dict[str, str]) -> str:
    """Fill in a template (twice, for the paired sentences) and capitalise it."""
    text = template.format(**words).format(**words)
    return text[0].upper() + text[1:]


def make_story(rng: random.Random) -> str:
    words = cast(rng)
    opening = rng.choice(OPENINGS_ONCE if rng.random() < 0.5 else OPENINGS_OTHER)
    if rng.random() < 0.1:
        return " ".join(fill(t, words) for t in [opening, rng.choice(SHORT)])
    slots = rng.choice(PLOTS) + [(False, ENDINGS)]
    # Keep every required slot and about a third of the optional ones,
    # then drop optional slots until the story has at most five sentences.
    kept = [slot for slot in slots if slot[0] or rng.random() < 0.35]
    while len(kept) > 4:
        kept.remove(rng.choice([slot for slot in kept if not slot[0]]))
    sentences = [opening] + [rng.choice(choices) for _, choices in kept]
    return " ".join(fill(t, words) for t in sentences)


def make_stories(count: int, seed: int = 0) -> list[str]:
    """Make `count` different stories of 25-70 words and 2-5 sentences."""
    rng = random.Random(seed)
    stories: dict[str, None] = {}  # a dict keeps the order and drops duplicates
    while len(stories) < count:
        story = make_story(rng)
        n_words = len(story.split())
        n_sentences = len(re.findall(r"[.!?]\"?(?= |$)", story))  # ends of sentences
        if 25 <= n_words <= 70 and 2 <= n_sentences <= 5:
            stories[story] = None
    return list(stories)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("stories.txt"))
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()
    stories = make_stories(args.count)
    args.out.write_text("\n".join(stories) + "\n", encoding="utf-8")
    print(f"wrote {len(stories)} stories to {args.out}")


if __name__ == "__main__":
    main()
