"""An fp32 net and a calibration table -> the simulated int8 twin, with the table checked against the model
(a table made for another model must say so, not quietly quantise nothing)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Collection

from engine import Net
from engine.int8.export import QUANTISABLE
from engine.int8.simulate import int8_net, quantised_layer_names
from engine.int8.table import Int8Table, read_table

from .metrics import CompareError


@dataclass(frozen=True)
class Twin:
    table: Int8Table
    net: Net  # the int8 twin
    quantised: tuple[str, ...]
    warnings: tuple[str, ...]


def table_warnings(net: Net, table: Int8Table) -> list[str]:
    types = {layer.name: layer.spec.type for layer in net.layers}
    names = list(dict.fromkeys([*table.blob_scales, *table.weight_scales]))
    unknown = [n for n in names if n not in types]
    other = [n for n in table.blob_scales if n in types and types[n] not in QUANTISABLE]
    out = []
    if unknown:
        out.append(f"the table names {len(unknown)} layer(s) the model does not have: {', '.join(unknown[:5])}"
                   + (" ..." if len(unknown) > 5 else ""))
    if other:
        out.append(f"table entries for layers of other types stay fp32: {', '.join(other[:5])}"
                   + (" ..." if len(other) > 5 else ""))
    return out


def make_twin(net: Net, table: Int8Table | str | Path, keep_fp32: Collection[str] = ()) -> Twin:
    """The int8 twin of `net` (loaded, fp32) under `table` (or the path of a .table file)."""
    if not isinstance(table, Int8Table):
        table = read_table(table)
    twin = int8_net(net, table, keep_fp32)
    quantised = tuple(quantised_layer_names(twin))
    warnings = tuple(table_warnings(net, table))
    if not quantised:
        raise CompareError("the table quantises no layer of this model (no Convolution, ConvolutionDepthWise or "
                           "InnerProduct of the model has an entry" + (" left after keep_fp32)" if keep_fp32 else ")")
                           + "".join(f"; {w}" for w in warnings))
    return Twin(table, twin, quantised, warnings)
