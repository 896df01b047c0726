"""Generate a small extractive question-answering data set in the SQuAD style.

The course serves an offline stand-in for ``distilbert/distilbert-base-cased-distilled-squad``,
a model that answers a question by pointing at a span of a given context. SQuAD cannot be
shipped with the course, so this script writes a replacement: short encyclopaedia-like
paragraphs about fictional people, companies and towns, built from hand-written templates, and
questions whose answers are exact spans of the paragraph (with their character offsets, as in
SQuAD).

What makes it more than a lookup exercise:

* a context describes one to three subjects, so the model must match the question to the
  right one ("Where was Mei Lund born?" when two people are described);
* each subject mentions a random subset of its facts, and some questions ask for a fact the
  context does not give, or about a subject it does not describe: these have no answer
  (``"answer": null``), in the style of SQuAD 2.0, so a reader learns to abstain;
* the held-out split uses names, companies, towns, cities and jobs that never occur in
  training, and some question phrasings that never occur in training.

Output: ``train.jsonl`` and ``test.jsonl``, one context a line, with its questions:
``{"context": ..., "questions": [{"id", "question", "answer", "answer_start"}, ...]}``
(answer and answer_start are null when the context does not answer the question). Standard library only; the fixed seed makes
the output byte-identical on every run.

Usage:  python make_qa.py [--train-contexts 450] [--test-contexts 80]
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

SEED = 0
NO_ANSWER_RATE = 0.25
# Questions about a subject the context does not describe: what a reader meets in every window
# of a long text but one, so it must learn to abstain there.
STRANGER_QUESTIONS = (0, 1, 1, 2)

# Pools: (train values, held-out values). Held-out values never occur in training.
FIRST = (
    "Amara Liam Sofia Kenji Fatima Lucas Ingrid Mateo Priya Oliver Chloe Tomasz Aisha Daniel "
    "Yuki Elena Kwame Hannah Rafael Mei Samuel Zara Nikolai Leila Jonas Camila",
    "Arjun Freya Diego Noor Henrik Ana Malik Clara Hiroshi Beatriz",
)
LAST = (
    "Okafor Jensen Rossi Tanaka Haddad Moreau Lindqvist Fernandez Sharma Brennan Dubois "
    "Kowalski Rahman Weber Sato Petrova Mensah Fischer Costa Wang Adeyemi Novak Volkov",
    "Nasser Berg Ortiz Iyer Larsen Alvarez Qureshi Hansen Silva",
)
CITIES = (
    "Lisbon|Nairobi|Osaka|Montreal|Krakow|Valparaiso|Bergen|Accra|Brisbane|Seville|Hamburg|"
    "Lyon|Chennai|Istanbul|Lima|Auckland|Marseille|Winnipeg|Porto|Tallinn|Dakar|Hanoi|"
    "Rotterdam|Glasgow",
    "Cusco|Cape Town|Buenos Aires|San Diego|Gdansk|Leeds|Mombasa|Kyoto|Adelaide|Bilbao",
)
JOBS = (
    "marine biologist|primary school teacher|bridge engineer|pastry chef|airline pilot|"
    "veterinarian|software developer|journalist|architect|nurse|data analyst|carpenter|"
    "geologist|pharmacist|translator|firefighter|photographer|dentist",
    "museum curator|wind turbine technician|speech therapist|park ranger|flight dispatcher|tailor",
)
INSTRUMENTS = (
    "cello|violin|piano|trumpet|accordion|drums|flute|harp|saxophone|ukulele",
    "bassoon|banjo|oboe|trombone",
)
COMPANY_WORDS = (
    "Northwind|Bluestone|Helix|Orion|Silverline|Redwood|Maple|Crescent|Ironbridge|Polaris|"
    "Evergreen|Nova|Falcon|Quantum|Sterling|Apex|Brightwater|Cobalt|Granite|Starlight",
    "Kestrel|Juniper|Sunrise|Tidewater|Beacon|Lighthouse|Meridian|Copperleaf",
)
COMPANY_KINDS = "Logistics|Foods|Robotics|Textiles|Software|Instruments|Bicycles|Ceramics|Toys"
PRODUCTS = (
    "electric bicycles|frozen pizzas|hearing aids|garden furniture|solar panels|running shoes|"
    "board games|kitchen knives|sailing boats|office chairs|wool blankets|coffee machines|"
    "children's books|glass bottles",
    "snowboards|violin strings|paper lanterns|fishing nets|wooden toys",
)
TOWN_PARTS = (
    "Elder|Bracken|Ash|Willow|Stone|Thorn|Raven|Oak|Fern|Marsh|Heather|Bright",
    "Copper|Frost|Hollow|Amber",
)
TOWN_ENDS = "ford|moor|wick|dale|bury|field|mouth|ton"
RIVERS = (
    "Avel|Corran|Lusk|Merrow|Tamsin|Ould|Brannock|Senna|Varro|Dunmere",
    "Kelling|Orwin|Sabra",
)
SPECIALTIES = (
    "cheese market|glass museum|spring festival|old stone bridge|botanical garden|"
    "clock tower|jazz festival|sea caves|chocolate factory|lantern parade",
    "puppet theatre|salt mines|kite festival|painted houses",
)


def pool(spec: str) -> list[str]:
    return spec.split("|") if "|" in spec else spec.split()


@dataclass
class Fact:
    """One sentence of a context and the questions it answers."""

    sentence: str  # may contain the answer once, marked as [[answer]]
    questions: tuple[str, ...]  # phrasings seen in training
    held_out_questions: tuple[str, ...]  # phrasings used only in the held-out split


class Vocabulary:
    """The values one split may use."""

    def __init__(self, held_out: bool) -> None:
        side = 1 if held_out else 0
        self.first = pool(FIRST[side])
        self.last = pool(LAST[side])
        self.cities = pool(CITIES[side])
        self.jobs = pool(JOBS[side])
        self.instruments = pool(INSTRUMENTS[side])
        self.company_words = pool(COMPANY_WORDS[side])
        self.products = pool(PRODUCTS[side])
        self.town_parts = pool(TOWN_PARTS[side])
        self.rivers = pool(RIVERS[side])
        self.specialties = pool(SPECIALTIES[side])


def person_facts(name: str, v: Vocabulary, rng: random.Random) -> list[Fact]:
    first = name.split()[0]
    born, lives = rng.sample(v.cities, 2)
    year, since = rng.randint(1950, 2001), rng.randint(2005, 2023)
    job = rng.choice(v.jobs)
    article = "an" if job[0] in "aeiou" else "a"
    employer = f"{rng.choice(v.company_words)} {rng.choice(pool(COMPANY_KINDS))}"
    instrument = rng.choice(v.instruments)
    return [
        Fact(
            rng.choice(
                [
                    f"{name} was born in [[{born}]].",
                    f"{name} grew up in [[{born}]], where {first} was born.",
                ]
            ),
            (f"Where was {name} born?", f"In which city was {name} born?"),
            (f"What is the birthplace of {name}?",),
        ),
        Fact(
            rng.choice(
                [f"{first} was born in [[{year}]].", f"{first}'s birth year is [[{year}]]."]
            ),
            (f"When was {name} born?", f"In what year was {name} born?"),
            (f"What year was {name} born in?",),
        ),
        Fact(
            rng.choice(
                [
                    f"{first} works as {article} [[{job}]].",
                    f"By profession, {first} is {article} [[{job}]].",
                    f"{first} earns a living as {article} [[{job}]].",
                ]
            ),
            (f"What does {name} do for a living?", f"What is {name}'s job?"),
            (f"What is the profession of {name}?",),
        ),
        Fact(
            rng.choice(
                [
                    f"{first} has worked for [[{employer}]] since {since}.",
                    f"Since {since}, {first} has been employed by [[{employer}]].",
                ]
            ),
            (f"Who does {name} work for?", f"Which company employs {name}?"),
            (f"Who is {name}'s employer?",),
        ),
        Fact(
            rng.choice(
                [
                    f"In the evenings, {first} plays the [[{instrument}]].",
                    f"{first} has played the [[{instrument}]] since childhood.",
                ]
            ),
            (f"Which instrument does {name} play?",),
            (f"What instrument does {name} play?",),
        ),
        Fact(
            rng.choice(
                [f"Today {first} lives in [[{lives}]].", f"{first} now lives in [[{lives}]]."]
            ),
            (f"Where does {name} live now?", f"In which city does {name} live today?"),
            (f"Where is {name} living today?",),
        ),
    ]


def company_facts(name: str, v: Vocabulary, rng: random.Random) -> list[Fact]:
    founder = f"{rng.choice(v.first)} {rng.choice(v.last)}"
    city = rng.choice(v.cities)
    year = rng.randint(1890, 2015)
    product = rng.choice(v.products)
    staff = rng.choice(["120", "450", "1,300", "2,800", "6,000", "75", "900", "15,000"])
    return [
        Fact(
            f"{name} was founded in [[{year}]] by {founder}.",
            (f"When was {name} founded?", f"In which year was {name} founded?"),
            (f"What year was {name} established?",),
        ),
        Fact(
            f"The company was started by [[{founder}]], a former engineer.",
            (f"Who founded {name}?", f"Who started {name}?"),
            (f"Who is the founder of {name}?",),
        ),
        Fact(
            rng.choice([f"{name} is based in [[{city}]].", f"Its headquarters are in [[{city}]]."]),
            (f"Where is {name} based?", f"Where are the headquarters of {name}?"),
            (f"In which city is {name} headquartered?",),
        ),
        Fact(
            rng.choice([f"The company makes [[{product}]].", f"{name} produces [[{product}]]."]),
            (f"What does {name} make?", f"What does {name} produce?"),
            (f"What products does {name} sell?",),
        ),
        Fact(
            f"It employs about [[{staff}]] people.",
            (f"How many people does {name} employ?", f"How many employees does {name} have?"),
            (f"How large is the workforce of {name}?",),
        ),
    ]


def town_facts(name: str, v: Vocabulary, rng: random.Random) -> list[Fact]:
    river = rng.choice(v.rivers)
    specialty = rng.choice(v.specialties)
    people = rng.choice(["3,400", "12,000", "800", "27,500", "5,150", "61,000", "1,900"])
    year = rng.randint(900, 1650)
    return [
        Fact(
            f"{name} lies on the banks of the River [[{river}]].",
            (f"Which river flows through {name}?", f"On which river does {name} lie?"),
            (f"What river is {name} on?",),
        ),
        Fact(
            rng.choice(
                [
                    f"The town is famous for its [[{specialty}]].",
                    f"Visitors come to {name} for its [[{specialty}]].",
                ]
            ),
            (f"What is {name} famous for?", f"Why do visitors come to {name}?"),
            (f"What is {name} known for?",),
        ),
        Fact(
            f"About [[{people}]] people live in {name}.",
            (f"How many people live in {name}?", f"What is the population of {name}?"),
            (f"How many inhabitants does {name} have?",),
        ),
        Fact(
            f"{name} was first mentioned in [[{year}]].",
            (f"When was {name} first mentioned?", f"In which year was {name} first mentioned?"),
            (f"What year was {name} first recorded?",),
        ),
    ]


def new_subject(kind: str, v: Vocabulary, rng: random.Random, taken: set[str]) -> str:
    while True:
        if kind == "person":
            name = f"{rng.choice(v.first)} {rng.choice(v.last)}"
        elif kind == "company":
            name = f"{rng.choice(v.company_words)} {rng.choice(pool(COMPANY_KINDS))}"
        else:
            name = rng.choice(v.town_parts) + rng.choice(pool(TOWN_ENDS))
        # distinct subjects, and people in one context have distinct first names
        if name not in taken and name.split()[0] not in {t.split()[0] for t in taken}:
            taken.add(name)
            return name


FACTS = {"person": person_facts, "company": company_facts, "town": town_facts}


def make_context(v: Vocabulary, rng: random.Random, held_out: bool, number: int) -> dict:
    """One context and its questions (some deliberately unanswerable)."""
    kinds = [rng.choice(list(FACTS)) for _ in range(rng.choice([1, 1, 2, 2, 3]))]
    taken: set[str] = set()
    subjects = [(kind, new_subject(kind, v, rng, taken)) for kind in kinds]
    sentences: list[str] = []
    asked: list[tuple[str, int | None]] = []  # (question, index of the answering sentence)
    for kind, name in subjects:
        facts = FACTS[kind](name, v, rng)
        # the first fact names the subject in full, so it always opens the subject's sentences
        keep = {0} | set(rng.sample(range(1, len(facts)), rng.randint(1, len(facts) - 1)))
        for index, fact in enumerate(facts):
            phrasings = fact.held_out_questions + fact.questions if held_out else fact.questions
            question = rng.choice(phrasings)
            if index in keep:
                sentences.append(fact.sentence)
                asked.append((question, len(sentences) - 1))
            elif rng.random() < NO_ANSWER_RATE * 2:
                asked.append((question, None))  # the context leaves this fact out
    for _ in range(rng.choice(STRANGER_QUESTIONS)):
        kind = rng.choice(list(FACTS))
        stranger = new_subject(kind, v, rng, taken)
        fact = rng.choice(FACTS[kind](stranger, v, rng))
        asked.append((rng.choice(fact.questions), None))

    context, spans = "", []
    for sentence in sentences:
        before, _, rest = sentence.partition("[[")
        answer, _, after = rest.partition("]]")
        prefix = (context + " ") if context else ""
        spans.append((answer, len(prefix) + len(before)))
        context = prefix + before + answer + after

    questions = []
    for index, (question, sentence) in enumerate(asked):
        answer, start = spans[sentence] if sentence is not None else (None, None)
        if answer is not None:
            assert context[start : start + len(answer)] == answer
        split = "test" if held_out else "train"
        questions.append(
            {
                "id": f"{split}-{number:04d}-{index}",
                "question": question,
                "answer": answer,
                "answer_start": start,
            }
        )
    return {"context": context, "questions": questions}


def generate(n_contexts: int, held_out: bool, seed: int) -> list[dict]:
    rng = random.Random(seed)
    v = Vocabulary(held_out)
    return [make_context(v, rng, held_out, i) for i in range(n_contexts)]


def write_jsonl(path: Path, contexts: list[dict]) -> None:
    lines = [json.dumps(context, ensure_ascii=False) for context in contexts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-contexts", type=int, default=450)
    parser.add_argument("--test-contexts", type=int, default=80)
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    write_jsonl(here / "train.jsonl", generate(args.train_contexts, False, SEED))
    write_jsonl(here / "test.jsonl", generate(args.test_contexts, True, SEED + 1))


if __name__ == "__main__":
    main()
