"""Export a trained model to ONNX (probabilities out), optionally with half-precision or int8
weights.

Half storage keeps every float initializer as fp16 and adds a Cast to fp32 in front of its use,
so the file is about half the size while onnxruntime still computes in f32 (kord's
`ml_store_precision_half`: f16 weights, f32 inference). int8 stores the matrices as int8
(onnxruntime's dynamic quantization) and computes with them: a quarter of the size and the
cheapest inference per hop.
"""

from __future__ import annotations

import io
import logging
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
    elif store_precision == "int8":
        proto = to_int8_weights(proto)
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


#: the suffix of a weight stored transposed for MatMul (torch's Linear keeps (out, in))
TRANSPOSED = "__T"


def to_full_storage(proto):
    """Undo to_half_storage: fp16 initializers back to float32 under their own names, their
    Casts removed (a model converted again starts from the weights as stored)."""
    from onnx import numpy_helper

    graph = proto.graph
    half = {i.name for i in graph.initializer if i.name.endswith("__fp16")}
    if not half:
        return proto
    keep = []
    for init in graph.initializer:
        if init.name in half:
            array = numpy_helper.to_array(init).astype(np.float32)
            keep.append(numpy_helper.from_array(array, init.name.removesuffix("__fp16")))
        else:
            keep.append(init)
    nodes = [
        n
        for n in graph.node
        if not (n.op_type == "Cast" and len(n.input) == 1 and n.input[0] in half)
    ]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    del graph.node[:]
    graph.node.extend(nodes)
    return proto


def to_int8_weights(proto):
    """Weights as int8 (onnxruntime's dynamic quantization: per-channel int8 weights, the
    activations quantized per run): a quarter of the float32 size, and the live model's
    matrix products read 1.3 MB instead of 5.2 MB per hop (0.6 → 0.2 ms on a cold cache).

    Each Gemm with a constant weight (torch's Linear) becomes MatMul + Add first, with the
    weight stored transposed under "<name>__T" (dynamic quantization handles MatMul), so
    `state_dict_from_onnx` still finds every parameter by name."""
    import tempfile

    import onnx
    from onnx import helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    proto = to_full_storage(proto)
    graph = proto.graph
    inits = {i.name: i for i in graph.initializer}
    nodes = []
    for node in graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        weight = node.input[1] if node.op_type == "Gemm" and len(node.input) > 1 else None
        if (
            weight not in inits
            or attrs.get("transA", 0)
            or attrs.get("alpha", 1.0) != 1.0
            or attrs.get("beta", 1.0) != 1.0
        ):
            nodes.append(node)
            continue
        w = numpy_helper.to_array(inits[weight])
        if not attrs.get("transB", 0):
            w = w.T  # MatMul wants (in, out); a non-transposed Gemm already has it as (in, out)
        graph.initializer.remove(inits.pop(weight))
        stored = numpy_helper.from_array(np.ascontiguousarray(w.T), weight + TRANSPOSED)
        graph.initializer.append(stored)
        product = node.output[0] + "__matmul"
        nodes.append(
            helper.make_node("MatMul", [node.input[0], stored.name], [product], node.name + "_mm")
        )
        if len(node.input) > 2 and node.input[2]:
            nodes.append(
                helper.make_node("Add", [product, node.input[2]], [node.output[0]], node.name)
            )
        else:
            nodes.append(helper.make_node("Identity", [product], [node.output[0]], node.name))
    del graph.node[:]
    graph.node.extend(nodes)
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.ERROR))  # the quantizer logs each tensor on the root
    with tempfile.TemporaryDirectory(prefix="kord-int8-") as tmp:
        source, target = Path(tmp) / "float.onnx", Path(tmp) / "int8.onnx"
        onnx.save(proto, source)
        try:
            quantize_dynamic(
                source,
                target,
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
        finally:
            root.setLevel(level)
        return onnx.load(target)


def convert_store_precision(onnx_bytes: bytes, store_precision: str) -> bytes:
    """The same model with its weights stored as `store_precision` (full, half or int8).
    int8 is lossy: an int8 model is refused as a source (ModelError)."""
    import onnx

    from kord_engine.errors import ModelError

    try:
        proto = onnx.load_from_string(onnx_bytes)
    except Exception as exc:  # noqa: BLE001 - onnx raises DecodeError and friends
        raise ModelError(f"model.onnx cannot be read: {exc}") from exc
    if any(n.op_type == "MatMulInteger" for n in proto.graph.node):
        raise ModelError("the model's weights are int8 already; int8 cannot be made exact again")
    proto = to_full_storage(proto)
    if store_precision == "half":
        proto = to_half_storage(proto)
    elif store_precision == "int8":
        proto = to_int8_weights(proto)
    elif store_precision != "full":
        raise ModelError(f"store precision must be full, half or int8, got {store_precision!r}")
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


def _dequantized(found: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """int8 weights (onnxruntime's "<w>_quantized", "<w>_scale", "<w>_zero_point") back as
    float32 under <w>; a "<name>__T" weight transposed back to torch's (out, in) as <name>."""
    from kord_engine.errors import ModelError

    bases = {name.removesuffix("_quantized") for name in found if name.endswith("_quantized")}
    parts = {f"{b}_{part}" for b in bases for part in ("scale", "zero_point")}
    out = {}
    for name, value in found.items():
        if name in parts:
            continue
        if name.endswith("_quantized"):
            name = name.removesuffix("_quantized")
            scale = np.asarray(found[name + "_scale"], np.float32).reshape(-1)
            zero = np.asarray(found.get(name + "_zero_point", 0), np.float32).reshape(-1)
            if scale.size not in (1, value.shape[-1]):  # MatMulInteger: per column or whole
                raise ModelError(f"int8 weight {name} has {scale.size} scales for {value.shape}")
            value = (np.asarray(value, np.float32) - zero) * scale
        if name.endswith(TRANSPOSED):
            name, value = name.removesuffix(TRANSPOSED), np.asarray(value).T
        out[name] = value
    return out


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
    stored: dict[str, np.ndarray] = {}
    for init in proto.graph.initializer:
        stored[init.name.removesuffix("__fp16")] = numpy_helper.to_array(init)
    found = {name.removeprefix("model."): v for name, v in _dequantized(stored).items()}
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
