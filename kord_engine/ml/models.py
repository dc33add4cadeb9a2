"""The chord models (torch): kord's MHA + MLP trunk (spec §3.3) and our conv + residual MLP.

Both take `(batch, features)` float32 and return `(batch, classes)` logits. Training code only:
torch is imported here, and nothing on the inference path imports this module.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from kord_engine.ml.config import ModelShapeError, check_kord_shape, input_width

if TYPE_CHECKING:
    from kord_engine.ml.config import TrainConfig


def output_width(config: TrainConfig) -> int:
    """Number of model outputs for `config`'s target (ml-data's targets.target_width)."""
    from kord_engine.audio.listen.model.targets import target_width

    return int(target_width(config.target))


class KordAttention(nn.Module):
    """burn's MultiHeadAttention: q/k/v/out linears with bias, softmax(QKᵀ/√d_k), dropout on weights."""

    def __init__(self, d_model: int, heads: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.d_k = d_model // heads
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.output = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.reshape(b, t, self.heads, self.d_k).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d_k)
        weights = self.dropout(torch.softmax(scores, dim=-1))
        context = torch.matmul(weights, v).transpose(1, 2).reshape(b, t, d)
        return self.output(context)


class KordModel(nn.Module):
    """kord's shipped model: H tokens × chunk, MHA, post-LN residual, GELU trunk, post-LN, head."""

    def __init__(
        self, width: int, classes: int, heads: int = 16, trunk: int = 1024, dropout: float = 0.2
    ):
        super().__init__()
        self.chunk = check_kord_shape(width, heads)
        self.heads = heads
        self.width = width
        self.mha = KordAttention(self.chunk, heads, dropout)
        self.norm1 = nn.LayerNorm(width, eps=1e-5)
        self.trunk_in = nn.Linear(width, trunk)
        self.trunk_out = nn.Linear(trunk, width)
        self.trunk_dropout = nn.Dropout(dropout)
        self.norm2 = nn.LayerNorm(width, eps=1e-5)
        self.head = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        tokens = x.reshape(b, self.heads, self.chunk)
        attn = self.mha(tokens).reshape(b, self.width)
        x = self.norm1(x + attn)
        t = self.trunk_out(self.trunk_dropout(F.gelu(self.trunk_in(x))))
        x = self.norm2(x + t)
        return self.head(x)


class ResidualBlock(nn.Module):
    """Pre-LN MLP block: x + W2·drop(GELU(W1·LN(x)))."""

    def __init__(self, width: int, dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(self.dropout(F.gelu(self.fc1(self.norm(x)))))


class OursModel(nn.Module):
    """Our model: a residual MLP with LayerNorm and dropout, optionally behind a small 1-D conv
    front end (`channels` > 0) that sees local peak shapes with weights shared across frequency.

    Far cheaper than kord's (no attention over 2-dim heads, a 256-wide trunk), so it trains
    well on a small CPU; the conv variant costs ~3× more per step.
    """

    def __init__(
        self,
        width: int,
        classes: int,
        channels: int = 0,
        hidden: int = 256,
        blocks: int = 2,
        dropout: float = 0.2,
    ):
        super().__init__()
        self.channels = channels
        extra = 0
        if channels > 0:
            self.conv1 = nn.Conv1d(1, channels, kernel_size=9, padding=4)
            self.conv2 = nn.Conv1d(channels, channels, kernel_size=9, padding=4, stride=2)
            extra = channels * ((width + 1) // 2)
        self.proj = nn.Linear(width + extra, hidden)
        self.blocks = nn.ModuleList(ResidualBlock(hidden, dropout) for _ in range(blocks))
        self.norm = nn.LayerNorm(hidden)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.channels > 0:
            y = F.gelu(self.conv1(x.unsqueeze(1)))
            y = F.gelu(self.conv2(y)).flatten(1)
            x = torch.cat([y, x], dim=1)
        h = self.dropout(F.gelu(self.proj(x)))
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h))


def build_model(
    config: TrainConfig, width: int | None = None, classes: int | None = None
) -> nn.Module:
    """The model `config` names, sized for its loader and target."""
    width = input_width(config) if width is None else width
    classes = output_width(config) if classes is None else classes
    if config.model == "kord":
        return KordModel(width, classes, config.mha_heads, config.trunk_hidden_size, config.dropout)
    if config.model == "ours":
        return OursModel(
            width,
            classes,
            config.ours_channels,
            config.ours_hidden,
            config.ours_blocks,
            config.dropout,
        )
    raise ModelShapeError(f"unknown model {config.model!r}; choose 'kord' or 'ours'")


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class ProbabilityModel(nn.Module):
    """Logits → probabilities as kord's inference does: sigmoid, and for folded_bass a softmax
    over the 12 bass slots. This is what gets exported to ONNX."""

    def __init__(self, model: nn.Module, target: str):
        super().__init__()
        self.model = model
        self.bass = target == "folded_bass"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.model(x)
        if self.bass:
            return torch.cat(
                [torch.softmax(logits[:, :12], dim=1), torch.sigmoid(logits[:, 12:])], 1
            )
        return torch.sigmoid(logits)
