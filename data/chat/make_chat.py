"""Writes ``chat.jsonl``: short, friendly assistant conversations about transformers.

Run from the repository root: ``python data/chat/make_chat.py``. Standard library only;
``random.Random(0)`` makes the output byte-identical on every run.

Each line is one conversation in the message format every chat model uses (a list of
``{"role", "content"}`` dicts; a ``system`` message first when the conversation has one). The
assistant explains this course's subject: what an encoder, a decoder, attention or a tokenizer
is, which family a model belongs to, which model fits which task; it greets, says "you are
welcome", and tells a short story from ``data/stories`` when asked. Two kinds of turn need the
history to be answered: a follow-up with a pronoun ("What is it good for?") and an elliptical
one ("And what about GPT-2?"), whose question type comes from the first turn. A system prompt
asking for one sentence makes every explanation stop after its first sentence.

Two splits: ``train``, and ``test`` (never trained on), which holds combinations training
never contains: follow-up pairs that training leaves out, question phrasings training never
uses, and a system prompt wording of its own.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "chat.jsonl"
STORIES = HERE.parent / "stories" / "stories.txt"
N_TRAIN, N_TEST = 4000, 120
STORY_POOL = 400  # stories the conversations draw from (the first lines of stories.txt)

FAMILY_DETAIL = {
    "encoder-only": (
        "It reads the whole text in both directions at once, which makes it good at "
        "understanding text."
    ),
    "decoder-only": (
        "It reads text from left to right and predicts the next token, which makes it good at "
        "writing text."
    ),
    "encoder-decoder": (
        "Its encoder reads the input and its decoder writes a new text, which makes it good at "
        "turning one text into another."
    ),
}


@dataclass(frozen=True)
class Model:
    name: str
    family: str
    description: str  # completes "<name> is an <family> transformer ..."
    uses: str  # completes "<name> is good for ..."

    @property
    def article(self) -> str:
        return "an" if self.family[0] in "ae" else "a"


MODELS = [
    Model(
        "BERT",
        "encoder-only",
        "from Google",
        "classifying text, finding names and answering questions about a passage",
    ),
    Model(
        "DistilBERT",
        "encoder-only",
        "that is a smaller and faster copy of BERT",
        "sentiment analysis and other text classification on small computers",
    ),
    Model(
        "MiniLM",
        "encoder-only",
        "that is small and fast",
        "sentence embeddings, semantic search and finding similar sentences",
    ),
    Model(
        "GPT-2",
        "decoder-only",
        "from OpenAI",
        "writing text, continuing a story and other text generation",
    ),
    Model("GPT-Neo", "decoder-only", "from EleutherAI", "open text generation, like GPT-2"),
    Model("OPT", "decoder-only", "from Meta", "text generation and research on large models"),
    Model(
        "BLOOM",
        "decoder-only",
        "that was trained on many languages",
        "writing text in many languages",
    ),
    Model(
        "Mistral",
        "decoder-only",
        "from Mistral AI",
        "chat and following instructions, in its Instruct version",
    ),
    Model(
        "T5",
        "encoder-decoder",
        "from Google that treats every task as text to text",
        "translation, summarization and answering questions",
    ),
    Model("BART", "encoder-decoder", "from Meta", "summarizing news articles"),
    Model(
        "Marian",
        "encoder-decoder",
        "that is trained for one language pair",
        "translation, for example from English to German",
    ),
]

# (ways to name it in a question, the answer's two sentences)
CONCEPTS = [
    (
        ("an encoder", "the encoder"),
        "An encoder reads the whole input and turns every token into a vector that knows its "
        "context.",
        "BERT is an example of an encoder-only model.",
    ),
    (
        ("a decoder", "the decoder"),
        "A decoder writes text one token at a time, and each new token depends only on the "
        "tokens before it.",
        "GPT-2 is an example of a decoder-only model.",
    ),
    (
        ("an encoder-decoder", "an encoder-decoder model"),
        "An encoder-decoder model has an encoder that reads the input and a decoder that writes "
        "the output.",
        "T5 and BART are examples.",
    ),
    (
        ("attention",),
        "Attention lets each token look at the other tokens and take in what it needs from them.",
        "It is the core of every transformer.",
    ),
    (
        ("self-attention",),
        "Self-attention is attention where the tokens of one text look at each other.",
        "Each token gets a weighted average of all the tokens it may see.",
    ),
    (
        ("cross-attention",),
        "Cross-attention lets the decoder look at the output of the encoder.",
        "It is how a translation model looks at the source sentence.",
    ),
    (
        ("a tokenizer", "the tokenizer"),
        "A tokenizer splits text into tokens and turns them into ids.",
        "The model only ever sees these ids.",
    ),
    (
        ("a transformer", "the transformer"),
        "A transformer is a neural network built from attention layers and small feed-forward "
        "layers.",
        "Encoders, decoders and encoder-decoders are its three families.",
    ),
    (
        ("an embedding", "a sentence embedding"),
        "An embedding is a vector of numbers that stands for a token or a sentence.",
        "Similar meanings get similar vectors.",
    ),
    (
        ("a causal mask", "the causal mask"),
        "A causal mask stops each token from looking at the tokens after it.",
        "Decoders use it so that they cannot peek at the next word.",
    ),
    (
        ("fine-tuning",),
        "Fine-tuning trains a pretrained model a little more on your own task.",
        "It needs far less data than training from scratch.",
    ),
    (
        ("a chat template", "the chat template"),
        "A chat template turns a list of messages into the one string the model was trained on.",
        "It adds the special tokens that mark each turn.",
    ),
    (
        ("temperature",),
        "Temperature changes how random the sampling is.",
        "Low values pick likely tokens, high values take more risks.",
    ),
    (
        ("the context window", "a context window"),
        "The context window is the longest text a model can read at once.",
        "Older messages must be dropped when a chat gets too long.",
    ),
]

TASKS = [
    (
        "sentiment analysis",
        "For sentiment analysis, use an encoder-only model such as DistilBERT fine-tuned on SST-2.",
        "It reads the whole review before it decides.",
    ),
    (
        "translation",
        "For translation, use an encoder-decoder model such as Marian or T5.",
        "The encoder reads the source sentence and the decoder writes the translation.",
    ),
    (
        "summarization",
        "For summarization, use an encoder-decoder model such as BART.",
        "It reads the whole article and writes a short summary.",
    ),
    (
        "text generation",
        "For text generation, use a decoder-only model such as GPT-2.",
        "It writes one token at a time.",
    ),
    (
        "semantic search",
        "For semantic search, use a sentence embedding model such as MiniLM.",
        "It turns each sentence into a vector that you can compare with others.",
    ),
    (
        "named entity recognition",
        "For named entity recognition, use an encoder-only model such as BERT with a token "
        "classification head.",
        "It gives every word a label.",
    ),
    (
        "question answering",
        "For question answering, use an encoder-only model such as DistilBERT trained on SQuAD.",
        "It points at the answer inside the passage.",
    ),
    (
        "a chatbot",
        "For a chatbot, use a decoder-only model trained on conversations, such as SmolLM2.",
        "It needs the chat template it was trained with.",
    ),
]

# Question phrasings. The last of each list is held out: only the test split uses it.
ASK_WHAT = [
    "What is {m}?",
    "Tell me about {m}.",
    "Can you explain {m}?",
    "What kind of model is {m}?",
    "Could you tell me what {m} is?",
]
ASK_FAMILY = [
    "Which family does {m} belong to?",
    "Is {m} an encoder or a decoder?",
    "What family is {m}?",
    "Which transformer family is {m} in?",
]
ASK_USES = [
    "What is {m} good for?",
    "What can I use {m} for?",
    "Which tasks suit {m}?",
    "What would I use {m} for?",
]
ASK_CONCEPT = [
    "What is {c}?",
    "Can you explain {c}?",
    "Tell me about {c}.",
    "What does {c} mean?",
    "Could you explain {c} to me?",
]
ASK_TASK = [
    "Which model should I use for {t}?",
    "What is a good model for {t}?",
    "Which model fits {t}?",
    "I want to do {t}. What should I use?",
]
# Follow-ups that need the first turn.
AND_MODEL = ["And what about {m}?", "What about {m}?", "And {m}?", "How about {m}?"]
AND_CONCEPT = ["And what about {c}?", "What about {c}?", "And {c}?", "How about {c}?"]
AND_TASK = ["And for {t}?", "What about {t}?", "And what about {t}?", "How about {t}?"]
IT_FAMILY = [
    "Which family is it?",
    "Which family does it belong to?",
    "Is it an encoder or a decoder?",
    "And which family is it in?",
]
IT_USES = [
    "What is it good for?",
    "What can I use it for?",
    "Which tasks suit it?",
    "And what would I use it for?",
]

GREETINGS = ["Hello!", "Hi!", "Hi there.", "Good morning!", "Hey!", "Hello there!"]
GREETING_REPLY = (
    "Hello! I am a small assistant for the Transformer Variants course. Ask me about "
    "encoders, decoders, attention or which model fits a task."
)
WHO = ["Who are you?", "What can you do?", "What are you?", "What can you help me with?"]
WHO_REPLY = (
    "I am a small assistant for the Transformer Variants course. I can explain encoders, "
    "decoders and attention, say which model fits which task, and tell you a short story."
)
THANKS = ["Thank you!", "Thanks, that helps.", "Great, thanks!", "Thanks!", "Thank you very much."]
THANKS_REPLY = "You are welcome! Ask me anything else about transformers."
BYE = ["Bye!", "Goodbye.", "See you later!", "That is all, bye."]
BYE_REPLY = "Goodbye! Have fun with the course."
STORY = [
    "Tell me a story.",
    "Please tell me a short story.",
    "Can you tell me a bedtime story?",
    "I would like to hear a story.",
    "Could you tell me a little story?",
]

DEFAULT_LIKE = [
    "You are a friendly tutor for the Transformer Variants course.",
    "You are a helpful assistant.",
]
BRIEF = [
    "Answer in one sentence.",
    "Keep your answers to one sentence.",
    "Be brief.",
    "Please answer briefly, in one sentence.",
]  # the last: test split only

Answer = tuple[str, str]  # (first sentence, the rest); "brief" answers keep only the first


def _held_out(options: list[str], rng: random.Random, split: str) -> str:
    """A training phrasing for train; the held-out (last) phrasing for test."""
    if split == "test":
        return options[-1]
    return rng.choice(options[:-1])


def _held_out_pair(first: int, second: int) -> bool:
    """Follow-up pairs that only the test split contains (about one pair in six)."""
    return (first * 7 + second * 3) % 6 == 0


def _pair(rng: random.Random, n: int, split: str) -> tuple[int, int]:
    while True:
        a, b = rng.sample(range(n), 2)
        if _held_out_pair(a, b) == (split == "test"):
            return a, b


def model_answer(kind: str, model: Model) -> Answer:
    if kind == "what":
        return (
            f"{model.name} is {model.article} {model.family} transformer {model.description}.",
            FAMILY_DETAIL[model.family],
        )
    if kind == "family":
        return (
            f"{model.name} is {model.article} {model.family} model.",
            FAMILY_DETAIL[model.family],
        )
    return (
        f"{model.name} is good for {model.uses}.",
        f"It is {model.article} {model.family} model.",
    )


def model_question(kind: str, model: Model, rng: random.Random, split: str) -> str:
    options = {"what": ASK_WHAT, "family": ASK_FAMILY, "uses": ASK_USES}[kind]
    return _held_out(options, rng, split).format(m=model.name)


def _render(answer: Answer, brief: bool) -> str:
    first, rest = answer
    return first if brief or not rest else f"{first} {rest}"


Turn = tuple[str, Answer]  # (user message, answer)


def single_model(rng: random.Random, split: str) -> tuple[str, list[Turn]]:
    model = rng.choice(MODELS)
    kind = rng.choice(["what", "family", "uses"])
    return f"model-{kind}", [(model_question(kind, model, rng, split), model_answer(kind, model))]


def single_concept(rng: random.Random, split: str) -> tuple[str, list[Turn]]:
    names, first, rest = rng.choice(CONCEPTS)
    question = _held_out(ASK_CONCEPT, rng, split).format(c=rng.choice(names))
    return "concept", [(question, (first, rest))]


def single_task(rng: random.Random, split: str) -> tuple[str, list[Turn]]:
    task, first, rest = rng.choice(TASKS)
    return "task", [(_held_out(ASK_TASK, rng, split).format(t=task), (first, rest))]


def follow_model(rng: random.Random, split: str) -> tuple[str, list[Turn]]:
    """ "And what about GPT-2?": the question type comes from the first turn."""
    a, b = _pair(rng, len(MODELS), split)
    kind = rng.choice(["what", "family", "uses"])
    first = (model_question(kind, MODELS[a], rng, "train"), model_answer(kind, MODELS[a]))
    second = (rng.choice(AND_MODEL).format(m=MODELS[b].name), model_answer(kind, MODELS[b]))
    return f"follow-model-{kind}", [first, second]


def follow_pronoun(rng: random.Random, split: str) -> tuple[str, list[Turn]]:
    """ "What is it good for?": the model comes from the first turn."""
    model = rng.choice(MODELS)
    kind = rng.choice(["family", "uses"])
    options = IT_FAMILY if kind == "family" else IT_USES
    first = (model_question("what", model, rng, "train"), model_answer("what", model))
    second = (_held_out(options, rng, split), model_answer(kind, model))
    return f"follow-it-{kind}", [first, second]


def follow_concept(rng: random.Random, split: str) -> tuple[str, list[Turn]]:
    a, b = _pair(rng, len(CONCEPTS), split)
    names_a, *answer_a = CONCEPTS[a]
    names_b, *answer_b = CONCEPTS[b]
    first = (rng.choice(ASK_CONCEPT[:-1]).format(c=rng.choice(names_a)), tuple(answer_a))
    second = (rng.choice(AND_CONCEPT).format(c=rng.choice(names_b)), tuple(answer_b))
    return "follow-concept", [first, second]  # type: ignore[list-item]


def follow_task(rng: random.Random, split: str) -> tuple[str, list[Turn]]:
    a, b = _pair(rng, len(TASKS), split)
    first = (rng.choice(ASK_TASK[:-1]).format(t=TASKS[a][0]), TASKS[a][1:])
    second = (rng.choice(AND_TASK).format(t=TASKS[b][0]), TASKS[b][1:])
    return "follow-task", [first, second]  # type: ignore[list-item]


def small_talk(rng: random.Random, split: str) -> tuple[str, list[Turn]]:
    """A greeting or "who are you" first, then a question, or a question then thanks/bye."""
    opener = rng.choice([(GREETINGS, GREETING_REPLY), (WHO, WHO_REPLY)])
    question = rng.choice([single_model, single_concept, single_task])(rng, split)[1][0]
    closer = rng.choice([(THANKS, THANKS_REPLY), (BYE, BYE_REPLY)])
    if rng.random() < 0.5:
        turns = [(rng.choice(opener[0]), (opener[1], "")), question]
    else:
        turns = [question, (rng.choice(closer[0]), (closer[1], ""))]
    return "small-talk", turns


def story(rng: random.Random, split: str, stories: list[str]) -> tuple[str, list[Turn]]:
    return "story", [(_held_out(STORY, rng, split), (rng.choice(stories), ""))]


def conversation(rng: random.Random, split: str, stories: list[str]) -> dict:
    makers: list[tuple[Callable[..., tuple[str, list[Turn]]], float]] = [
        (single_model, 0.16),
        (single_concept, 0.12),
        (single_task, 0.08),
        (follow_model, 0.18),
        (follow_pronoun, 0.14),
        (follow_concept, 0.08),
        (follow_task, 0.07),
        (small_talk, 0.09),
        (lambda r, s: story(r, s, stories), 0.08),
    ]
    make = rng.choices([m for m, _ in makers], weights=[w for _, w in makers])[0]
    kind, turns = make(rng, split)
    system = None
    roll = rng.random()
    if kind != "story" and roll < 0.3:
        system = BRIEF[-1] if split == "test" else rng.choice(BRIEF[:-1])
    elif roll < 0.45:
        system = rng.choice(DEFAULT_LIKE)
    brief = system in BRIEF
    messages = [{"role": "system", "content": system}] if system else []
    for question, answer in turns:
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": _render(answer, brief)})
    return {"split": split, "kind": kind, "brief": brief, "messages": messages}


def main() -> None:
    rng = random.Random(0)
    lines = [line for line in STORIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    stories = lines[:STORY_POOL]
    rows = [conversation(rng, "train", stories) for _ in range(N_TRAIN)]
    rows += [conversation(rng, "test", stories) for _ in range(N_TEST)]
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    print(f"wrote {len(rows)} conversations to {OUT.name}")


if __name__ == "__main__":
    main()
