"""Generate a small, synthetic English-German sentence-pair data set.

The course trains a tiny T5 model for a few minutes on a CPU.  Real parallel
corpora (Europarl, news, subtitles) are far too varied for that: the model
would only learn to copy a few frequent words.  Here every pair is built from
templates and a hand-written bilingual lexicon of a few hundred words, so the
same simple constructions appear again and again with different words:

* present tense subject-verb-object with nominative and accusative
  ("I see the dog" -> "Ich sehe den Hund"), with "kein" / "nicht" negation,
* adjectives after "sein" ("The house is small" -> "Das Haus ist klein") and
  in front of nouns, with the correct endings,
* the perfect and past perfect ("I had visited New York a couple of weeks ago"
  -> "Ich hatte New York vor ein paar Wochen besucht"),
* verb-second word order after a time phrase ("Am Montag gehen wir ..."),
* questions ("Wo ist der Bahnhof?"), "gern" ("I like reading" -> "Ich lese
  gern"), numbers, days, the time and everyday phrases ("Vielen Dank").

Only constructions whose German is certain are used; when in doubt a word or
pattern was left out (for example nouns of the "n-declension" such as "der
Junge", which take "-n" in the accusative).  Statements have no final full
stop, like the examples above; questions keep "?" and exclamations "!".

The output is a TSV file with the header "en<TAB>de<TAB>split".  About 10 % of
the templated pairs are held out with split "test" (fixed phrases and the
examples in REQUIRED always stay in "train"); every English sentence occurs
only once, so no test sentence is seen in training.  Standard library only; the
fixed seed (0) makes the output byte-identical on every run.

Usage:  python make_pairs.py [--out en_de.tsv] [--count 4000]
"""

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------------------
# Lexicon
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Noun:
    en: str
    en_pl: str  # "" if the noun is not used in the plural
    de: str
    gender: str  # "m", "f" or "n"
    de_pl: str
    tags: frozenset[str]  # what the noun is: animal, food, thing, place, ...
    mass: bool  # can be used without an article ("I drink water")
    countable: bool  # can be used with "a" ("a dog", but not "a water")


def noun(
    en: str, en_pl: str, de: str, gender: str, de_pl: str, tags: str, mass: str = "no"
) -> Noun:
    """mass="also": "fish" and "a fish"; mass="only": "water" but never "a water"."""
    return Noun(en, en_pl, de, gender, de_pl, frozenset(tags.split()), mass != "no", mass != "only")


NOUNS: list[Noun] = [
    # animals ("pet": something you can have)
    noun("dog", "dogs", "Hund", "m", "Hunde", "animal pet hear indoor"),
    noun("cat", "cats", "Katze", "f", "Katzen", "animal pet hear indoor"),
    noun("horse", "horses", "Pferd", "n", "Pferde", "animal pet"),
    noun("bird", "birds", "Vogel", "m", "Vögel", "animal pet hear indoor"),
    noun("fish", "fish", "Fisch", "m", "Fische", "animal pet food cook", mass="also"),
    noun("mouse", "mice", "Maus", "f", "Mäuse", "animal pet indoor"),
    noun("cow", "cows", "Kuh", "f", "Kühe", "animal pet"),
    noun("sheep", "sheep", "Schaf", "n", "Schafe", "animal pet"),
    noun("pig", "pigs", "Schwein", "n", "Schweine", "animal pet"),
    noun("duck", "ducks", "Ente", "f", "Enten", "animal pet"),
    noun("rabbit", "rabbits", "Kaninchen", "n", "Kaninchen", "animal pet indoor"),
    noun("chicken", "chickens", "Huhn", "n", "Hühner", "animal pet"),
    noun("frog", "frogs", "Frosch", "m", "Frösche", "animal hear"),
    noun("fox", "foxes", "Fuchs", "m", "Füchse", "animal"),
    noun("owl", "owls", "Eule", "f", "Eulen", "animal hear"),
    # people
    noun("man", "men", "Mann", "m", "Männer", "person"),
    noun("woman", "women", "Frau", "f", "Frauen", "person"),
    noun("child", "children", "Kind", "n", "Kinder", "person hear"),
    noun("girl", "girls", "Mädchen", "n", "Mädchen", "person"),
    noun("baby", "babies", "Baby", "n", "Babys", "person hear"),
    noun("teacher", "teachers", "Lehrer", "m", "Lehrer", "person"),
    noun("doctor", "doctors", "Arzt", "m", "Ärzte", "person"),
    noun("friend", "friends", "Freund", "m", "Freunde", "person"),
    # family (used with "my", "your", ... or "a brother", "two sisters")
    noun("mother", "", "Mutter", "f", "", "family"),
    noun("father", "", "Vater", "m", "", "family"),
    noun("brother", "brothers", "Bruder", "m", "Brüder", "family"),
    noun("sister", "sisters", "Schwester", "f", "Schwestern", "family"),
    noun("grandmother", "", "Großmutter", "f", "", "family"),
    noun("grandfather", "", "Großvater", "m", "", "family"),
    noun("son", "sons", "Sohn", "m", "Söhne", "family"),
    noun("daughter", "daughters", "Tochter", "f", "Töchter", "family"),
    noun("aunt", "aunts", "Tante", "f", "Tanten", "family"),
    noun("uncle", "uncles", "Onkel", "m", "Onkel", "family"),
    # food ("mass": also without an article, "I eat bread")
    noun("apple", "apples", "Apfel", "m", "Äpfel", "food small"),
    noun("banana", "bananas", "Banane", "f", "Bananen", "food small"),
    noun("egg", "eggs", "Ei", "n", "Eier", "food cook"),
    noun("cake", "", "Kuchen", "m", "", "food", mass="also"),
    noun("tomato", "tomatoes", "Tomate", "f", "Tomaten", "food"),
    noun("potato", "potatoes", "Kartoffel", "f", "Kartoffeln", "food cook"),
    noun("carrot", "carrots", "Karotte", "f", "Karotten", "food"),
    noun("pear", "pears", "Birne", "f", "Birnen", "food"),
    noun("orange", "oranges", "Orange", "f", "Orangen", "food"),
    noun("strawberry", "strawberries", "Erdbeere", "f", "Erdbeeren", "food"),
    noun("sausage", "sausages", "Wurst", "f", "Würste", "food"),
    noun("soup", "", "Suppe", "f", "", "food cook", mass="also"),
    noun("pizza", "", "Pizza", "f", "", "food", mass="also"),
    noun("salad", "", "Salat", "m", "", "food", mass="also"),
    noun("bread", "", "Brot", "n", "", "food", mass="only"),
    noun("cheese", "", "Käse", "m", "", "food", mass="only"),
    noun("rice", "", "Reis", "m", "", "food cook", mass="only"),
    noun("meat", "", "Fleisch", "n", "", "food cook", mass="only"),
    noun("chocolate", "", "Schokolade", "f", "", "food", mass="only"),
    # drinks (always without an article or with "the")
    noun("water", "", "Wasser", "n", "", "drink", mass="only"),
    noun("milk", "", "Milch", "f", "", "drink", mass="only"),
    noun("coffee", "", "Kaffee", "m", "", "drink", mass="only"),
    noun("tea", "", "Tee", "m", "", "drink", mass="only"),
    noun("juice", "", "Saft", "m", "", "drink", mass="only"),
    noun("lemonade", "", "Limonade", "f", "", "drink", mass="only"),
    noun("music", "", "Musik", "f", "", "hear", mass="only"),
    # things
    noun("book", "books", "Buch", "n", "Bücher", "thing read write open"),
    noun("newspaper", "newspapers", "Zeitung", "f", "Zeitungen", "thing read"),
    noun("letter", "letters", "Brief", "m", "Briefe", "thing read write open small"),
    noun("postcard", "postcards", "Postkarte", "f", "Postkarten", "thing read write small"),
    noun("email", "emails", "E-Mail", "f", "E-Mails", "read write"),
    noun("song", "songs", "Lied", "n", "Lieder", "write hear"),
    noun("key", "keys", "Schlüssel", "m", "Schlüssel", "thing small take"),
    noun("bag", "bags", "Tasche", "f", "Taschen", "thing open take container"),
    noun("umbrella", "umbrellas", "Regenschirm", "m", "Regenschirme", "thing take device"),
    noun("table", "tables", "Tisch", "m", "Tische", "thing device"),
    noun("chair", "chairs", "Stuhl", "m", "Stühle", "thing device"),
    noun("bed", "beds", "Bett", "n", "Betten", "thing device"),
    noun("lamp", "lamps", "Lampe", "f", "Lampen", "thing device"),
    noun("cup", "cups", "Tasse", "f", "Tassen", "thing small container device"),
    noun("bottle", "bottles", "Flasche", "f", "Flaschen", "thing open container"),
    noun("glass", "glasses", "Glas", "n", "Gläser", "thing container device"),
    noun("box", "boxes", "Kiste", "f", "Kisten", "thing open container"),
    noun("ball", "balls", "Ball", "m", "Bälle", "thing small"),
    noun("phone", "phones", "Telefon", "n", "Telefone", "thing small device"),
    noun("clock", "clocks", "Uhr", "f", "Uhren", "thing device"),
    noun("picture", "pictures", "Bild", "n", "Bilder", "thing"),
    noun("computer", "computers", "Computer", "m", "Computer", "thing device"),
    noun("pencil", "pencils", "Bleistift", "m", "Bleistifte", "thing small"),
    noun("ticket", "tickets", "Fahrkarte", "f", "Fahrkarten", "thing small"),
    noun("map", "maps", "Karte", "f", "Karten", "thing read"),
    noun("flower", "flowers", "Blume", "f", "Blumen", "thing"),
    noun("hat", "hats", "Hut", "m", "Hüte", "thing clothing"),
    noun("shoe", "shoes", "Schuh", "m", "Schuhe", "thing clothing"),
    noun("jacket", "jackets", "Jacke", "f", "Jacken", "thing clothing"),
    noun("dress", "dresses", "Kleid", "n", "Kleider", "thing clothing"),
    noun("door", "doors", "Tür", "f", "Türen", "open"),
    noun("window", "windows", "Fenster", "n", "Fenster", "open"),
    # vehicles
    noun("car", "cars", "Auto", "n", "Autos", "vehicle own"),
    noun("bicycle", "bicycles", "Fahrrad", "n", "Fahrräder", "vehicle own"),
    noun("bus", "buses", "Bus", "m", "Busse", "vehicle take"),
    noun("train", "trains", "Zug", "m", "Züge", "vehicle take"),
    noun("taxi", "taxis", "Taxi", "n", "Taxis", "vehicle take"),
    noun("boat", "boats", "Boot", "n", "Boote", "vehicle own"),
    noun("ship", "ships", "Schiff", "n", "Schiffe", "vehicle"),
    # places ("visit": a place you can visit)
    noun("house", "houses", "Haus", "n", "Häuser", "place building"),
    noun("garden", "gardens", "Garten", "m", "Gärten", "place"),
    noun("room", "rooms", "Zimmer", "n", "Zimmer", "place"),
    noun("kitchen", "kitchens", "Küche", "f", "Küchen", "place"),
    noun("apartment", "apartments", "Wohnung", "f", "Wohnungen", "place"),
    noun("station", "stations", "Bahnhof", "m", "Bahnhöfe", "place building"),
    noun("museum", "museums", "Museum", "n", "Museen", "place building visit"),
    noun("zoo", "zoos", "Zoo", "m", "Zoos", "place visit"),
    noun("park", "parks", "Park", "m", "Parks", "place visit"),
    noun("school", "schools", "Schule", "f", "Schulen", "place building visit"),
    noun("church", "churches", "Kirche", "f", "Kirchen", "place building visit"),
    noun("castle", "castles", "Schloss", "n", "Schlösser", "place building visit"),
    noun("market", "markets", "Markt", "m", "Märkte", "place visit"),
    noun("library", "libraries", "Bibliothek", "f", "Bibliotheken", "place building visit"),
    noun("hotel", "hotels", "Hotel", "n", "Hotels", "place building"),
    noun("hospital", "hospitals", "Krankenhaus", "n", "Krankenhäuser", "place building"),
    noun("bank", "banks", "Bank", "f", "Banken", "place building"),
    noun("bakery", "bakeries", "Bäckerei", "f", "Bäckereien", "place building"),
    noun("restaurant", "restaurants", "Restaurant", "n", "Restaurants", "place building"),
    noun("cinema", "cinemas", "Kino", "n", "Kinos", "place building"),
    noun("airport", "airports", "Flughafen", "m", "Flughäfen", "place building"),
    noun("city", "cities", "Stadt", "f", "Städte", "place visit"),
    noun("village", "villages", "Dorf", "n", "Dörfer", "place visit"),
    noun("bridge", "bridges", "Brücke", "f", "Brücken", "place"),
    noun("street", "streets", "Straße", "f", "Straßen", "place"),
    noun("river", "rivers", "Fluss", "m", "Flüsse", "place"),
    noun("lake", "lakes", "See", "m", "Seen", "place"),
    noun("forest", "forests", "Wald", "m", "Wälder", "place"),
    noun("beach", "beaches", "Strand", "m", "Strände", "place"),
]


