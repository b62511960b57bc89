"""Independent reference values for TensorBundleReaderTest / GoogleCheckpointNamesTest.

Parses a TF V2 bundle index with the standard library only (uncompressed SSTable blocks,
protobuf fields 1..5 of BundleEntryProto) and reads float32 values with numpy at the entry's
offset, so the Java reader is checked against code that shares nothing with it.

    python3 src/test/python/bundle_values.py /tmp/dl/unc/variables/variables
"""
import struct
import sys

import numpy as np


def varint(b, i):
    shift = result = 0
    while True:
        c = b[i]; i += 1
        result |= (c & 0x7F) << shift; shift += 7
        if c < 0x80:
            return result, i


def block(b, off, size):
    n = struct.unpack_from("<I", b, off + size - 4)[0]
    end, i, key, out = off + size - 4 - 4 * n, off, b"", {}
    while i < end:
        shared, i = varint(b, i); unshared, i = varint(b, i); vlen, i = varint(b, i)
        key = key[:shared] + b[i:i + unshared]; i += unshared
        out[key.decode()] = b[i:i + vlen]; i += vlen
    return out


def entries(index_path):
    b = open(index_path, "rb").read()
    i = len(b) - 48
    _, i = varint(b, i); _, i = varint(b, i)
    ioff, i = varint(b, i); isize, i = varint(b, i)
    for handle in block(b, ioff, isize).values():
        off, j = varint(handle, 0); size, _ = varint(handle, j)
        yield from block(b, off, size).items()


def entry(value):
    fields, shape, i = {}, [], 0
    while i < len(value):
        tag, i = varint(value, i)
        if tag & 7 == 0:
            fields[tag >> 3], i = varint(value, i)
        elif tag & 7 == 5:
            i += 4
        else:
            n, i = varint(value, i)
            if tag >> 3 == 2:  # TensorShapeProto: dims are field 2 {1: size}
                k = i
                while k < i + n:
                    _, k = varint(value, k); dlen, k = varint(value, k)
                    _, m = varint(value, k); size, _ = varint(value, m); shape.append(size); k += dlen
            i += n
    return fields, shape


prefix = sys.argv[1]
data = prefix + ".data-00000-of-00001"
wanted = {
    "module/bert/embeddings/word_embeddings": [(0, 0), (1, 0), (30521, 767), (2023, 100)],
    "module/bert/encoder/layer_0/attention/self/query/kernel": [(0, 1), (1, 0), (767, 3)],
    "module/bert/encoder/layer_11/output/LayerNorm/gamma": [(0,), (767,)],
    "module/cls/predictions/output_bias": [(0,), (30521,)],
}
for name, value in entries(prefix + ".index"):
    if name in wanted:
        fields, shape = entry(value)
        a = np.memmap(data, dtype="<f4", mode="r", offset=fields.get(4, 0), shape=tuple(shape))
        print(name, shape, "offset", fields.get(4, 0), "sum(float64)", repr(float(a.astype(np.float64).sum())))
        for idx in wanted[name]:
            print("   ", idx, repr(float(a[idx])))
