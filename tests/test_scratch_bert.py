"""The from-scratch BERT built in notebook 06 computes what Hugging Face's BertModel computes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.lessons.scratch_bert import (
    EncoderLayer,
    ScratchBert,
    ScratchBertConfig,
    ScratchBertForSequenceClassification,
    explicit_attention,
    hf_bert_key_map,
    load_hf_bert_weights,
    padding_mask,
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
    """Hugging Face's BertModel with the real all-MiniLM-L6-v2 weights, and a padded batch."""
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
    assert load_hf_bert_weights(model, hf_model.state_dict()) == []
    return model


def tiny_model(seed: int = 0) -> ScratchBert:
    torch.manual_seed(seed)
    return ScratchBert(TINY).eval()


def hf_state_of(model: ScratchBert) -> dict[str, torch.Tensor]:
    """``model``'s weights under Hugging Face's names: the key map read backwards."""
    state = model.state_dict()
    hf_state = {}
    for ours, theirs in hf_bert_key_map(len(model.layers)).items():
        hf_state.update(zip(theirs, state[ours].chunk(len(theirs)), strict=True))
    return hf_state


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
    mask = padding_mask(torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]), torch.float32)
    assert mask.shape == (2, 1, 1, 5)
    context, weights = explicit_attention(query, key, value, mask)
    expected = F.scaled_dot_product_attention(query, key, value, attn_mask=mask)
    assert torch.allclose(context, expected, atol=1e-6)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 5))
    assert (weights[0, :, :, 3:] == 0).all()  # padding keys get exactly zero weight
    assert (weights[0, :, :, :3] > 0).all()


def test_attention_dropout_only_in_training():
    torch.manual_seed(0)
    layer = EncoderLayer(ScratchBertConfig(**TINY_SIZES, attention_probs_dropout_prob=0.5))
    x = torch.randn(2, 6, TINY.hidden_size)
    layer.eval()
    with torch.no_grad():
        fused, _ = layer(x)
        written_out, weights = layer(x, need_weights=True)
    assert torch.allclose(fused, written_out, atol=1e-5)
    layer.train()
    with torch.no_grad():
        _, dropped = layer.attention(x, need_weights=True)
    assert (dropped == 0).any() and not (weights == 0).any()  # dropped weights, in training only


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


def test_the_token_type_is_summed_before_the_layer_norm():
    model = tiny_model()
    ids = torch.randint(0, TINY.vocab_size, (2, 6))
    types = torch.tensor([[0, 0, 0, 1, 1, 1]] * 2)
    embeddings = model.embeddings
    with torch.no_grad():
        summed = embeddings.token(ids) + embeddings.position(torch.arange(6))
        by_hand = embeddings.norm(summed + embeddings.token_type(types))
        assert torch.allclose(embeddings(ids, types), by_hand, atol=1e-6)
        assert not torch.allclose(embeddings(ids, types), embeddings(ids), atol=1e-3)


def test_the_layer_is_post_ln():
    torch.manual_seed(0)
    layer = EncoderLayer(TINY).eval()
    x = torch.randn(2, 5, TINY.hidden_size)
    with torch.no_grad():
        y = layer.attention_norm(x + layer.attention(x)[0])
        post_ln = layer.feed_forward_norm(y + layer.feed_forward(y))
        y = x + layer.attention(layer.attention_norm(x))[0]
        pre_ln = y + layer.feed_forward(layer.feed_forward_norm(y))
        out, _ = layer(x)
    assert torch.allclose(out, post_ln, atol=1e-6)
    assert not torch.allclose(out, pre_ln, atol=1e-2)


def test_a_missing_tensor_is_named_and_changes_nothing():
    source, target = tiny_model(1), tiny_model(2)
    hf_state = hf_state_of(source)
    del hf_state["encoder.layer.1.attention.self.key.weight"]
    before = {name: tensor.clone() for name, tensor in target.state_dict().items()}
    with pytest.raises(KeyError, match=r"encoder\.layer\.1\.attention\.self\.key\.weight"):
        load_hf_bert_weights(target, hf_state)
    assert all(torch.equal(before[name], t) for name, t in target.state_dict().items())


def test_round_trip_through_the_key_map():
    source, target = tiny_model(1), tiny_model(2)
    assert load_hf_bert_weights(target, hf_state_of(source)) == []
    ids = torch.randint(0, TINY.vocab_size, (2, 6))
    with torch.no_grad():
        assert torch.equal(source(ids).last_hidden_state, target(ids).last_hidden_state)


def test_the_key_map_covers_every_parameter_and_hugging_face_tensor(minilm, scratch_minilm):
    hf_model, _ = minilm
    key_map = hf_bert_key_map(6)
    assert set(key_map) == set(scratch_minilm.state_dict())
    assert sorted(name for theirs in key_map.values() for name in theirs) == sorted(
        hf_model.state_dict()
    )