@dataclass(frozen=True)
class Adjective:
    en: str
    de: str  # predicative form, "Das Haus ist klein"
    attributive: bool  # False if the stem changes ("teuer" -> "teure") or is unsure
    tags: frozenset[str]  # noun tags the adjective fits


def adj(en: str, de: str, tags: str, attributive: bool = True) -> Adjective:
    return Adjective(en, de, attributive, frozenset(tags.split()))


ADJECTIVES: list[Adjective] = [
    adj("big", "groß", "animal thing vehicle place"),
    adj("small", "klein", "animal thing vehicle place food"),
    adj("tall", "groß", "person"),
    adj("old", "alt", "animal person family thing vehicle building"),
    adj("new", "neu", "thing vehicle building"),
    adj("young", "jung", "animal person"),
    adj("beautiful", "schön", "animal thing place vehicle"),
    adj("expensive", "teuer", "thing vehicle food", attributive=False),
    adj("cheap", "billig", "thing vehicle food"),
    adj("clean", "sauber", "thing vehicle place"),
    adj("dirty", "schmutzig", "animal thing vehicle place"),
    adj("quiet", "ruhig", "animal person place"),
    adj("loud", "laut", "animal person place"),
    adj("dark", "dunkel", "place", attributive=False),
    adj("empty", "leer", "container"),
    adj("full", "voll", "container"),
    adj("heavy", "schwer", "thing"),
    adj("light", "leicht", "thing"),
    adj("broken", "kaputt", "device vehicle", attributive=False),
    adj("fast", "schnell", "animal vehicle"),
    adj("slow", "langsam", "animal vehicle"),
    adj("hot", "heiß", "food drink"),
    adj("cold", "kalt", "food drink"),
    adj("warm", "warm", "food drink clothing"),
    adj("fresh", "frisch", "food drink"),
    adj("sweet", "süß", "food"),
    adj("delicious", "lecker", "food drink"),
    adj("good", "gut", "food drink read"),
    adj("interesting", "interessant", "read"),
    adj("boring", "langweilig", "read"),
    adj("long", "lang", "read"),
    adj("short", "kurz", "read"),
    adj("happy", "glücklich", "animal person family"),
    adj("sad", "traurig", "animal person family"),
    adj("tired", "müde", "animal person family"),
    adj("hungry", "hungrig", "animal person family"),
    adj("friendly", "freundlich", "animal person family"),
    adj("nice", "nett", "person family"),
    adj("funny", "lustig", "animal person family read"),
    adj("ill", "krank", "animal person family"),
    adj("clever", "klug", "animal person family"),
    adj("red", "rot", "thing vehicle"),
    adj("blue", "blau", "thing vehicle"),
    adj("green", "grün", "thing vehicle"),
    adj("yellow", "gelb", "thing vehicle"),
    adj("black", "schwarz", "animal thing vehicle"),
    adj("white", "weiß", "animal thing vehicle"),
    adj("brown", "braun", "animal thing"),
    adj("gray", "grau", "animal thing vehicle"),
]
COLOURS = {"red", "blue", "green", "yellow", "black", "white", "brown", "gray"}
OPPOSITES = [
    {"big", "small"},
    {"old", "new"},
    {"old", "young"},
    {"expensive", "cheap"},
    {"clean", "dirty"},
    {"quiet", "loud"},
    {"empty", "full"},
    {"heavy", "light"},
    {"fast", "slow"},
    {"hot", "cold"},
    {"cold", "warm"},
    {"happy", "sad"},
    {"long", "short"},
    {"interesting", "boring"},
    {"tall", "small"},
]


