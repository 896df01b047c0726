"""Generate a small named-entity data set in the CoNLL-2003 style (PER, ORG, LOC, MISC).

The course serves an offline stand-in for ``dslim/bert-base-NER``, a BERT fine-tuned on
CoNLL-2003 (Reuters news, 1996). CoNLL-2003 cannot be redistributed, so this script writes a
news-like replacement: sentences built from hand-written templates and hand-written lists of
names, with the four CoNLL entity types and their IOB2 tags:

* PER  people ("Amara Okafor"),
* ORG  companies, universities, clubs, agencies, newspapers ("Northwind Logistics"),
* LOC  cities, countries, regions, rivers, mountains ("Lisbon", "the Danube" -> "Danube"),
* MISC nationalities, languages, events, awards and other names ("Brazilian", "World Cup").

The held-out split is a real test of generalisation, not of memory:

* its sentences use 15 templates that never occur in training, and
* about a third of every entity list is reserved for it: those names never occur in training.

Every sentence is tokenised into words (punctuation separate) and written one word per line as
``word<TAB>tag`` with a blank line between sentences, the usual CoNLL layout. Standard library
only; the fixed seed makes the output byte-identical on every run.

Usage:  python make_ner.py [--train 1500] [--test 300]
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

SEED = 0
HELD_OUT_FRACTION = 0.34

FIRST_NAMES = [
    "Amara",
    "Liam",
    "Sofia",
    "Kenji",
    "Fatima",
    "Lucas",
    "Ingrid",
    "Mateo",
    "Priya",
    "Oliver",
    "Chloe",
    "Tomasz",
    "Aisha",
    "Daniel",
    "Yuki",
    "Elena",
    "Kwame",
    "Hannah",
    "Rafael",
    "Mei",
    "Samuel",
    "Zara",
    "Nikolai",
    "Leila",
    "Jonas",
    "Camila",
    "Arjun",
    "Freya",
    "Diego",
    "Noor",
    "Henrik",
    "Ana",
    "Malik",
    "Clara",
    "Hiroshi",
    "Beatriz",
    "Omar",
    "Greta",
    "Ravi",
    "Isabel",
    "Felix",
    "Nadia",
    "Pablo",
    "Astrid",
    "Chen",
    "Marta",
    "Tariq",
    "Julia",
    "Emeka",
    "Laura",
]
LAST_NAMES = [
    "Okafor",
    "Jensen",
    "Rossi",
    "Tanaka",
    "Haddad",
    "Moreau",
    "Lindqvist",
    "Fernandez",
    "Sharma",
    "Brennan",
    "Dubois",
    "Kowalski",
    "Rahman",
    "Weber",
    "Sato",
    "Petrova",
    "Mensah",
    "Fischer",
    "Costa",
    "Wang",
    "Adeyemi",
    "Novak",
    "Volkov",
    "Nasser",
    "Berg",
    "Ortiz",
    "Iyer",
    "Larsen",
    "Alvarez",
    "Qureshi",
    "Hansen",
    "Silva",
    "Karimi",
    "Schmidt",
    "Nakamura",
    "Almeida",
    "Farouk",
    "Lund",
    "Mehta",
    "Herrera",
    "Bauer",
    "Kovacs",
    "Ruiz",
    "Nilsson",
    "Zhou",
    "Garcia",
    "Khan",
    "Romano",
    "Eze",
    "Meyer",
]
# Each slot kind is one list of names and one CoNLL entity type; the kinds keep sentences
# sensible ("the bridge over the Danube", never "the bridge over Japan").
NAMES = {
    "COMPANY": [
        "Northwind Logistics",
        "Bluestone Bank",
        "Helix Pharmaceuticals",
        "Orion Motors",
        "Atlas Airways",
        "Silverline Telecom",
        "Redwood Analytics",
        "Maple Leaf Energy",
        "Crescent Media",
        "Ironbridge Steel",
        "Polaris Software",
        "Evergreen Foods",
        "Nova Robotics",
        "Falcon Shipping",
        "Quantum Labs",
        "Sterling Insurance",
        "Apex Chemicals",
        "Brightwater Utilities",
        "Cobalt Mining",
        "Horizon Broadcasting",
        "Granite Construction",
        "Starlight Studios",
        "Vertex Capital",
        "Tidewater Fisheries",
        "Beacon Press",
        "Kestrel Aerospace",
        "Juniper Textiles",
        "Sunrise Bakeries",
    ],
    "CLUB": [
        "Harbor City FC",
        "Lakeside Rovers",
        "Westbrook United",
        "Northgate Athletic",
        "Eastport Wanderers",
        "Hillcrest Rangers",
        "Bayside Albion",
        "Riverton Town",
        "Oakfield City",
        "Stonebridge Celtic",
        "Kingsford Hotspur",
        "Millbrook Rovers",
    ],
    "INSTITUTION": [
        "Greenfield University",
        "the Royal Institute of Science",
        "the National Weather Service",
        "the Daily Courier",
        "Summit Health",
        "the World Food Programme",
        "the Central Statistics Office",
        "the Morning Herald",
        "Riverside College",
        "the European Space Agency",
        "the Red Cross",
        "the City Orchestra",
        "the Harbour Authority",
        "Pinewood Hospital",
        "the Evening Standard Post",
        "Westfield Academy",
        "the Ocean Research Council",
        "the Coastal Museum Trust",
    ],
    "PLACE": [
        "Lisbon",
        "Nairobi",
        "Osaka",
        "Montreal",
        "Krakow",
        "Valparaiso",
        "Bergen",
        "Accra",
        "Brisbane",
        "Seville",
        "Hamburg",
        "Lyon",
        "Chennai",
        "Istanbul",
        "Lima",
        "Auckland",
        "Canada",
        "Kenya",
        "Portugal",
        "Norway",
        "Brazil",
        "Japan",
        "Egypt",
        "Poland",
        "Chile",
        "Vietnam",
        "Ghana",
        "Scotland",
        "Bavaria",
        "Patagonia",
        "Tasmania",
        "Marseille",
        "Winnipeg",
        "Porto",
        "Tallinn",
        "Dakar",
        "Hanoi",
        "Rotterdam",
        "Glasgow",
        "Cusco",
        "Zanzibar",
        "Iceland",
        "Morocco",
        "Peru",
        "Finland",
        "New Zealand",
        "South Korea",
        "Buenos Aires",
        "Cape Town",
        "San Diego",
    ],
    "WATER": [
        "the Danube",
        "the Rhine",
        "the Thames",
        "the Mekong",
        "the Nile",
        "the Amazon",
        "the Seine",
        "the Volga",
        "the Zambezi",
        "the Douro",
        "the Elbe",
        "the Tagus",
    ],
    "NAT": [
        "Brazilian",
        "Japanese",
        "German",
        "Kenyan",
        "Canadian",
        "Norwegian",
        "Portuguese",
        "Polish",
        "Chilean",
        "Egyptian",
        "Scottish",
        "Vietnamese",
        "Ghanaian",
        "Italian",
        "Spanish",
        "Finnish",
        "Moroccan",
        "Peruvian",
        "Icelandic",
        "Korean",
        "Mexican",
        "Irish",
    ],
    "EVENT": [
        "World Cup",
        "Olympic Games",
        "Tour de France",
        "Champions League",
        "Euro 2024",
        "Paralympics",
        "Commonwealth Games",
        "Venice Biennale",
        "Rugby World Cup",
        "Berlin Marathon",
        "Africa Cup of Nations",
        "Winter Olympics",
    ],
    "AWARD": [
        "Nobel Prize",
        "Booker Prize",
        "Pulitzer Prize",
        "Golden Globe",
        "Grammy",
        "Oscar",
        "Turing Award",
        "Ballon d'Or",
        "Palme d'Or",
        "Fields Medal",
    ],
    "LANG": [
        "Mandarin",
        "Swahili",
        "Arabic",
        "English",
        "Dutch",
        "Bengali",
        "Hindi",
        "French",
        "Tagalog",
        "Turkish",
        "Greek",
        "Welsh",
    ],
}
CONLL_TYPE = {
    "PER": "PER",
    "COMPANY": "ORG",
    "CLUB": "ORG",
    "INSTITUTION": "ORG",
    "PLACE": "LOC",
    "WATER": "LOC",
    "NAT": "MISC",
    "EVENT": "MISC",
    "AWARD": "MISC",
    "LANG": "MISC",
}

# A slot may repeat with a number, e.g. {PLACE2}; repeated slots get different names.
TRAIN_TEMPLATES = [
    "{PER} joined {COMPANY} as chief engineer in 2019 .",
    "{COMPANY} said on Monday it would open a new office in {PLACE} .",
    "{PER} , a spokeswoman for {INSTITUTION} , declined to comment .",
    "The {NAT} team arrived in {PLACE} late on Sunday .",
    "{PER} scored twice as {CLUB} beat {CLUB2} 3-1 .",
    "Shares in {COMPANY} rose 4 percent after the results .",
    "{PER} was born in {PLACE} and studied at {INSTITUTION} .",
    "Heavy rain caused flooding along {WATER} on Tuesday .",
    "{PER} won the {AWARD} for her first novel .",
    "The {NAT} minister met {PER} in {PLACE} .",
    "{COMPANY} hired {PER} to lead its research unit .",
    "Talks between {COMPANY} and {COMPANY2} ended without agreement .",
    "{PER} told reporters in {PLACE} that the plan was ready .",
    "Flights from {PLACE} to {PLACE2} were cancelled because of fog .",
    "{PER} speaks {LANG} and {LANG2} fluently .",
    "The {EVENT} will be held in {PLACE} next year .",
    "According to {INSTITUTION} , prices in {PLACE} fell last month .",
    "{PER} and {PER2} founded {COMPANY} in a small garage .",
    "{PER} , 34 , is the youngest director in the history of {COMPANY} .",
    "A {NAT} court fined {COMPANY} for breaking safety rules .",
    "Tourists flock to {PLACE} every summer .",
    "{COMPANY} moved its headquarters from {PLACE} to {PLACE2} .",
    "{PER} finished second at the {EVENT} .",
    "The report by {INSTITUTION} was written by {PER} .",
    "Police in {PLACE} arrested two men on Friday , {INSTITUTION} reported .",
    "{PER} thanked fans after returning to {PLACE} .",
    "The new bridge over {WATER} was opened by {PER} .",
    "{PER} , who coaches {CLUB} , praised the young players .",
    "Exports from {PLACE} to {PLACE2} doubled in ten years .",
    "{PER} has lived in {PLACE} since 2010 .",
    "The {NAT} film festival opened with a comedy by {PER} .",
    "{COMPANY} bought a stake in {COMPANY2} for 40 million euros .",
    "Workers at {COMPANY} in {PLACE} went on strike .",
    "Yesterday {PER} visited the museum with {PER2} .",
    "{PER} signed a two-year contract with {CLUB} .",
    "The weather in {PLACE} will stay dry this week .",
    "{PER} is a {NAT} chef who runs a restaurant in {PLACE} .",
    "Scientists at {INSTITUTION} discovered a new species in {PLACE} .",
    "Voters in {PLACE} elected {PER} as mayor .",
    "{COMPANY} will sponsor the {EVENT} for three more years .",
    "{PER} translated the book from {LANG} into {LANG2} .",
    "A {NAT} crew sailed down {WATER} in a wooden boat .",
    "{PER} was nominated for the {AWARD} last year .",
    "We met {PER} at the station .",
    "The price of coffee went up again .",
    "Nobody expected the match to end so early .",
]
TEST_TEMPLATES = [
    "{PER} left {COMPANY} after twelve years to start a business in {PLACE} .",
    "Officials in {PLACE} confirmed that {COMPANY} had paid the fine .",
    "The {NAT} cyclist {PER} crashed in the final kilometre of the {EVENT} .",
    "{COMPANY} opened a factory near {PLACE} , creating 500 jobs .",
    "{PER} interviewed {PER2} for {INSTITUTION} .",
    "Snow closed several roads in {PLACE} and {PLACE2} .",
    "{PER} became the first {NAT} woman to climb the peak .",
    "Investors expect {COMPANY} to report higher profits .",
    "{PER} , the new head of {INSTITUTION} , grew up in {PLACE} .",
    "A documentary about {WATER} won the {AWARD} .",
    "{CLUB} and {CLUB2} drew 0-0 in front of 40,000 fans .",
    "Fans of {CLUB} waited for hours to see {PER} .",
    "The museum in {PLACE} shows paintings by {PER} .",
    "Her children grew up speaking {LANG} at home .",
    "Everyone agreed that the meeting went well .",
]

SLOT = re.compile(r"\{(PER|COMPANY|CLUB|INSTITUTION|PLACE|WATER|NAT|EVENT|AWARD|LANG)\d?\}")


def split_names(names: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """Reserve a fixed share of a name list for the held-out split."""
    shuffled = names[:]
    rng.shuffle(shuffled)
    cut = round(len(shuffled) * HELD_OUT_FRACTION)
    return shuffled[cut:], shuffled[:cut]


def person_pools(rng: random.Random) -> tuple[list[str], list[str]]:
    """Train and test full names; test names use first and last names never seen in training."""
    train_first, test_first = split_names(FIRST_NAMES, rng)
    train_last, test_last = split_names(LAST_NAMES, rng)
    train = [f"{first} {last}" for first in train_first for last in train_last]
    test = [f"{first} {last}" for first in test_first for last in test_last]
    return train, test


def entity_words(kind: str, value: str) -> list[tuple[str, str]]:
    """IOB2-tag an entity; a leading "the" stays outside it, as in CoNLL ("the Danube")."""
    words = value.split()
    prefix = []
    if words[0] == "the":
        prefix, words = [("the", "O")], words[1:]
    tagged = [(word, ("B-" if i == 0 else "I-") + kind) for i, word in enumerate(words)]
    return prefix + tagged


def fill(template: str, pools: dict[str, list[str]], rng: random.Random) -> list[tuple[str, str]]:
    """Tagged words for one template, with distinct entities in repeated slots."""
    used: set[str] = set()
    tagged: list[tuple[str, str]] = []
    for index, word in enumerate(template.split()):
        match = SLOT.fullmatch(word)
        if not match:
            word = word.capitalize() if index == 0 else word
            tagged.append((word, "O"))
            continue
        kind = match.group(1)
        value = rng.choice([v for v in pools[kind] if v not in used])
        used.add(value)
        words = entity_words(CONLL_TYPE[kind], value)
        if index == 0 and words[0] == ("the", "O"):
            words[0] = ("The", "O")
        tagged.extend(words)
    return tagged


def generate(templates: list[str], pools: dict[str, list[str]], count: int, seed: int) -> list:
    rng = random.Random(seed)
    sentences, seen = [], set()
    while len(sentences) < count:
        sentence = fill(rng.choice(templates), pools, rng)
        key = " ".join(word for word, _ in sentence)
        if key not in seen:
            seen.add(key)
            sentences.append(sentence)
    return sentences


def write_conll(path: Path, sentences: list[list[tuple[str, str]]]) -> None:
    blocks = ["\n".join(f"{word}\t{tag}" for word, tag in sentence) for sentence in sentences]
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, default=1500)
    parser.add_argument("--test", type=int, default=300)
    args = parser.parse_args()

    rng = random.Random(SEED)
    train_people, test_people = person_pools(rng)
    train_pools, test_pools = {"PER": train_people}, {"PER": test_people}
    for kind, names in NAMES.items():
        train_pools[kind], test_pools[kind] = split_names(names, rng)

    here = Path(__file__).resolve().parent
    write_conll(here / "train.conll", generate(TRAIN_TEMPLATES, train_pools, args.train, SEED))
    write_conll(here / "test.conll", generate(TEST_TEMPLATES, test_pools, args.test, SEED + 1))


if __name__ == "__main__":
    main()
