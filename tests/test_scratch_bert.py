"""The from-scratch BERT of notebook 06 computes what Hugging Face's BertModel computes."""

from __future__ import annotations

import pytest
import torch

from course_utils.scratch_bert import (
    ScratchBert,
    ScratchBertConfig,
    ScratchBertForSequenceClassification,
    WeightLoadingError,
    additive_padding_mask,
    explicit_attention,
    hf_bert_key_map,
    load_hf_bert_weights,
)

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
SENTENCES = [
    "I loved learning huggingface today",
    "The cat sat.",
    "Padding makes every sentence in a batch as long as the longest one, like this one here.",
]
TINY_SIZES = {
    "vocab_size": 50,
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 32,
    "max_position_embeddings": 20,
}
TINY = ScratchBertConfig(**TINY_SIZES)


@pytest.fixture(scope="module")
def minilm():
    """Hugging Face's BertModel with the real all-MiniLM-L6-v2 weights, its tokenizer, a batch."""
    from transformers import AutoTokenizer, BertModel

    model = BertModel.from_pretrained(MINILM_ID).eval()
    tokenizer = AutoTokenizer.from_pretrained(MINILM_ID)
    batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    assert (batch["attention_mask"] == 0).any(), "the batch must contain padding"
    return model, batch


@pytest.fixture(scope="module")
def scratch_minilm(minilm):
    hf_model, _ = minilm
    model = ScratchBert(ScratchBertConfig.from_hf(hf_model.config)).eval()
    load_hf_bert_weights(model, hf_model.state_dict())
    return model


def tiny_model(seed: int = 0) -> ScratchBert:
    torch.manual_seed(seed)
    return ScratchBert(TINY).eval()


def test_matches_hugging_face_at_every_position_with_padding(minilm, scratch_minilm):
    hf_model, batch = minilm
    with torch.no_grad():
        expected = hf_model(**batch)
        ours = scratch_minilm(**batch)
    difference = (ours.last_hidden_state - expected.last_hidden_state).abs()
    # All positions, padding included: both mask only the keys, so padded rows agree too.
    assert difference.max() <= 1e-4
    # Real tokens agree tighter still; a wrong layer-norm eps (1e-5) already gives 5e-5.
    assert difference[batch["attention_mask"].bool()].max() <= 2e-5
    assert (ours.pooler_output - expected.pooler_output).abs().max() <= 1e-4


def test_the_tolerance_catches_a_wrong_layer_norm_eps(minilm):
    hf_model, batch = minilm
    pytorch_default = ScratchBert(ScratchBertConfig.from_hf(hf_model.config, layer_norm_eps=1e-5))
    load_hf_bert_weights(pytorch_default.eval(), hf_model.state_dict())
    with torch.no_grad():
        difference = (pytorch_default(**batch)[0] - hf_model(**batch)[0]).abs()
    assert difference[batch["attention_mask"].bool()].max() > 2e-5


def test_attention_weights_match_hugging_face_eager(minilm, scratch_minilm):
    from transformers import BertModel

    _, batch = minilm
    eager = BertModel.from_pretrained(MINILM_ID, attn_implementation="eager").eval()
    with torch.no_grad():
        expected = eager(**batch, output_attentions=True).attentions
        ours = scratch_minilm(**batch, output_attentions=True)
        fused = scratch_minilm(**batch)
    assert len(ours.attentions) == len(expected) == 6
    for mine, theirs in zip(ours.attentions, expected, strict=True):
        assert mine.shape == theirs.shape
        assert (mine - theirs).abs().max() <= 1e-5
    # The written-out path (used for the weights) and the fused SDPA path agree.
    assert (ours.last_hidden_state - fused.last_hidden_state).abs().max() <= 1e-4


def test_explicit_attention_equals_pytorch_sdpa():
    torch.manual_seed(0)
    query, key, value = (torch.randn(2, 3, 5, 4) for _ in range(3))
    mask = additive_padding_mask(torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]), torch.float32)
    context, weights = explicit_attention(query, key, value, mask)
    expected = torch.nn.functional.scaled_dot_product_attention(query, key, value, attn_mask=mask)
    assert torch.allclose(context, expected, atol=1e-6)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 5))
    assert (weights[0, :, :, 3:] == 0).all()  # padding keys get exactly zero weight


def test_output_shapes():
    model = tiny_model()
    input_ids = torch.randint(0, TINY.vocab_size, (3, 7))
    output = model(input_ids, torch.ones_like(input_ids), output_attentions=True)
    assert output.last_hidden_state.shape == (3, 7, TINY.hidden_size)
    assert output.pooler_output.shape == (3, TINY.hidden_size)
    assert len(output.attentions) == TINY.num_hidden_layers
    assert output.attentions[0].shape == (3, TINY.num_attention_heads, 7, 7)
    assert model(input_ids).attentions is None


def test_changing_a_padded_token_leaves_real_tokens_unchanged():
    model = tiny_model()
    input_ids = torch.tensor([[1, 5, 6, 7, 2, 0, 0]])
    attention_mask = torch.tensor([[1, 1, 1, 1, 1, 0, 0]])
    changed = input_ids.clone()
    changed[0, 5:] = torch.tensor([33, 44])
    with torch.no_grad():
        before = model(input_ids, attention_mask).last_hidden_state[0, :5]
        after = model(changed, attention_mask).last_hidden_state[0, :5]
        unmasked = model(changed).last_hidden_state[0, :5]
    assert torch.allclose(before, after, atol=1e-6)
    assert not torch.allclose(before, unmasked, atol=1e-3)  # without the mask they leak in