ALL_KINDS = "the a poss this bare_pl num mass"


@dataclass(frozen=True)
class Verb:
    en: str
    en3: str  # he/she/it form
    en_past: str  # "" if the verb is not used in the past
    en_pp: str
    de: tuple[str, ...]  # ich, du, er/sie, wir, sie (plural)
    de_pp: str
    objects: frozenset[str]  # noun tags the object may have
    kinds: tuple[str, ...]  # which noun phrases fit as object (see noun_phrase)
    present: bool  # False: only used in the past ("I found the key")


def verb(
    en: str,
    en3: str,
    en_past: str,
    en_pp: str,
    de: str,
    de_pp: str,
    objects: str,
    kinds: str = ALL_KINDS,
    present: bool = True,
) -> Verb:
    forms = tuple(de.split())
    assert len(forms) == 5, en
    return Verb(
        en,
        en3,
        en_past,
        en_pp,
        forms,
        de_pp,
        frozenset(objects.split()),
        tuple(kinds.split()),
        present,
    )


VERBS: list[Verb] = [
    verb(
        "see",
        "sees",
        "saw",
        "seen",
        "sehe siehst sieht sehen sehen",
        "gesehen",
        "animal person thing vehicle place",
    ),
    verb("have", "has", "", "", "habe hast hat haben haben", "", "pet thing own family"),
    verb(
        "like",
        "likes",
        "",
        "",
        "mag magst mag mögen mögen",
        "",
        "animal food drink person",
        kinds="the poss this bare_pl mass",
    ),
    verb(
        "love",
        "loves",
        "",
        "",
        "liebe liebst liebt lieben lieben",
        "",
        "animal food family",
        kinds="poss bare_pl mass",
    ),
    verb("read", "reads", "read", "read", "lese liest liest lesen lesen", "gelesen", "read"),
    verb("eat", "eats", "ate", "eaten", "esse isst isst essen essen", "gegessen", "food"),
    verb(
        "drink",
        "drinks",
        "drank",
        "drunk",
        "trinke trinkst trinkt trinken trinken",
        "getrunken",
        "drink",
    ),
    verb(
        "visit",
        "visits",
        "visited",
        "visited",
        "besuche besuchst besucht besuchen besuchen",
        "besucht",
        "visit family",
        kinds="the poss this num",
    ),
    verb(
        "buy",
        "buys",
        "bought",
        "bought",
        "kaufe kaufst kauft kaufen kaufen",
        "gekauft",
        "food drink thing own",
    ),
    verb(
        "need",
        "needs",
        "",
        "",
        "brauche brauchst braucht brauchen brauchen",
        "",
        "thing own",
        kinds="a poss this bare_pl num mass",
    ),
    verb(
        "find",
        "finds",
        "found",
        "found",
        "finde findest findet finden finden",
        "gefunden",
        "small pet",
        kinds="the a poss this",
        present=False,
    ),
    verb(
        "know",
        "knows",
        "",
        "",
        "kenne kennst kennt kennen kennen",
        "",
        "person place",
        kinds="the poss this",
    ),
    verb(
        "cook", "cooks", "cooked", "cooked", "koche kochst kocht kochen kochen", "gekocht", "cook"
    ),
    verb(
        "write",
        "writes",
        "wrote",
        "written",
        "schreibe schreibst schreibt schreiben schreiben",
        "geschrieben",
        "write",
    ),
    verb(
        "open",
        "opens",
        "opened",
        "opened",
        "öffne öffnest öffnet öffnen öffnen",
        "geöffnet",
        "open",
        kinds="the a poss this num",
    ),
    verb(
        "take",
        "takes",
        "took",
        "taken",
        "nehme nimmst nimmt nehmen nehmen",
        "genommen",
        "take",
        kinds="the a poss this",
    ),
    verb(
        "hear",
        "hears",
        "heard",
        "heard",
        "höre hörst hört hören hören",
        "gehört",
        "hear",
        kinds="the a poss this mass",
    ),
]
VERB = {v.en: v for v in VERBS}

