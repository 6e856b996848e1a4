"""Writing the form scorer to ONNX: three Gemm layers per network, byte-reproducible.

The graph takes `features` [N, D] float32 and returns `outputs` [N, 1 + K]; the temporal pooling
of `mlp.with_summary` is ReduceMin / ReduceMax nodes, and a `TwoPart` scorer mixes its two
networks' scores with a per-exercise selector (the one-hot exercise part of the input). The
`onnx` package (the `train` extra) is imported only here, when exporting. Serialised with
`deterministic=True`: the same weights and metadata give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fitcoach.core.features import N_FRAME, N_SAMPLES
from fitcoach.train.mlp import MLP, TwoPart


def _chain(net: MLP, prefix: str, cur: str, out_name: str, nodes: list, inits: list) -> None:
    """Append `net`'s layers (Gemm + Relu, Sigmoid last) from tensor `cur` to `out_name`."""
    from onnx import helper, numpy_helper

    for i, (w, b) in enumerate(zip(net.w, net.b)):
        inits.append(numpy_helper.from_array(w.astype(np.float32), f"{prefix}W{i}"))
        inits.append(numpy_helper.from_array(b.astype(np.float32), f"{prefix}B{i}"))
        nodes.append(helper.make_node("Gemm", [cur, f"{prefix}W{i}", f"{prefix}B{i}"], [f"{prefix}z{i}"]))
        nxt = f"{prefix}h{i}" if i < len(net.w) - 1 else out_name
        nodes.append(helper.make_node("Relu" if i < len(net.w) - 1 else "Sigmoid", [f"{prefix}z{i}"], [nxt]))
        cur = nxt


def export_onnx(net: MLP | TwoPart, path: Path, meta: dict[str, str]) -> bytes:
    """Write `net` to `path` with `meta` as metadata properties; returns the bytes written."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    two = net if isinstance(net, TwoPart) else TwoPart(net, None, [], [])
    parts = [two.synth] + ([two.real] if two.real is not None and two.real_exercises else [])
    d_in = two.synth.w[0].shape[0] - (2 * N_FRAME if two.synth.summary else 0)
    d_out = two.synth.w[-1].shape[1]
    nodes, inits = [], []
    if any(p.summary for p in parts):  # temporal pooling: [N, D] -> + min and max over time of each frame feature
        for name, val in (("t0", [0]), ("t1", [N_FRAME * N_SAMPLES]), ("ax1", [1]),
                          ("seq_shape", [-1, N_FRAME, N_SAMPLES])):
            inits.append(numpy_helper.from_array(np.array(val, np.int64), name))
        nodes += [helper.make_node("Slice", ["features", "t0", "t1", "ax1"], ["traj_flat"]),
                  helper.make_node("Reshape", ["traj_flat", "seq_shape"], ["traj"]),
                  helper.make_node("ReduceMin", ["traj"], ["traj_min"], axes=[2], keepdims=0),
                  helper.make_node("ReduceMax", ["traj"], ["traj_max"], axes=[2], keepdims=0),
                  helper.make_node("Concat", ["features", "traj_min", "traj_max"], ["pooled"], axis=1)]
    src = lambda p: "pooled" if p.summary else "features"  # noqa: E731
    if len(parts) == 1:
        _chain(two.synth, "", src(two.synth), "outputs", nodes, inits)
    else:
        _chain(two.synth, "s_", src(two.synth), "s_out", nodes, inits)
        _chain(two.real, "r_", src(two.real), "r_out", nodes, inits)
        for name, val in (("c0", [0]), ("c1", [1]), ("cK", [d_out])):
            inits.append(numpy_helper.from_array(np.array(val, np.int64), name))
        inits.append(numpy_helper.from_array(two._selector(d_in).astype(np.float32).reshape(-1, 1), "real_sel"))
        inits.append(numpy_helper.from_array(np.ones((1, 1), np.float32), "one"))
        nodes += [helper.make_node("Slice", ["s_out", "c0", "c1", "c1"], ["s_score"]),
                  helper.make_node("Slice", ["s_out", "c1", "cK", "c1"], ["s_faults"]),
                  helper.make_node("MatMul", ["features", "real_sel"], ["is_real"]),
                  helper.make_node("Sub", ["one", "is_real"], ["not_real"]),
                  helper.make_node("Mul", ["is_real", "r_out"], ["r_part"]),
                  helper.make_node("Mul", ["not_real", "s_score"], ["s_part"]),
                  helper.make_node("Add", ["r_part", "s_part"], ["score"]),
                  helper.make_node("Concat", ["score", "s_faults"], ["outputs"], axis=1)]
    graph = helper.make_graph(
        nodes, "fitcoach_form_scorer",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", d_in])],
        [helper.make_tensor_value_info("outputs", TensorProto.FLOAT, ["N", d_out])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="fitcoach-train")
    model.ir_version = 8
    for k, v in sorted(meta.items()):
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    raw = model.SerializeToString(deterministic=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return raw
