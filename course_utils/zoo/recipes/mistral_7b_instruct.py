"""Stand-in for mistralai/Mistral-7B-Instruct-v0.3 (gated): a tiny instruction-following Mistral.

Same class (``MistralForCausalLM``: RoPE, grouped-query attention with fewer key/value heads than
query heads, SwiGLU, RMSNorm), a Llama-style tokenizer and Mistral's ``[INST] … [/INST]`` chat
format. It is trained on the project's stories written as answers to requests for a story, so
``[INST] Tell me a story. [/INST]`` gets one. The real model is gated, so this stand-in is never
put in the offline cache: the course's local test Hub serves it, and only after login.
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo import story_decoders as sd
from course_utils.zoo.recipe import BuildContext, Recipe

SPECIAL_TOKENS = {"unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>"}
CONTROL_TOKENS = ("[INST]", "[/INST]")  # single tokens in Mistral v0.3's vocabulary too
# Mistral's template in its simplest form: user turns in [INST] … [/INST], answers end with </s>.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'user' %}[INST] {{ message['content'] }} [/INST]"
    "{% elif message['role'] == 'assistant' %} {{ message['content'] }}{{ eos_token }}"
    "{% endif %}{% endfor %}"
)
REQUESTS = (
    "Tell me a story.",
    "Please tell me a short story.",
    "Can you tell me a bedtime story?",
    "I would like to hear a story.",
)


def build(context: BuildContext) -> None:
    from transformers import MistralConfig, MistralForCausalLM

    stories = data.stories(context.data_dir)
    dialogues = [
        f"[INST] {REQUESTS[i % len(REQUESTS)]} [/INST] {story}" for i, story in enumerate(stories)
    ]
    tokenizer = sd.sentencepiece_bpe_tokenizer(
        stories + list(REQUESTS), context.out_dir, SPECIAL_TOKENS, CHAT_TEMPLATE, CONTROL_TOKENS
    )

    def make_config(tokenizer) -> MistralConfig:
        return MistralConfig(  # type: ignore[call-arg]  # rope_theta: 4.57's field; 5.x takes it as an extra keyword into rope_parameters
            vocab_size=len(tokenizer),
            hidden_size=sd.WIDTH,
            intermediate_size=3 * sd.WIDTH,
            num_hidden_layers=sd.LAYERS,
            num_attention_heads=sd.HEADS,
            num_key_value_heads=sd.HEADS // 2,
            max_position_embeddings=32768,
            rope_theta=1000000.0,
            sliding_window=None,
            tie_word_embeddings=False,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            architectures=["MistralForCausalLM"],
        )

    sd.train_story_decoder(context, tokenizer, make_config, MistralForCausalLM, texts=dialogues)


RECIPE = Recipe(
    name="mistral-7b-instruct",
    repo_ids=("mistralai/Mistral-7B-Instruct-v0.3",),
    architecture="MistralForCausalLM",
    summary="tiny Mistral (GQA, 3 layers, 128 wide) answering story requests; gated: test Hub only",
    build=build,
    data_files=(data.STORIES_FILE,),
    gated=True,
)