NAMES: list[tuple[str, str]] = [  # name, gender
    ("Anna", "f"),
    ("Maria", "f"),
    ("Lisa", "f"),
    ("Emma", "f"),
    ("Tom", "m"),
    ("Peter", "m"),
    ("Paul", "m"),
    ("Max", "m"),
]
CITIES: list[tuple[str, str]] = [
    ("New York", "New York"),
    ("Berlin", "Berlin"),
    ("Paris", "Paris"),
    ("London", "London"),
    ("Rome", "Rom"),
    ("Vienna", "Wien"),
    ("Munich", "München"),
    ("Hamburg", "Hamburg"),
    ("Madrid", "Madrid"),
    ("Tokyo", "Tokio"),
    ("Prague", "Prag"),
    ("Cologne", "Köln"),
]
COUNTRIES: list[tuple[str, str]] = [  # only countries used without an article in German
    ("Germany", "Deutschland"),
    ("Austria", "Österreich"),
    ("France", "Frankreich"),
    ("Italy", "Italien"),
    ("Spain", "Spanien"),
    ("England", "England"),
    ("Japan", "Japan"),
    ("China", "China"),
    ("Canada", "Kanada"),
    ("Poland", "Polen"),
]
LANGUAGES: list[tuple[str, str]] = [
    ("German", "Deutsch"),
    ("English", "Englisch"),
    ("French", "Französisch"),
    ("Spanish", "Spanisch"),
    ("Italian", "Italienisch"),
    ("Japanese", "Japanisch"),
    ("Chinese", "Chinesisch"),
    ("Polish", "Polnisch"),
]
NUMBERS: list[tuple[str, str]] = [
    ("one", "eins"),
    ("two", "zwei"),
    ("three", "drei"),
    ("four", "vier"),
    ("five", "fünf"),
    ("six", "sechs"),
    ("seven", "sieben"),
    ("eight", "acht"),
    ("nine", "neun"),
    ("ten", "zehn"),
    ("eleven", "elf"),
    ("twelve", "zwölf"),
]
DAYS: list[tuple[str, str]] = [
    ("Monday", "Montag"),
    ("Tuesday", "Dienstag"),
    ("Wednesday", "Mittwoch"),
    ("Thursday", "Donnerstag"),
    ("Friday", "Freitag"),
    ("Saturday", "Samstag"),
    ("Sunday", "Sonntag"),
]
PAST_TIMES: list[tuple[str, str]] = [
    ("yesterday", "gestern"),
    ("last week", "letzte Woche"),
    ("last month", "letzten Monat"),
    ("last year", "letztes Jahr"),
    ("this morning", "heute Morgen"),
    ("yesterday evening", "gestern Abend"),
    ("two days ago", "vor zwei Tagen"),
    ("three days ago", "vor drei Tagen"),
    ("a week ago", "vor einer Woche"),
    ("a couple of weeks ago", "vor ein paar Wochen"),
    ("a month ago", "vor einem Monat"),
    ("a year ago", "vor einem Jahr"),
    ("two years ago", "vor zwei Jahren"),
] + [(f"on {en}", f"am {de}") for en, de in DAYS]
# Time phrases that start a present-tense sentence (German: verb second, "Heute lese ich ...").
PRESENT_TIMES: list[tuple[str, str]] = [
    ("every day", "jeden Tag"),
    ("every morning", "jeden Morgen"),
    ("every evening", "jeden Abend"),
    ("every week", "jede Woche"),
    ("today", "heute"),
    ("in the morning", "am Morgen"),
    ("in the evening", "am Abend"),
] + [(f"on {en}", f"am {de}") for en, de in DAYS]
ADVERBS: list[tuple[str, str]] = [
    ("often", "oft"),
    ("always", "immer"),
    ("never", "nie"),
    ("sometimes", "manchmal"),
]
# Where someone goes: English, German (with the right preposition and case).
DESTINATIONS: list[tuple[str, str]] = [
    ("to the park", "in den Park"),
    ("to school", "in die Schule"),
    ("to the cinema", "ins Kino"),
    ("to the station", "zum Bahnhof"),
    ("home", "nach Hause"),
    ("to the beach", "an den Strand"),
    ("to the market", "auf den Markt"),
    ("to the zoo", "in den Zoo"),
    ("to the museum", "ins Museum"),
    ("to work", "zur Arbeit"),
    ("to the doctor", "zum Arzt"),
    ("to bed", "ins Bett"),
    ("to the bakery", "zur Bäckerei"),
    ("to the library", "in die Bibliothek"),
    ("to the supermarket", "in den Supermarkt"),
    ("to the restaurant", "ins Restaurant"),
    ("to the lake", "an den See"),
    ("to the forest", "in den Wald"),
]
# Where something is: English, German (dative), noun tags that may stand there.
LOCATIONS: list[tuple[str, str, str]] = [
    ("in the garden", "im Garten", "animal person"),
    ("in the kitchen", "in der Küche", "indoor person small"),
    ("in the house", "im Haus", "indoor person"),
    ("in the car", "im Auto", "indoor person small"),
    ("on the table", "auf dem Tisch", "small"),
    ("under the table", "unter dem Tisch", "indoor small"),
    ("in the bag", "in der Tasche", "small"),
    ("on the chair", "auf dem Stuhl", "indoor small"),
    ("under the bed", "unter dem Bett", "indoor small"),
    ("in the park", "im Park", "indoor person"),
    ("at home", "zu Hause", "indoor person"),
    ("in the room", "im Zimmer", "indoor person small"),
    ("next to the door", "neben der Tür", "indoor person thing"),
    ("behind the house", "hinter dem Haus", "animal person"),
    ("in front of the school", "vor der Schule", "person"),
    ("at the station", "am Bahnhof", "person"),
    ("in the city", "in der Stadt", "person"),
    ("in the box", "in der Kiste", "small"),
    ("in the forest", "im Wald", "animal person"),
    ("in the lake", "im See", "fish"),
]
# "I like reading" -> "Ich lese gern", "I love reading" -> "Ich liebe das Lesen".
ACTIVITIES: list[tuple[str, str, str]] = [  # English -ing form, German forms, German noun
    ("reading", "lese liest liest lesen lesen", "Lesen"),
    ("swimming", "schwimme schwimmst schwimmt schwimmen schwimmen", "Schwimmen"),
    ("cooking", "koche kochst kocht kochen kochen", "Kochen"),
    ("dancing", "tanze tanzt tanzt tanzen tanzen", "Tanzen"),
    ("singing", "singe singst singt singen singen", "Singen"),
    ("painting", "male malst malt malen malen", "Malen"),
    ("traveling", "reise reist reist reisen reisen", "Reisen"),
    ("learning", "lerne lernst lernt lernen lernen", "Lernen"),
    ("writing", "schreibe schreibst schreibt schreiben schreiben", "Schreiben"),
    ("running", "laufe läufst läuft laufen laufen", "Laufen"),
    ("drawing", "zeichne zeichnest zeichnet zeichnen zeichnen", "Zeichnen"),
    ("hiking", "wandere wanderst wandert wandern wandern", "Wandern"),
    ("sleeping", "schlafe schläfst schläft schlafen schlafen", "Schlafen"),
    ("working", "arbeite arbeitest arbeitet arbeiten arbeiten", "Arbeiten"),
]
GAMES: list[tuple[str, str]] = [
    ("football", "Fußball"),
    ("tennis", "Tennis"),
    ("chess", "Schach"),
    ("cards", "Karten"),
    ("the piano", "Klavier"),
    ("the guitar", "Gitarre"),
    ("the violin", "Geige"),
]
JOBS: list[tuple[str, str, str]] = [  # English, German masculine, German feminine
    ("teacher", "Lehrer", "Lehrerin"),
    ("doctor", "Arzt", "Ärztin"),
    ("baker", "Bäcker", "Bäckerin"),
    ("cook", "Koch", "Köchin"),
    ("student", "Student", "Studentin"),
    ("farmer", "Bauer", "Bäuerin"),
    ("police officer", "Polizist", "Polizistin"),
    ("pilot", "Pilot", "Pilotin"),
]
FEELINGS: list[tuple[str, str]] = [  # "I am tired" -> "Ich bin müde"
    ("tired", "müde"),
    ("happy", "glücklich"),
    ("sad", "traurig"),
    ("ill", "krank"),
    ("ready", "bereit"),
    ("at home", "zu Hause"),
    ("here", "hier"),
]
PHRASES: list[tuple[str, str]] = [
    ("Thank you very much", "Vielen Dank"),
    ("Thank you", "Danke"),
    ("Hello", "Hallo"),
    ("Good morning", "Guten Morgen"),
    ("Good afternoon", "Guten Tag"),
    ("Good evening", "Guten Abend"),
    ("Good night", "Gute Nacht"),
    ("Goodbye", "Auf Wiedersehen"),
    ("Please", "Bitte"),
    ("Yes", "Ja"),
    ("No", "Nein"),
    ("How are you?", "Wie geht es dir?"),
    ("I am fine, thank you", "Mir geht es gut, danke"),
    ("What is your name?", "Wie heißt du?"),
    ("Nice to meet you", "Freut mich"),
    ("Excuse me", "Entschuldigung"),
    ("I am sorry", "Es tut mir leid"),
    ("You are welcome", "Gern geschehen"),
    ("No problem", "Kein Problem"),
    ("I do not understand", "Ich verstehe nicht"),
    ("I do not know", "Ich weiß es nicht"),
    ("See you tomorrow", "Bis morgen"),
    ("See you later", "Bis später"),
    ("See you soon", "Bis bald"),
    ("Have a nice day", "Einen schönen Tag noch"),
    ("Sleep well", "Schlaf gut"),
    ("Happy birthday!", "Alles Gute zum Geburtstag!"),
    ("Merry Christmas!", "Frohe Weihnachten!"),
    ("Happy New Year!", "Frohes neues Jahr!"),
    ("Good luck!", "Viel Glück!"),
    ("Have fun!", "Viel Spaß!"),
    ("Enjoy your meal", "Guten Appetit"),
    ("Cheers!", "Prost!"),
    ("Welcome!", "Willkommen!"),
    ("Help!", "Hilfe!"),
    ("Of course", "Natürlich"),
    ("Me too", "Ich auch"),
    ("Really?", "Wirklich?"),
    ("That is good", "Das ist gut"),
    ("That is true", "Das stimmt"),
    ("What is that?", "Was ist das?"),
    ("Who is that?", "Wer ist das?"),
    ("What time is it?", "Wie spät ist es?"),
    ("Where is the toilet?", "Wo ist die Toilette?"),
    ("I have a question", "Ich habe eine Frage"),
    ("Can you help me?", "Kannst du mir helfen?"),
    ("I love you", "Ich liebe dich"),
    ("Come here!", "Komm her!"),
    ("Wait a moment", "Warte einen Moment"),
    ("It is raining", "Es regnet"),
    ("It is snowing", "Es schneit"),
    ("It is sunny", "Es ist sonnig"),
    ("It is cold today", "Es ist heute kalt"),
    ("It is hot today", "Es ist heute heiß"),
    ("The weather is nice", "Das Wetter ist schön"),
]