def test_padding_does_not_change_a_sentence(minilm, scratch_minilm):
    """A sentence alone and the same sentence padded in a batch give the same real vectors."""
    _, batch = minilm
    n_real = int(batch["attention_mask"][1].sum())
    alone = {name: tensor[1:2, :n_real] for name, tensor in batch.items()}
    with torch.no_grad():
        padded = scratch_minilm(**batch).last_hidden_state[1, :n_real]
        single = scratch_minilm(**alone).last_hidden_state[0]
    assert (padded - single).abs().max() <= 1e-4


def test_missing_key_is_named():
    source = tiny_model(1).state_dict()
    target = tiny_model(2)
    hf_state = {}
    for ours, theirs in hf_bert_key_map(TINY.num_hidden_layers).items():
        chunks = source[ours].chunk(len(theirs))
        hf_state.update(dict(zip(theirs, chunks, strict=True)))
    del hf_state["encoder.layer.1.attention.self.key.weight"]
    with pytest.raises(
        WeightLoadingError, match=r"encoder\.layer\.1\.attention\.self\.key\.weight"
    ):
        load_hf_bert_weights(target, hf_state)
    assert not torch.equal(
        target.state_dict()["embeddings.token.weight"], source["embeddings.token.weight"]
    ), "a failed load must not change the model"


def test_round_trip_through_the_key_map():
    source = tiny_model(1)
    target = tiny_model(2)
    hf_state = {}
    for ours, theirs in hf_bert_key_map(TINY.num_hidden_layers).items():
        hf_state.update(
            dict(zip(theirs, source.state_dict()[ours].chunk(len(theirs)), strict=True))
        )
    assert load_hf_bert_weights(target, hf_state) == []
    ids = torch.randint(0, TINY.vocab_size, (2, 6))
    with torch.no_grad():
        assert torch.equal(source(ids).last_hidden_state, target(ids).last_hidden_state)


def test_shape_mismatch_is_named(minilm):
    hf_model, _ = minilm
    wrong = ScratchBert(ScratchBertConfig.from_hf(hf_model.config, intermediate_size=1024))
    with pytest.raises(WeightLoadingError, match=r"feed_forward\.up\.weight needs \(1024, 384\)"):
        load_hf_bert_weights(wrong, hf_model.state_dict())


def test_extra_layers_are_unexpected_unless_not_strict(minilm):
    hf_model, _ = minilm
    shallow = ScratchBert(ScratchBertConfig.from_hf(hf_model.config, num_hidden_layers=4))
    with pytest.raises(WeightLoadingError, match=r"encoder\.layer\.4\."):
        load_hf_bert_weights(shallow, hf_model.state_dict())
    unused = load_hf_bert_weights(shallow, hf_model.state_dict(), strict=False)
    assert unused and all(k.startswith(("encoder.layer.4.", "encoder.layer.5.")) for k in unused)


def test_task_model_state_dict_loads_and_reports_the_head():
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    hf_config = BertConfig(**TINY_SIZES)
    hf_model = BertForSequenceClassification(hf_config).eval()
    ours = ScratchBertForSequenceClassification(ScratchBertConfig.from_hf(hf_config)).eval()
    unused = load_hf_bert_weights(ours.bert, hf_model.state_dict())
    assert sorted(unused) == ["classifier.bias", "classifier.weight"]
    ours.classifier.load_state_dict(hf_model.classifier.state_dict())
    ids = torch.randint(0, 50, (2, 6))
    mask = torch.tensor([[1] * 6, [1] * 4 + [0] * 2])
    with torch.no_grad():
        expected = hf_model(input_ids=ids, attention_mask=mask).logits
        assert (ours(ids, mask) - expected).abs().max() <= 1e-5


def test_classification_head_shape_and_bad_arguments():
    torch.manual_seed(0)
    classifier = ScratchBertForSequenceClassification(TINY, num_labels=3).eval()
    logits = classifier(torch.randint(0, TINY.vocab_size, (4, 6)))
    assert logits.shape == (4, 3)
    with pytest.raises(ValueError, match="num_labels"):
        ScratchBertForSequenceClassification(TINY, num_labels=0)
    with pytest.raises(TypeError, match=r"\.bert"):
        load_hf_bert_weights(classifier, {})


def test_config_checks_and_copies_hugging_face_fields(minilm):
    hf_model, _ = minilm
    config = ScratchBertConfig.from_hf(hf_model.config)
    assert (config.hidden_size, config.num_hidden_layers, config.head_size) == (384, 6, 32)
    with pytest.raises(ValueError, match="divisible"):
        ScratchBertConfig(hidden_size=10, num_attention_heads=4)
    with pytest.raises(ValueError, match="gelu"):
        ScratchBertConfig(hidden_act="relu")


def test_too_many_tokens_are_refused():
    with pytest.raises(ValueError, match="truncat"):
        tiny_model()(torch.zeros(1, TINY.max_position_embeddings + 1, dtype=torch.long))
