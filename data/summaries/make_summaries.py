"""Writes ``summaries.jsonl``: short local-news articles with one-sentence summaries.

Run from the repository root: ``python data/summaries/make_summaries.py``. Standard library
only; ``random.Random(0)`` makes the output byte-identical on every run.

Each article is built from the facts of one event (who, what, where, how many). Its sentences
come in several phrasings and in a shuffled order, with background sentences that carry no
fact of the summary, so a model has to find the facts rather than copy the first sentence.
Three splits: ``train``; ``test``, new combinations with numbers training never contains and,
for about half of the fact sentences, a phrasing training never contains; and ``unseen``, which also uses real-looking names and
towns that no split trains on. Training names are made up from syllables, hundreds of them. A
small model learns to pick the right known name out of an article, but given a name it never
saw it tends to write a known one instead: ``unseen`` measures that (hallucination).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parent / "summaries.jsonl"
N_TRAIN, N_TEST, N_UNSEEN = 2000, 120, 40

TOWNS = [
    "Millbrook",
    "Ashford",
    "Riverton",
    "Oakdale",
    "Fairview",
    "Kingsbury",
    "Westfield",
    "Brightwater",
    "Elmstead",
    "Stonebridge",
    "Harborview",
    "Greenhill",
    "Lakeside",
    "Northwick",
    "Redcliff",
    "Silverton",
    "Thornbury",
    "Woodhaven",
    "Clearwater",
    "Maplewood",
    "Eastbourne",
]
COMPANIES = [
    "Norden Motors",
    "Blue Peak Foods",
    "Solaris Energy",
    "Vantage Tools",
    "Orion Textiles",
    "Helix Pharma",
    "Crestline Paper",
    "Atlas Robotics",
    "Pinecone Games",
    "Meridian Glass",
    "Beacon Bikes",
    "Granite Steel",
]
FIRST = [
    "Anna",
    "Peter",
    "Laura",
    "David",
    "Sofia",
    "Martin",
    "Elena",
    "Thomas",
    "Clara",
    "Jonas",
    "Maria",
    "Lukas",
    "Nina",
    "Samuel",
    "Julia",
    "Oscar",
    "Hannah",
    "Felix",
]
LAST = [
    "Becker",
    "Moreau",
    "Kowalski",
    "Lindqvist",
    "Rossi",
    "Novak",
    "Fischer",
    "Dubois",
    "Jensen",
    "Santos",
    "Weber",
    "Kaplan",
    "Horvat",
    "Brandt",
    "Silva",
]
TEAMS = [
    "the Millers",
    "the Harriers",
    "the Foxes",
    "the Mariners",
    "the Rovers",
    "the Falcons",
    "the Badgers",
    "the Pilots",
    "the Wolves",
]
PRODUCTS = [
    "electric bikes",
    "solar panels",
    "kitchen robots",
    "wooden toys",
    "glass bottles",
    "school bags",
    "garden tools",
    "running shoes",
    "coffee machines",
]
ANIMALS = ["frog", "beetle", "snail", "lizard", "spider", "butterfly", "moth", "fish"]
HABITATS = [
    "mountain forest",
    "river delta",
    "old quarry",
    "coastal marsh",
    "cloud forest",
    "limestone caves",
]
PLACES = [
    "old railway station",
    "river",
    "central market",
    "north harbour",
    "city hospital",
    "main square",
]
FESTIVALS = ["music", "food", "film", "book", "jazz", "flower"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "April", "June", "September", "October", "November"]


def upper_first(text: str) -> str:
    """'the Foxes' → 'The Foxes' (``str.capitalize`` would lower the rest: 'The foxes')."""
    return text[:1].upper() + text[1:]


def held_out(items: list, split: str) -> list:
    """Two thirds of a list for training, the last third for testing."""
    cut = len(items) * 2 // 3
    return items[:cut] if split == "train" else items[cut:]


def made_up(starts: list[str], ends: list[str], avoid: list[str]) -> list[str]:
    """Every start + end combination ('Brom' + 'wick'), minus real names kept for testing."""
    return sorted({start + end for start in starts for end in ends} - set(avoid))


TRAIN_TOWNS = made_up(
    [
        "Ash",
        "Brom",
        "Cal",
        "Dun",
        "El",
        "Fen",
        "Gal",
        "Har",
        "Kel",
        "Lin",
        "Mor",
        "Nor",
        "Pen",
        "Ros",
        "Sel",
        "Tal",
        "Wen",
        "Yar",
        "Bel",
        "Cor",
    ],
    [
        "ford",
        "ton",
        "wick",
        "field",
        "bury",
        "dale",
        "mouth",
        "stead",
        "more",
        "ley",
        "haven",
        "bridge",
        "by",
        "port",
    ],
    TOWNS,
)
TRAIN_FIRST = made_up(
    ["Ma", "Li", "Jo", "Ka", "Ro", "Te", "Sa", "Ni", "Da", "El", "Mi", "To", "Ve", "Ar"],
    ["ra", "na", "lo", "ren", "vin", "ssa", "ko", "rik", "mo", "lia", "nus", "dan"],
    FIRST,
)
TRAIN_LAST = made_up(
    ["Berg", "Holm", "Kra", "Lund", "Mar", "Ost", "Pol", "Ried", "Stein", "Vor", "Wal", "Zim"],
    ["er", "mann", "ski", "sen", "ini", "ova", "berg", "ley", "ton", "eau"],
    LAST,
)
TRAIN_COMPANIES = [
    f"{name} {kind}"
    for name in made_up(
        ["Al", "Bri", "Cen", "Dex", "Ev", "Fal", "Ky", "Lum", "Ny", "Quin"],
        ["tra", "ora", "ex", "ium", "ova", "ix"],
        [],
    )
    for kind in ("Foods", "Motors", "Energy", "Tools", "Systems", "Labs")
]


class Facts:
    """Random draws from the pools of one split."""

    def __init__(self, rng: random.Random, split: str) -> None:
        self.rng, self.split = rng, split

    def pick(self, pool: list) -> str:
        return self.rng.choice(held_out(pool, self.split))

    def name(self, real: list[str], made_up: list[str]) -> str:
        """A made-up name (train, test), or a real-looking one no split trains on (unseen)."""
        return self.rng.choice(held_out(real, "test") if self.split == "unseen" else made_up)

    def town(self) -> str:
        return self.name(TOWNS, TRAIN_TOWNS)

    def company(self) -> str:
        return self.name(COMPANIES, TRAIN_COMPANIES)

    def person(self) -> str:
        return f"{self.name(FIRST, TRAIN_FIRST)} {self.name(LAST, TRAIN_LAST)}"

    def number(self, low: int, high: int, step: int = 1) -> int:
        # Training numbers are even multiples of the step, held-out numbers odd ones.
        values = [
            v for v in range(low, high + 1, step) if (v // step) % 2 == (self.split != "train")
        ]
        return self.rng.choice(values)


def phrase(rng: random.Random, split: str, options: list[str]) -> str:
    """One phrasing of a fact sentence. Training never uses the last one; the held-out splits
    use it for about half of their fact sentences, and a training phrasing for the rest."""
    if split == "train" or rng.random() < 0.5:
        return rng.choice(options[:-1])
    return options[-1]


Article = tuple[list[str], list[str], str]  # fact sentences, background sentences, summary


def factory(f: Facts) -> Article:
    company, town, n, product = (
        f.company(),
        f.town(),
        f.number(50, 900, 10),
        f.pick(PRODUCTS),
    )
    boss, month = f.person(), f.pick(MONTHS)
    facts = [
        phrase(
            f.rng,
            f.split,
            [
                f"{company} will open a new factory in {town} in {month}.",
                f"In {month}, {company} will open a factory in {town}.",
                f"{company} has announced a new factory in {town}, to open in {month}.",
            ],
        ),
        phrase(
            f.rng,
            f.split,
            [
                f"The plant will employ {n} people and make {product}.",
                f"About {n} people will work there, making {product}.",
                f"It is expected to create {n} jobs building {product}.",
            ],
        ),
    ]
    background = [
        f"{boss}, the chief executive, said the town was chosen for its good roads.",
        "Local leaders welcomed the news.",
        "Some neighbours worry about more traffic.",
    ]
    return (
        facts,
        background,
        f"{company} will open a factory in {town} that will employ {n} people.",
    )


def park(f: Facts) -> Article:
    town, place, cost, year = f.town(), f.pick(PLACES), f.number(2, 30), f.number(2026, 2031)
    councillor, day = f.person(), f.pick(DAYS)
    facts = [
        phrase(
            f.rng,
            f.split,
            [
                f"The council of {town} voted on {day} to build a new park near the {place}.",
                f"On {day}, {town} council approved a new park near the {place}.",
                f"A new park will be built near the {place}, {town} council decided on {day}.",
            ],
        ),
        phrase(
            f.rng,
            f.split,
            [
                f"The park will cost {cost} million euros and should open in {year}.",
                f"It will cost {cost} million euros, and it should open in {year}.",
                f"The plan costs {cost} million euros; the park is due to open in {year}.",
            ],
        ),
    ]
    background = [
        f"Councillor {councillor} said families had asked for more green space for years.",
        "Work will begin in the spring.",
        "The land is owned by the city.",
    ]
    return (
        facts,
        background,
        f"{town} will build a new park near the {place} for {cost} million euros.",
    )


def match(f: Facts) -> Article:
    home, away = f.rng.sample(held_out(TEAMS, f.split) or TEAMS, 2)
    won, lost = f.rng.randint(2, 5), f.rng.randint(0, 1)
    scorer, day = f.person(), f.pick(DAYS)
    facts = [
        phrase(
            f.rng,
            f.split,
            [
                f"{upper_first(home)} beat {away} {won}-{lost} on {day} evening.",
                f"On {day} evening {home} won {won}-{lost} against {away}.",
                f"{upper_first(home)} defeated {away} {won}-{lost} on {day}.",
            ],
        ),
        phrase(
            f.rng,
            f.split,
            [
                f"{scorer} scored twice in the second half.",
                f"Two of the goals came from {scorer}.",
                f"{scorer} scored two goals after the break.",
            ],
        ),
    ]
    background = [
        "The coach praised the young players.",
        "The stadium was almost full.",
        "The next match is in two weeks.",
    ]
    summary = f"{upper_first(home)} beat {away} {won}-{lost}, with two goals from {scorer}."
    return facts, background, summary


def storm(f: Facts) -> Article:
    town, homes, day = f.town(), f.number(100, 3000, 50), f.pick(DAYS)
    facts = [
        phrase(
            f.rng,
            f.split,
            [
                f"A strong storm hit {town} on {day} night and flooded several streets.",
                f"Heavy rain flooded streets in {town} when a storm passed on {day} night.",
                f"On {day} night a storm brought floods to the streets of {town}.",
            ],
        ),
        phrase(
            f.rng,
            f.split,
            [
                f"About {homes} homes lost power.",
                f"Power was cut to {homes} homes.",
                f"{homes} homes were left without electricity.",
            ],
        ),
        phrase(
            f.rng,
            f.split,
            [
                "No one was hurt, police said.",
                "Police said nobody was injured.",
                "There were no injuries, according to the police.",
            ],
        ),
    ]
    background = [
        "Firefighters worked through the night.",
        "Schools will open as usual.",
        "More rain is expected later in the week.",
    ]
    summary = f"A storm flooded streets in {town} and cut power to {homes} homes; no one was hurt."
    return facts, background, summary


def species(f: Facts) -> Article:
    town, animal, habitat, size = f.town(), f.pick(ANIMALS), f.pick(HABITATS), f.number(1, 40)
    leader = f.person()
    facts = [
        phrase(
            f.rng,
            f.split,
            [
                f"Researchers at the University of {town} have found a new species of {animal} "
                f"in a {habitat}.",
                f"A team from the University of {town} discovered a new {animal} species in a {habitat}.",
                f"A new kind of {animal} has been found in a {habitat} by scientists from {town}.",
            ],
        ),
        phrase(
            f.rng,
            f.split,
            [
                f"The animal is about {size} centimetres long.",
                f"It measures about {size} centimetres.",
                f"Adults grow to about {size} centimetres.",
            ],
        ),
    ]
    background = [
        f"{leader}, who led the team, said the search took three years.",
        "The findings were published this week.",
        "The area is hard to reach.",
    ]
    return (
        facts,
        background,
        f"Researchers from {town} found a new species of {animal} in a {habitat}.",
    )


def library(f: Facts) -> Article:
    town, books, mayor, day = f.town(), f.number(5000, 90000, 1000), f.person(), f.pick(DAYS)
    facts = [
        phrase(
            f.rng,
            f.split,
            [
                f"A new library opened in {town} on {day}.",
                f"{town} opened its new library on {day}.",
                f"The doors of the new {town} library opened on {day}.",
            ],
        ),
        phrase(
            f.rng,
            f.split,
            [
                f"It holds {books} books.",
                f"Its shelves carry {books} books.",
                f"The collection has {books} books.",
            ],
        ),
    ]
    background = [
        f"Mayor {mayor} cut the ribbon.",
        "Children can borrow books for free.",
        "The building also has a small cafe.",
    ]
    return facts, background, f"{town} opened a new library with {books} books."


def festival(f: Facts) -> Article:
    town, kind, visitors = f.town(), f.pick(FESTIVALS), f.number(1000, 60000, 500)
    organiser = f.person()
    facts = [
        phrase(
            f.rng,
            f.split,
            [
                f"More than {visitors} people came to the {town} {kind} festival this weekend.",
                f"The {kind} festival in {town} drew more than {visitors} visitors this weekend.",
                f"This weekend the {town} {kind} festival welcomed over {visitors} guests.",
            ],
        ),
    ]
    background = [
        f"{organiser}, one of the organisers, said it was the best year so far.",
        "Tickets sold out early.",
        "The weather stayed dry.",
    ]
    return facts, background, f"The {town} {kind} festival drew more than {visitors} visitors."


def launch(f: Facts) -> Article:
    company, product, price = f.company(), f.pick(PRODUCTS), f.number(20, 2000, 10)
    name = f.rng.choice(held_out(["Nova", "Sprint", "Echo", "Zephyr", "Pulse", "Orbit"], f.split))
    facts = [
        phrase(
            f.rng,
            f.split,
            [
                f"{company} has released new {product} called the {name}.",
                f"The {name} is the new line of {product} from {company}.",
                f"{company} launched the {name}, its latest {product}.",
            ],
        ),
        phrase(
            f.rng,
            f.split,
            [
                f"They cost {price} euros.",
                f"The price is {price} euros.",
                f"Each one sells for {price} euros.",
            ],
        ),
    ]
    background = [
        "Reviewers liked the design.",
        "Shops will have them from next month.",
        "The company sold fewer products last year.",
    ]
    return facts, background, f"{company} released the {name} {product}, which cost {price} euros."


TOPICS: list[Callable[[Facts], Article]] = [
    factory,
    park,
    match,
    storm,
    species,
    library,
    festival,
    launch,
]


def article(rng: random.Random, split: str) -> dict[str, str]:
    topic = TOPICS[rng.randrange(len(TOPICS))]
    facts, background, summary = topic(Facts(rng, split))
    sentences = facts + rng.sample(background, rng.randint(1, len(background)))
    rng.shuffle(sentences)
    return {
        "split": split,
        "topic": topic.__name__,
        "article": " ".join(sentences),
        "summary": summary,
    }


def main() -> None:
    rng = random.Random(0)
    counts = {"train": N_TRAIN, "test": N_TEST, "unseen": N_UNSEEN}
    rows = [article(rng, split) for split, count in counts.items() for _ in range(count)]
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    print(f"wrote {len(rows)} articles to {OUT.name}")


if __name__ == "__main__":
    main()
