"""Run every zoo stand-in on fixed inputs and print what came out, as JSON (one library generation).

``tests/test_compat.py`` runs this under transformers 5 and under 4.57 and compares: the same
stand-in must tokenize, score and generate identically in both. Usage (offline):
``python tests/compat_probe.py`` → one JSON object on stdout.
"""

from __future__ import annotations

import json
import sys

import course_utils

SENTENCE = "The house is small, and the garden behind it is green."
INPUTS = {  # what each kind of model reads; seq2seq models get their own task's input
    "T5ForConditionalGeneration": "translate English to German: The house is small.",
    "MarianMTModel": "I had visited New York a couple of weeks ago",
    "BartForConditionalGeneration": (
        "A storm hit Penley on Friday night. About 150 homes lost power, and the town's river "
        "rose by 2 metres. Mayor Ruth Okafor said the clean-up would take a week."
    ),
}
NEW_TOKENS = 12


def probe(build_dir) -> dict:  # build_dir: a Path
    import torch
    import transformers
    from transformers import AutoConfig, AutoTokenizer

    architecture = AutoConfig.from_pretrained(build_dir).architectures[0]
    model = getattr(transformers, architecture).from_pretrained(build_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(build_dir)
    text = INPUTS.get(architecture, SENTENCE)
    encoded = tokenizer(text, return_tensors="pt")
    result = {"architecture": architecture, "input_ids": encoded["input_ids"][0].tolist()}
    with torch.no_grad():
        if model.config.is_encoder_decoder:
            start = torch.tensor([[model.generation_config.decoder_start_token_id]])
            output = model(**encoded, decoder_input_ids=start)
        else:
            output = model(**encoded)
        scores = output[0] if not hasattr(output, "logits") else output.logits
        last = scores[0, -1] if scores.dim() == 3 else scores[0]  # the last position reads all
        result["scores"] = last.flatten()[:64].tolist()
        if model.can_generate():
            for name, options in {"greedy": {}, "beam": {"num_beams": 4}}.items():
                generated = model.generate(
                    **encoded, max_new_tokens=NEW_TOKENS, do_sample=False, **options
                )
                result[name] = generated[0].tolist()
                result[f"{name}_text"] = tokenizer.decode(generated[0], skip_special_tokens=True)
    return result


def main() -> int:
    course_utils.setup(seed=0, offline=True, verbose=False)
    from course_utils.zoo import plan

    results = {state.recipe.name: probe(state.build_dir) for state in plan()}
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