def test_a_wrong_shape_is_named(minilm):
    hf_model, _ = minilm
    wrong = ScratchBert(ScratchBertConfig.from_hf(hf_model.config, intermediate_size=1024))
    with pytest.raises(
        RuntimeError, match=r"size mismatch for layers\.0\.feed_forward\.up\.weight"
    ):
        load_hf_bert_weights(wrong, hf_model.state_dict())


def test_layers_the_model_lacks_are_returned_unused(minilm):
    hf_model, _ = minilm
    shallow = ScratchBert(ScratchBertConfig.from_hf(hf_model.config, num_hidden_layers=4))
    unused = load_hf_bert_weights(shallow, hf_model.state_dict())
    assert len(unused) == 2 * 16
    assert all(name.startswith(("encoder.layer.4.", "encoder.layer.5.")) for name in unused)


def test_task_model_state_dict_loads_and_reports_the_head():
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    hf_config = BertConfig(**TINY_SIZES)
    hf_model = BertForSequenceClassification(hf_config).eval()
    ours = ScratchBertForSequenceClassification(ScratchBertConfig.from_hf(hf_config)).eval()
    unused = load_hf_bert_weights(ours.bert, hf_model.state_dict())
    assert unused == ["classifier.bias", "classifier.weight"]
    ours.classifier.load_state_dict(hf_model.classifier.state_dict())
    ids = torch.randint(0, 50, (2, 6))
    mask = torch.tensor([[1] * 6, [1] * 4 + [0] * 2])
    with torch.no_grad():
        expected = hf_model(input_ids=ids, attention_mask=mask).logits
        assert (ours(ids, mask) - expected).abs().max() <= 1e-5


def test_classification_head_shape():
    torch.manual_seed(0)
    classifier = ScratchBertForSequenceClassification(TINY, num_labels=3).eval()
    assert classifier(torch.randint(0, TINY.vocab_size, (4, 6))).shape == (4, 3)


def test_config_copies_hugging_face_fields(minilm):
    from transformers import BertConfig

    hf_model, _ = minilm
    config = ScratchBertConfig.from_hf(hf_model.config)
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (
        384,
        6,
        12,
    )
    assert config.layer_norm_eps == hf_model.config.layer_norm_eps == 1e-12
    with pytest.raises(AssertionError, match="GELU"):  # the tanh GELU would break the match
        ScratchBertConfig.from_hf(BertConfig(hidden_act="gelu_new"))


# nn.TransformerEncoderLayer's parameter names for our EncoderLayer's, one for one.
TORCH_LAYER_NAMES = {
    "self_attn.in_proj_weight": "attention.qkv.weight",  # q, k, v stacked in the same order
    "self_attn.in_proj_bias": "attention.qkv.bias",
    "self_attn.out_proj.weight": "attention.out.weight",
    "self_attn.out_proj.bias": "attention.out.bias",
    "linear1.weight": "feed_forward.up.weight",
    "linear1.bias": "feed_forward.up.bias",
    "linear2.weight": "feed_forward.down.weight",
    "linear2.bias": "feed_forward.down.bias",
    "norm1.weight": "attention_norm.weight",
    "norm1.bias": "attention_norm.bias",
    "norm2.weight": "feed_forward_norm.weight",
    "norm2.bias": "feed_forward_norm.bias",
}


def test_transformer_encoder_matches_with_bert_settings():
    """nn.TransformerEncoderLayer is BERT's layer with eps 1e-12, exact GELU, the mask inverted."""
    torch.manual_seed(0)
    ours = EncoderLayer(TINY).eval()
    state = ours.state_dict()
    attention_mask = torch.tensor([[1] * 6, [1] * 4 + [0] * 2])
    x = torch.randn(2, 6, TINY.hidden_size)

    def torch_layer(layer_norm_eps: float) -> nn.TransformerEncoderLayer:
        theirs = nn.TransformerEncoderLayer(
            TINY.hidden_size,
            TINY.num_attention_heads,
            TINY.intermediate_size,
            activation="gelu",
            layer_norm_eps=layer_norm_eps,
            batch_first=True,
        )
        # strict: every one of PyTorch's parameters gets one of ours
        theirs.load_state_dict({name: state[own] for name, own in TORCH_LAYER_NAMES.items()})
        return theirs.eval()

    with torch.no_grad():
        expected, _ = ours(x, padding_mask(attention_mask, x.dtype))
        bert_like = torch_layer(1e-12)(x, src_key_padding_mask=attention_mask == 0)
        default_eps = torch_layer(1e-5)(x, src_key_padding_mask=attention_mask == 0)
    real = attention_mask.bool()
    bert_like_diff = (bert_like - expected)[real].abs().max()
    assert bert_like_diff <= 1e-5
    # PyTorch's default eps is a visible difference, far above the arithmetic noise.
    assert (default_eps - expected)[real].abs().max() > max(10 * bert_like_diff, 1e-6)


def test_too_many_tokens_are_refused():
    with pytest.raises(AssertionError, match="truncate"):
        tiny_model()(torch.zeros(1, TINY.max_position_embeddings + 1, dtype=torch.long))
