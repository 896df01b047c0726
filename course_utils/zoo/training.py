"""Small, plain-PyTorch training loops that build the stand-ins.

One loop (``train``) does the optimisation; the task functions only say how to draw a batch.
Everything is seeded by the caller and runs on the CPU in seconds to a minute or two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

Batch = dict[str, "torch.Tensor"]
OptimizerFactory = Callable[[list["torch.nn.Parameter"], float], "torch.optim.Optimizer"]


def adamw(parameters: list[torch.nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """AdamW with weight decay 0.01: the optimiser of every stand-in but T5."""
    import torch

    return torch.optim.AdamW(parameters, lr=lr, weight_decay=0.01)


def train(
    model: PreTrainedModel,
    next_batch: Callable[[int], Batch],
    steps: int,
    lr: float,
    desc: str,
    warmup: float = 0.06,
    make_optimizer: OptimizerFactory = adamw,
    max_grad_norm: float | None = 1.0,
) -> list[float]:
    """``steps`` steps with linear warm-up and decay to ``lr``; returns the loss of each step.

    ``make_optimizer`` builds the optimiser from the trainable parameters and the peak learning
    rate. ``max_grad_norm`` clips the gradient first; ``None`` leaves that to optimisers that
    clip their own updates (Adafactor).
    """
    import torch
    from transformers import get_linear_schedule_with_warmup

    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = make_optimizer(trainable, lr)
    schedule = get_linear_schedule_with_warmup(optimizer, int(warmup * steps), steps)
    losses = []
    progress = tqdm(range(steps), desc=desc, leave=False, mininterval=1.0)
    for step in progress:
        loss = model(**next_batch(step)).loss
        loss.backward()
        if max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(trainable, max_grad_norm)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if step % 20 == 0:
            progress.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    return losses


def shuffled_batches(n_items: int, batch_size: int, seed: int) -> Callable[[int], list[int]]:
    """Index batches that walk through shuffled epochs: ``indices(step)`` → list of item ids."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    order: list[int] = []

    def indices(step: int) -> list[int]:
        nonlocal order
        while len(order) < (step + 1) * batch_size:
            order += torch.randperm(n_items, generator=generator).tolist()
        return order[step * batch_size : (step + 1) * batch_size]

    return indices


def fine_tune_classifier(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    labels: Sequence[int],
    epochs: int,
    batch_size: int = 16,
    lr: float = 5e-5,
    seed: int = 0,
) -> list[float]:
    """Fine-tune a sequence classifier on (text, label) pairs."""
    import torch

    indices = shuffled_batches(len(texts), batch_size, seed)

    def next_batch(step: int) -> Batch:
        chosen = indices(step)
        batch = tokenizer(
            [texts[i] for i in chosen],
            padding=True,
            truncation=True,
            max_length=64,
            return_tensors="pt",
        )
        batch["labels"] = torch.tensor([labels[i] for i in chosen])
        return dict(batch)

    steps = epochs * -(-len(texts) // batch_size)
    return train(model, next_batch, steps, lr, desc="fine-tune classifier")


def train_masked_lm(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    steps: int,
    batch_size: int = 32,
    lr: float = 1e-4,
    seed: int = 0,
) -> list[float]:
    """Masked-LM training of a ``BertForMaskedLM`` with the standard recipe (15%; 80/10/10).

    The vocabulary projection runs only at the masked positions (the loss ignores the others),
    which makes each step several times cheaper than the model's own full-sequence forward.
    """
    import torch
    from transformers import DataCollatorForLanguageModeling

    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)  # seeded globally
    indices = shuffled_batches(len(texts), batch_size, seed)

    def next_batch(step: int) -> Batch:
        encoded = tokenizer([texts[i] for i in indices(step)], truncation=True, max_length=48)
        return dict(collator([{"input_ids": ids} for ids in encoded["input_ids"]]))

    class MaskedPositionsOnly(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids, attention_mask, labels) -> SimpleNamespace:
            hidden = self.inner.bert(input_ids=input_ids, attention_mask=attention_mask)[0]  # type: ignore[operator]  # a BertForMaskedLM's submodule; nn.Module types attributes Tensor | Module
            masked = labels != -100
            logits = self.inner.cls(hidden[masked])  # type: ignore[operator]  # as .bert above
            return SimpleNamespace(loss=torch.nn.functional.cross_entropy(logits, labels[masked]))

    return train(MaskedPositionsOnly(), next_batch, steps, lr, desc="masked-LM")  # type: ignore[arg-type]  # train uses only what any nn.Module has (train(), parameters(), a forward returning .loss)


def train_causal_lm(
    model: PreTrainedModel,
    token_ids: torch.Tensor,
    steps: int,
    context: int,
    batch_size: int = 32,
    lr: float = 3e-3,
    seed: int = 0,
) -> list[float]:
    """Next-token training on random windows of one long stream of token ids."""
    import torch

    generator = torch.Generator().manual_seed(seed)

    def next_batch(step: int) -> Batch:
        starts = torch.randint(0, len(token_ids) - context, (batch_size,), generator=generator)
        windows = torch.stack([token_ids[s : s + context] for s in starts.tolist()])
        return {"input_ids": windows, "labels": windows}

    return train(model, next_batch, steps, lr, desc="causal-LM")
