"""Export a trained model to ONNX (probabilities out), optionally with half-precision storage.

Half storage keeps every float initializer as fp16 and adds a Cast to fp32 in front of its use,
so the file is about half the size while onnxruntime still computes in f32 (kord's
`ml_store_precision_half`: f16 weights, f32 inference).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from kord_engine.atomic import atomic_write_bytes
from kord_engine.ml.models import ProbabilityModel

INPUT_NAME = "features"
OUTPUT_NAME = "probs"
OPSET = 17


def export_onnx(
    model: nn.Module,
    width: int,
    target: str,
    path: str | Path | None = None,
    store_precision: str = "full",
) -> bytes:
    """Serialise `model` (logits) as ONNX that maps (batch, width) features → probabilities.

    Every parameter stays an initializer under its own name (`state_dict_from_onnx` reads
    them back for fine-tuning): where constant folding would fold one away (a Linear on
    3-D tokens becomes a MatMul with a transposed, renamed copy), the model is exported again
    without folding. Returns the bytes; also writes them atomically to `path` when given.
    """
    import onnx

    wrapped = ProbabilityModel(model, target).eval().cpu()
    example = torch.zeros(1, width, dtype=torch.float32)
    wanted = {f"model.{name}" for name in model.state_dict()}
    for folding in (True, False):
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapped,
                (example,),
                buffer,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
                do_constant_folding=folding,
            )
        proto = onnx.load_from_string(buffer.getvalue())
        if wanted <= {init.name for init in proto.graph.initializer}:
            break
    if store_precision == "half":
        proto = to_half_storage(proto)
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    if path is not None:
        atomic_write_bytes(path, data)
    return data


def to_half_storage(proto):
    """Store float32 initializers as float16 and Cast them back to float32 at graph entry."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = proto.graph
    casts = []
    keep = []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT or int(np.prod(init.dims)) < 16:
            keep.append(init)
            continue
        array = numpy_helper.to_array(init).astype(np.float16)
        half_name = f"{init.name}__fp16"
        keep.append(numpy_helper.from_array(array, half_name))
        casts.append(helper.make_node("Cast", [half_name], [init.name], to=TensorProto.FLOAT))
    del graph.initializer[:]
    graph.initializer.extend(keep)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    return onnx.shape_inference.infer_shapes(proto)


def state_dict_from_onnx(onnx_bytes: bytes, model: nn.Module) -> dict[str, torch.Tensor]:
    """The torch state dict of `model` read back from an ONNX file `export_onnx` wrote.

    torch.onnx keeps each parameter's name as an initializer ("model.<name>", half storage
    adds "__fp16"), in torch's layout, so the weights come back exactly (half storage: the
    fp16 values, computing as the ONNX file does). A file without every parameter by name is
    a ModelError naming what is missing."""
    import onnx
    from onnx import numpy_helper

    from kord_engine.errors import ModelError

    try:
        proto = onnx.load_from_string(onnx_bytes)
    except Exception as exc:  # noqa: BLE001 - onnx raises DecodeError and friends
        raise ModelError(f"model.onnx cannot be read: {exc}") from exc
    found: dict[str, np.ndarray] = {}
    for init in proto.graph.initializer:
        name = init.name.removesuffix("__fp16")
        found[name.removeprefix("model.")] = numpy_helper.to_array(init)
    wanted = model.state_dict()
    missing = [k for k in wanted if k not in found]
    if missing:
        raise ModelError(
            f"model.onnx does not hold the weights by name ({len(missing)} missing, e.g. "
            f"{', '.join(missing[:3])}); it cannot be fine-tuned"
        )
    out = {}
    for key, ref in wanted.items():
        value = torch.from_numpy(np.array(found[key], dtype=np.float32))
        if tuple(value.shape) != tuple(ref.shape):
            raise ModelError(
                f"model.onnx weight {key} has shape {tuple(value.shape)}, "
                f"the model needs {tuple(ref.shape)}"
            )
        out[key] = value.to(ref.dtype)
    return out