# ---------------------------------------------------------------------------
# German grammar helpers
# ---------------------------------------------------------------------------

DEFINITE = {
    "nom": {"m": "der", "f": "die", "n": "das", "pl": "die"},
    "acc": {"m": "den", "f": "die", "n": "das", "pl": "die"},
}
THIS = {
    "nom": {"m": "dieser", "f": "diese", "n": "dieses"},
    "acc": {"m": "diesen", "f": "diese", "n": "dieses"},
}
# Endings of "ein", "kein", "mein", "unser", ... ("ein" itself has no plural).
EIN_ENDING = {
    "nom": {"m": "", "f": "e", "n": "", "pl": "e"},
    "acc": {"m": "en", "f": "e", "n": "", "pl": "e"},
}
# Adjective endings after "der"/"dieser" (weak), after "ein"/"kein"/"mein" (mixed)
# and without any article (strong).
WEAK = {
    "nom": {"m": "e", "f": "e", "n": "e", "pl": "en"},
    "acc": {"m": "en", "f": "e", "n": "e", "pl": "en"},
}
MIXED = {
    "nom": {"m": "er", "f": "e", "n": "es", "pl": "en"},
    "acc": {"m": "en", "f": "e", "n": "es", "pl": "en"},
}
STRONG = {
    "nom": {"m": "er", "f": "e", "n": "es", "pl": "e"},
    "acc": {"m": "en", "f": "e", "n": "es", "pl": "e"},
}
POSSESSIVES: list[tuple[str, str]] = [
    ("my", "mein"),
    ("your", "dein"),
    ("his", "sein"),
    ("her", "ihr"),
    ("our", "unser"),
    ("their", "ihr"),
]
# Subjects: English, German, person index into the verb forms
# (0 ich, 1 du, 2 er/sie/Anna, 3 wir, 4 sie).
PRONOUNS: list[tuple[str, str, int]] = [
    ("I", "ich", 0),
    ("you", "du", 1),
    ("he", "er", 2),
    ("she", "sie", 2),
    ("we", "wir", 3),
    ("they", "sie", 4),
]
BE_EN = ["am", "are", "is", "are", "are"]
BE_DE = ["bin", "bist", "ist", "sind", "sind"]
HAVE_DE = ["habe", "hast", "hat", "haben", "haben"]
HAD_DE = ["hatte", "hattest", "hatte", "hatten", "hatten"]
WAS_DE = ["war", "warst", "war", "waren", "waren"]
GO_DE = ["gehe", "gehst", "geht", "gehen", "gehen"]
TRAVEL_DE = ["reise", "reist", "reist", "reisen", "reisen"]
LIVE_DE = ["wohne", "wohnst", "wohnt", "wohnen", "wohnen"]
COME_DE = ["komme", "kommst", "kommt", "kommen", "kommen"]
SPEAK_DE = ["spreche", "sprichst", "spricht", "sprechen", "sprechen"]
LEARN_DE = ["lerne", "lernst", "lernt", "lernen", "lernen"]
PLAY_DE = ["spiele", "spielst", "spielt", "spielen", "spielen"]


def declined(a: Adjective, ending: str) -> str:
    """Add an ending to an adjective: klein + en -> kleinen, müde + en -> müden."""
    return (a.de[:-1] if a.de.endswith("e") else a.de) + ending


def a_an(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def cap(text: str) -> str:
    return text[0].upper() + text[1:]


def en_verb(v: Verb, person: int) -> str:
    return v.en3 if person == 2 else v.en


def en_do(person: int) -> str:
    return "does" if person == 2 else "do"


@dataclass(frozen=True)
class Phrase:
    """A noun phrase in both languages."""

    en: str
    de: str
    kind: str  # the, a, poss, this, bare_pl ("dogs"), num ("two dogs"), mass ("water"), name
    de_kein: str = ""  # German with "kein" instead of "ein" or no article

    @property
    def definite(self) -> bool:
        return self.kind in ("the", "poss", "this", "name")


def allowed_kinds(n: Noun, kinds: tuple[str, ...]) -> list[str]:
    """Which of the requested kinds of noun phrase make sense for noun `n`."""
    ok = []
    for k in kinds:
        if "family" in n.tags and k not in ("poss", "a", "num"):
            continue  # "my mother", "a brother", "two sisters" - but not "the mother"
        if (k == "a" and not n.countable) or (k == "mass" and not n.mass):
            continue
        if k in ("bare_pl", "num") and not n.en_pl:
            continue
        if k == "bare_pl" and n.mass:
            continue  # "I cook fish" must mean "Fisch", not "Fische"
        ok.append(k)
    return ok


def noun_phrase(
    rng: random.Random,
    n: Noun,
    case: str,
    kinds: tuple[str, ...] = tuple(ALL_KINDS.split()),
    with_adj: bool = False,
) -> Phrase | None:
    """A random noun phrase for noun `n` in German case `case` ("nom" or "acc")."""
    options = allowed_kinds(n, kinds)
    if not options:
        return None
    kind = rng.choice(options)
    a = None
    if with_adj:
        fitting = [x for x in ADJECTIVES if x.attributive and x.tags & n.tags]
        if not fitting:
            return None
        a = rng.choice(fitting)
    plural = kind in ("bare_pl", "num")
    g = "pl" if plural else n.gender
    en = n.en_pl if plural else n.en
    de = n.de_pl if plural else n.de
    if a:
        en = f"{a.en} {en}"

    def de_with_adj(endings: dict[str, dict[str, str]]) -> str:
        return f"{declined(a, endings[case][g])} {de}" if a else de

    if kind == "the":
        return Phrase(f"the {en}", f"{DEFINITE[case][g]} {de_with_adj(WEAK)}", kind)
    if kind == "this":
        return Phrase(f"this {en}", f"{THIS[case][g]} {de_with_adj(WEAK)}", kind)
    if kind == "poss":
        en_p, de_p = rng.choice(POSSESSIVES)
        return Phrase(f"{en_p} {en}", f"{de_p}{EIN_ENDING[case][g]} {de_with_adj(MIXED)}", kind)
    kein = f"kein{EIN_ENDING[case][g]} {de_with_adj(MIXED)}"
    if kind == "a":
        return Phrase(
            f"{a_an(en)} {en}", f"ein{EIN_ENDING[case][g]} {de_with_adj(MIXED)}", kind, kein
        )
    if kind == "num":  # two ... twelve
        en_num, de_num = rng.choice(NUMBERS[1:])
        return Phrase(f"{en_num} {en}", f"{de_num} {de_with_adj(STRONG)}", kind)
    return Phrase(en, de_with_adj(STRONG), kind, kein)  # "dogs", "water": no article


def subject(rng: random.Random) -> tuple[str, str, int]:
    """A random subject: English, German, person index."""
    if rng.random() < 0.2:
        name, _ = rng.choice(NAMES)
        return name, name, 2
    return rng.choice(PRONOUNS)


def object_for(
    rng: random.Random,
    v: Verb,
    with_adj: bool = False,
    kinds: tuple[str, ...] | None = None,
    subject_en: str = "",
) -> Phrase | None:
    """A random accusative object for verb `v`: a noun phrase, a name or a city
    (but not the subject's own name: no "Emma likes Emma")."""
    kinds = v.kinds if kinds is None else tuple(k for k in kinds if k in v.kinds)
    r = rng.random()
    if v.en in ("visit", "know") and not with_adj and r < 0.25:
        en, de = rng.choice(CITIES)
        return Phrase(en, de, "name")
    if v.en in ("visit", "know", "see", "like") and not with_adj and r > 0.85:
        name, _ = rng.choice(NAMES)
        return None if name == subject_en else Phrase(name, name, "name")
    n = rng.choice([n for n in NOUNS if n.tags & v.objects])
    if "family" in n.tags:  # "I have a brother", but "I visit my brother"
        kinds = tuple(k for k in kinds if k in (("a", "num") if v.en == "have" else ("poss",)))
        with_adj = False
    if v.en in ("like", "love") and n.tags & {"food", "drink"}:  # not "I love your egg"
        kinds = tuple(
            k
            for k in kinds
            if k in ("the", "this", "bare_pl", "mass")
            and (v.en == "like" or k not in ("the", "this"))
        )
    return noun_phrase(rng, n, "acc", kinds, with_adj)


# ---------------------------------------------------------------------------
# Sentence templates.  Each returns one (English, German) pair, or None if the
# random choices did not fit together.
# ---------------------------------------------------------------------------

Pair = tuple[str, str] | None
PRESENT_VERBS = [v for v in VERBS if v.present]
STATIVE = {"have", "like", "love", "need", "know"}  # no "often", "every day" with these
PAST_VERBS = [v for v in VERBS if v.en_past]
ADJ_NOUNS = [n for n in NOUNS if any(n.tags & a.tags for a in ADJECTIVES)]


def adjective_clause(rng: random.Random) -> tuple[str, str, str, str, Adjective] | None:
    """Parts of "The house is small": (the house, das Haus, is, ist, small/klein)."""
    n = rng.choice(ADJ_NOUNS)
    a = rng.choice([a for a in ADJECTIVES if n.tags & a.tags])
    if n.en_pl and "family" not in n.tags and rng.random() < 0.2:
        return f"the {n.en_pl}", f"die {n.de_pl}", "are", "sind", a
    np = noun_phrase(rng, n, "nom", kinds=("the", "the", "poss", "this"))
    if np is None:
        return None
    return np.en, np.de, "is", "ist", a


def predicative(rng: random.Random) -> Pair:
    """The house is small -> Das Haus ist klein; My dog is not hungry; ... very ..."""
    parts = adjective_clause(rng)
    if parts is None:
        return None
    np_en, np_de, be_en, be_de, a = parts
    mod = rng.choice(["", "", "not ", "very "])
    if mod == "very " and a.en in COLOURS | {"broken", "empty", "full"}:
        mod = ""
    mod_de = {"": "", "not ": "nicht ", "very ": "sehr "}[mod]
    return f"{cap(np_en)} {be_en} {mod}{a.en}", f"{cap(np_de)} {be_de} {mod_de}{a.de}"


def attributive(rng: random.Random) -> Pair:
    """This is a small house -> Das ist ein kleines Haus;
    The old dog is tired -> Der alte Hund ist müde."""
    n = rng.choice(ADJ_NOUNS)
    if rng.random() < 0.5:
        np = noun_phrase(rng, n, "nom", kinds=("a", "poss"), with_adj=True)
        return None if np is None else (f"This is {np.en}", f"Das ist {np.de}")
    np = noun_phrase(rng, n, "nom", kinds=("the",), with_adj=True)
    if np is None:
        return None
    first = np.en.split()[1]
    others = [
        a
        for a in ADJECTIVES
        if n.tags & a.tags
        and a.en != first
        and {a.en, first} not in OPPOSITES
        and a.en not in COLOURS
    ]
    if not others:
        return None
    a2 = rng.choice(others)
    return f"{cap(np.en)} is {a2.en}", f"{cap(np.de)} ist {a2.de}"


def present(rng: random.Random) -> Pair:
    """She reads the newspaper -> Sie liest die Zeitung; I often eat apples."""
    v = rng.choice(PRESENT_VERBS)
    s_en, s_de, p = subject(rng)
    obj = object_for(rng, v, with_adj=rng.random() < 0.25, subject_en=s_en)
    if obj is None:
        return None
    if obj.kind in ("bare_pl", "mass") and v.en not in STATIVE and rng.random() < 0.35:
        adv_en, adv_de = rng.choice(ADVERBS)  # I often eat apples -> Ich esse oft Äpfel
        return (
            f"{cap(s_en)} {adv_en} {en_verb(v, p)} {obj.en}",
            f"{cap(s_de)} {v.de[p]} {adv_de} {obj.de}",
        )
    return f"{cap(s_en)} {en_verb(v, p)} {obj.en}", f"{cap(s_de)} {v.de[p]} {obj.de}"


def negative(rng: random.Random) -> Pair:
    """I do not have a dog -> Ich habe keinen Hund; I do not see the cat -> ... nicht."""
    v = rng.choice(PRESENT_VERBS)
    s_en, s_de, p = subject(rng)
    obj = object_for(
        rng,
        v,
        with_adj=rng.random() < 0.2,
        kinds=("the", "a", "poss", "bare_pl", "mass"),
        subject_en=s_en,
    )
    if obj is None:
        return None
    en = f"{cap(s_en)} {en_do(p)} not {v.en} {obj.en}"
    if obj.definite:
        return en, f"{cap(s_de)} {v.de[p]} {obj.de} nicht"
    return en, f"{cap(s_de)} {v.de[p]} {obj.de_kein}"


def cannot_find(rng: random.Random) -> Pair:
    """I cannot find my key -> Ich finde meinen Schlüssel nicht."""
    s_en, s_de, p = subject(rng)
    n = rng.choice([n for n in NOUNS if n.tags & {"small", "pet"}])
    obj = noun_phrase(rng, n, "acc", kinds=("the", "poss"))
    if obj is None:
        return None
    return f"{cap(s_en)} cannot find {obj.en}", f"{cap(s_de)} {VERB['find'].de[p]} {obj.de} nicht"


def present_time(rng: random.Random) -> Pair:
    """Every day, I read the newspaper -> Jeden Tag lese ich die Zeitung (verb second)."""
    v = rng.choice([v for v in PRESENT_VERBS if v.en not in STATIVE])
    s_en, s_de, p = subject(rng)
    obj = object_for(rng, v, with_adj=rng.random() < 0.2, subject_en=s_en)
    if obj is None:
        return None
    t_en, t_de = rng.choice(PRESENT_TIMES)
    return (
        f"{cap(t_en)}, {s_en} {en_verb(v, p)} {obj.en}",
        f"{cap(t_de)} {v.de[p]} {s_de} {obj.de}",
    )


def past(rng: random.Random) -> Pair:
    """I visited Berlin last year -> Ich habe Berlin letztes Jahr besucht;
    I had seen a fox -> Ich hatte ... einen Fuchs gesehen."""
    v = rng.choice(PAST_VERBS)
    s_en, s_de, p = subject(rng)
    obj = object_for(rng, v, with_adj=rng.random() < 0.2, subject_en=s_en)
    if obj is None:
        return None
    t_en, t_de = rng.choice(PAST_TIMES)
    if rng.random() < 0.3:
        verb_en, aux = f"had {v.en_pp}", HAD_DE[p]
    else:
        verb_en, aux = v.en_past, HAVE_DE[p]
    # A definite object comes before the time phrase, an indefinite one after it.
    middle = f"{obj.de} {t_de}" if obj.definite else f"{t_de} {obj.de}"
    return f"{cap(s_en)} {verb_en} {obj.en} {t_en}", f"{cap(s_de)} {aux} {middle} {v.de_pp}"


def going(rng: random.Random) -> Pair:
    """We go to school -> Wir gehen in die Schule;
    I traveled to Italy last year -> Ich bin letztes Jahr nach Italien gereist."""
    s_en, s_de, p = subject(rng)
    if rng.random() < 0.35:
        en_place, de_place = rng.choice(CITIES + COUNTRIES)
        dest_en, dest_de = f"to {en_place}", f"nach {de_place}"
        en_forms, de_forms, pp = ["travel", "travels", "traveled"], TRAVEL_DE, "gereist"
    else:
        dest_en, dest_de = rng.choice(DESTINATIONS)
        en_forms, de_forms, pp = ["go", "goes", "went", "gone"], GO_DE, "gegangen"
    en_now = en_forms[1] if p == 2 else en_forms[0]
    form = rng.choice(["present", "present", "time", "past", "past_perfect"])
    if form == "present":
        return f"{cap(s_en)} {en_now} {dest_en}", f"{cap(s_de)} {de_forms[p]} {dest_de}"
    if form == "time":
        t_en, t_de = rng.choice(PRESENT_TIMES)
        return (
            f"{cap(t_en)}, {s_en} {en_now} {dest_en}",
            f"{cap(t_de)} {de_forms[p]} {s_de} {dest_de}",
        )
    t_en, t_de = rng.choice(PAST_TIMES)
    if form == "past":  # "gehen" and "reisen" form the perfect with "sein"
        return (
            f"{cap(s_en)} {en_forms[2]} {dest_en} {t_en}",
            f"{cap(s_de)} {BE_DE[p]} {t_de} {dest_de} {pp}",
        )
    return (
        f"{cap(s_en)} had {en_forms[-1]} {dest_en} {t_en}",
        f"{cap(s_de)} {WAS_DE[p]} {t_de} {dest_de} {pp}",
    )


def question(rng: random.Random) -> Pair:
    """Wo ist der Bahnhof?  Hast du einen Hund?  Was liest du?  Wie viele Katzen hat sie?"""
    kind = rng.choice(
        [
            "where",
            "where",
            "yes_no",
            "yes_no",
            "is_adj",
            "what",
            "how_many",
            "cost",
            "is_there",
            "live",
            "from",
        ]
    )
    if kind == "where":
        n = rng.choice(
            [
                n
                for n in NOUNS
                if n.tags & {"place", "thing", "animal", "person", "family", "vehicle"}
            ]
        )
        if n.en_pl and rng.random() < 0.2:
            det_en, det_de = (
                ("my", "meine") if "family" in n.tags or rng.random() < 0.5 else ("the", "die")
            )
            return f"Where are {det_en} {n.en_pl}?", f"Wo sind {det_de} {n.de_pl}?"
        np = noun_phrase(rng, n, "nom", kinds=("the", "the", "poss"))
        return None if np is None else (f"Where is {np.en}?", f"Wo ist {np.de}?")
    if kind == "is_adj":  # Is the house small? -> Ist das Haus klein?
        parts = adjective_clause(rng)
        if parts is None:
            return None
        np_en, np_de, be_en, be_de, a = parts
        return f"{cap(be_en)} {np_en} {a.en}?", f"{cap(be_de)} {np_de} {a.de}?"
    s_en, s_de, p = subject(rng)
    if p == 0:  # no questions about "I"
        s_en, s_de, p = "you", "du", 1
    if kind == "yes_no":  # Do you see the dog? -> Siehst du den Hund?
        v = rng.choice(PRESENT_VERBS)
        obj = object_for(rng, v, with_adj=rng.random() < 0.2, subject_en=s_en)
        if obj is None:
            return None
        return f"{cap(en_do(p))} {s_en} {v.en} {obj.en}?", f"{cap(v.de[p])} {s_de} {obj.de}?"
    if kind == "what":  # What do you read? -> Was liest du?
        v = VERB[
            rng.choice(["eat", "drink", "read", "buy", "need", "cook", "write", "see", "hear"])
        ]
        return f"What {en_do(p)} {s_en} {v.en}?", f"Was {v.de[p]} {s_de}?"
    if kind == "how_many":  # How many dogs do you have? -> Wie viele Hunde hast du?
        n = rng.choice([n for n in NOUNS if n.en_pl and n.tags & {"pet", "thing", "family"}])
        return (
            f"How many {n.en_pl} {en_do(p)} {s_en} have?",
            f"Wie viele {n.de_pl} {HAVE_DE[p]} {s_de}?",
        )
    if kind == "cost":  # How much does the bag cost? -> Wie viel kostet die Tasche?
        n = rng.choice([n for n in NOUNS if n.en_pl and n.tags & {"thing", "vehicle"}])
        if rng.random() < 0.5:
            return (
                f"How much does the {n.en} cost?",
                f"Wie viel kostet {DEFINITE['nom'][n.gender]} {n.de}?",
            )
        return f"How much do the {n.en_pl} cost?", f"Wie viel kosten die {n.de_pl}?"
    if kind == "is_there":  # Is there a bank here? -> Gibt es hier eine Bank?
        n = rng.choice([n for n in NOUNS if "building" in n.tags])
        return (
            f"Is there {a_an(n.en)} {n.en} here?",
            f"Gibt es hier ein{EIN_ENDING['acc'][n.gender]} {n.de}?",
        )
    if kind == "live":  # Where do you live? -> Wo wohnst du?
        return f"Where {en_do(p)} {s_en} live?", f"Wo {LIVE_DE[p]} {s_de}?"
    return f"Where {BE_EN[p]} {s_en} from?", f"Woher {COME_DE[p]} {s_de}?"


def likes(rng: random.Random) -> Pair:
    """I like reading -> Ich lese gern; I love learning -> Ich liebe das Lernen."""
    s_en, s_de, p = subject(rng)
    ing, forms, de_noun = rng.choice(ACTIVITIES)
    de_verb = forms.split()[p]
    kind = rng.choice(["like", "love", "not"])
    if kind == "like":
        return f"{cap(s_en)} {en_verb(VERB['like'], p)} {ing}", f"{cap(s_de)} {de_verb} gern"
    if kind == "love":
        return (
            f"{cap(s_en)} {en_verb(VERB['love'], p)} {ing}",
            f"{cap(s_de)} {VERB['love'].de[p]} das {de_noun}",
        )
    return f"{cap(s_en)} {en_do(p)} not like {ing}", f"{cap(s_de)} {de_verb} nicht gern"


def location(rng: random.Random) -> Pair:
    """The cat is under the table -> Die Katze ist unter dem Tisch."""
    loc_en, loc_de, tags = rng.choice(LOCATIONS)
    wanted = set(tags.split())
    if "person" in wanted and rng.random() < 0.2:
        name, _ = rng.choice(NAMES)
        return f"{name} is {loc_en}", f"{name} ist {loc_de}"
    candidates = [
        n
        for n in NOUNS
        if (n.tags & wanted or n.en in wanted)
        and (n.en == "fish") == ("fish" in wanted)  # fish only in the lake
        and "family" not in n.tags
        and n.en not in loc_en.split()
    ]
    n = rng.choice(candidates)
    np = noun_phrase(rng, n, "nom", kinds=("the", "the", "poss"))
    return None if np is None else (f"{cap(np.en)} is {loc_en}", f"{cap(np.de)} ist {loc_de}")


def personal(rng: random.Random) -> Pair:
    """Names, family, jobs, age, home, languages, games and feelings."""
    kind = rng.choice(
        [
            "name",
            "family",
            "job",
            "age",
            "live",
            "from",
            "speak",
            "learn",
            "play",
            "feel",
            "feel",
            "hunger",
            "cold",
        ]
    )
    s_en, s_de, p = subject(rng)
    if kind == "name":  # My name is Anna -> Ich heiße Anna
        name, g = rng.choice(NAMES)
        if rng.random() < 0.4:
            return f"My name is {name}", f"Ich heiße {name}"
        en, de = {"m": ("His", "Er"), "f": ("Her", "Sie")}[g]
        return f"{en} name is {name}", f"{de} heißt {name}"
    if kind == "family":  # Anna is my sister -> Anna ist meine Schwester
        name, g = rng.choice(NAMES)
        n = rng.choice([n for n in NOUNS if "family" in n.tags and n.gender == g])
        en_p, de_p = rng.choice(POSSESSIVES)
        return f"{name} is {en_p} {n.en}", f"{name} ist {de_p}{EIN_ENDING['nom'][g]} {n.de}"
    if kind == "job":  # She is a doctor -> Sie ist Ärztin (only he, she and names:
        job_en, de_m, de_f = rng.choice(JOBS)  # the German form depends on the gender)
        who, g = rng.choice(NAMES + [("he", "m"), ("she", "f")])
        who_de = {"he": "er", "she": "sie"}.get(who, who)
        return (
            f"{cap(who)} is {a_an(job_en)} {job_en}",
            f"{cap(who_de)} ist {de_m if g == 'm' else de_f}",
        )
    if kind == "age":  # I am ten years old -> Ich bin zehn Jahre alt
        i = rng.randrange(1, 12)
        return (
            f"{cap(s_en)} {BE_EN[p]} {NUMBERS[i][0]} years old",
            f"{cap(s_de)} {BE_DE[p]} {NUMBERS[i][1]} Jahre alt",
        )
    if kind == "live":  # I live in Berlin -> Ich wohne in Berlin
        en, de = rng.choice(CITIES + COUNTRIES)
        return (
            f"{cap(s_en)} {'lives' if p == 2 else 'live'} in {en}",
            f"{cap(s_de)} {LIVE_DE[p]} in {de}",
        )
    if kind == "from":  # I am from Austria -> Ich komme aus Österreich
        en, de = rng.choice(CITIES + COUNTRIES)
        return f"{cap(s_en)} {BE_EN[p]} from {en}", f"{cap(s_de)} {COME_DE[p]} aus {de}"
    if kind == "speak":  # She speaks French -> Sie spricht Französisch
        en, de = rng.choice(LANGUAGES)
        return (
            f"{cap(s_en)} {'speaks' if p == 2 else 'speak'} {en}",
            f"{cap(s_de)} {SPEAK_DE[p]} {de}",
        )
    if kind == "learn":  # We learn German -> Wir lernen Deutsch
        en, de = rng.choice(LANGUAGES)
        if rng.random() < 0.3:
            t_en, t_de = rng.choice(PAST_TIMES)
            return (
                f"{cap(s_en)} learned {en} {t_en}",
                f"{cap(s_de)} {HAVE_DE[p]} {t_de} {de} gelernt",
            )
        return (
            f"{cap(s_en)} {'learns' if p == 2 else 'learn'} {en}",
            f"{cap(s_de)} {LEARN_DE[p]} {de}",
        )
    if kind == "play":  # I play the piano -> Ich spiele Klavier
        en, de = rng.choice(GAMES)
        if rng.random() < 0.3:
            t_en, t_de = rng.choice(PAST_TIMES)
            return (
                f"{cap(s_en)} played {en} {t_en}",
                f"{cap(s_de)} {HAVE_DE[p]} {t_de} {de} gespielt",
            )
        return (
            f"{cap(s_en)} {'plays' if p == 2 else 'play'} {en}",
            f"{cap(s_de)} {PLAY_DE[p]} {de}",
        )
    if kind == "feel":  # I am tired -> Ich bin müde
        en, de = rng.choice(FEELINGS)
        return f"{cap(s_en)} {BE_EN[p]} {en}", f"{cap(s_de)} {BE_DE[p]} {de}"
    if kind == "hunger":  # I am hungry -> Ich habe Hunger
        en, de = rng.choice([("hungry", "Hunger"), ("thirsty", "Durst")])
        return f"{cap(s_en)} {BE_EN[p]} {en}", f"{cap(s_de)} {HAVE_DE[p]} {de}"
    # I am cold -> Mir ist kalt (a dative pronoun, so only for pronoun subjects)
    dative = {"I": "mir", "you": "dir", "he": "ihm", "she": "ihr", "we": "uns", "they": "ihnen"}
    if s_en not in dative:
        return None
    en, de = rng.choice([("cold", "kalt"), ("warm", "warm")])
    return f"{cap(s_en)} {BE_EN[p]} {en}", f"{cap(dative[s_en])} ist {de}"


def numbers(rng: random.Random) -> Pair:
    """Es ist drei Uhr; Zwei plus drei ist fünf; Heute ist Montag; Ich habe zwei Hunde."""
    kind = rng.choice(["clock", "sum", "day", "have", "have"])
    if kind == "clock":
        i = rng.randrange(12)
        return f"It is {NUMBERS[i][0]} o'clock", f"Es ist {'ein' if i == 0 else NUMBERS[i][1]} Uhr"
    if kind == "sum":
        a, b = rng.randrange(1, 12), rng.randrange(1, 12)
        c, op = (a + b, "plus") if rng.random() < 0.5 else (a - b, "minus")
        if not 1 <= c <= 12:
            return None
        (a_en, a_de), (b_en, b_de), (c_en, c_de) = NUMBERS[a - 1], NUMBERS[b - 1], NUMBERS[c - 1]
        return f"{cap(a_en)} {op} {b_en} is {c_en}", f"{cap(a_de)} {op} {b_de} ist {c_de}"
    if kind == "day":
        en, de = rng.choice(DAYS)
        when_en, when_de = rng.choice(
            [
                ("Today is", "Heute ist"),
                ("Tomorrow is", "Morgen ist"),
                ("Yesterday was", "Gestern war"),
            ]
        )
        return f"{when_en} {en}", f"{when_de} {de}"
    s_en, s_de, p = subject(rng)  # I have three small dogs -> Ich habe drei kleine Hunde
    n = rng.choice([n for n in NOUNS if n.en_pl and n.tags & {"pet", "thing", "family"}])
    np = noun_phrase(
        rng, n, "acc", kinds=("num",), with_adj="family" not in n.tags and rng.random() < 0.3
    )
    if np is None:
        return None
    return f"{cap(s_en)} {en_verb(VERB['have'], p)} {np.en}", f"{cap(s_de)} {HAVE_DE[p]} {np.de}"


# How many pairs each template contributes (scaled to --count).
TEMPLATES = [
    (predicative, 520),
    (attributive, 300),
    (present, 700),
    (negative, 300),
    (cannot_find, 60),
    (present_time, 250),
    (past, 550),
    (going, 330),
    (question, 420),
    (likes, 150),
    (location, 170),
    (personal, 300),
    (numbers, 120),
]
# Example pairs for the course notebooks; always in the training split.
REQUIRED: list[tuple[str, str]] = [
    (
        "I had visited New York a couple of weeks ago",
        "Ich hatte New York vor ein paar Wochen besucht",
    ),
    ("The house is small", "Das Haus ist klein"),
    ("I love learning", "Ich liebe das Lernen"),
    ("Thank you very much", "Vielen Dank"),
    ("Where is the station?", "Wo ist der Bahnhof?"),
]


def make_pairs(count: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """About `count` different (en, de, split) rows; 10 % are held out as "test"."""
    rng = random.Random(seed)
    pairs: dict[str, str] = {}  # English -> German; a dict keeps the order

    def add(en: str, de: str) -> bool:
        if en in pairs:
            assert pairs[en] == de, f"two translations of {en!r}: {pairs[en]!r}, {de!r}"
            return False
        pairs[en] = de
        return True

    for en, de in REQUIRED + PHRASES:
        add(en, de)
    scale = (count - len(pairs)) / sum(quota for _, quota in TEMPLATES)
    for template, quota in TEMPLATES:
        target = round(quota * scale)
        made = tries = 0
        while made < target and tries < 100 * target:
            tries += 1
            pair = template(rng)
            if pair is not None and add(*pair):
                made += 1
    rows = list(pairs.items())
    rng.shuffle(rows)
    # Fixed phrases ("Vielen Dank") cannot be worked out from other pairs, so they
    # all stay in training; the test split only holds templated sentences.
    always_train = {en for en, _ in REQUIRED + PHRASES}
    held_out = set(rng.sample([en for en, _ in rows if en not in always_train], len(rows) // 10))
    return [(en, de, "test" if en in held_out else "train") for en, de in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("en_de.tsv"))
    parser.add_argument("--count", type=int, default=4000)
    args = parser.parse_args()
    rows = make_pairs(args.count)
    lines = ["en\tde\tsplit"] + ["\t".join(row) for row in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    n_test = sum(split == "test" for _, _, split in rows)
    print(f"wrote {len(rows)} pairs ({len(rows) - n_test} train, {n_test} test) to {args.out}")


if __name__ == "__main__":
    main()
