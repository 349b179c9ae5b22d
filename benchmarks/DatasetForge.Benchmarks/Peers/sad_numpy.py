"""BSRNN source activity detection in numpy: the peer of `forge bench analysis` (reference only, never product code).

Reads a JSON list of WAV paths on stdin; prints {"seconds": CPU seconds of the detection (file reading excluded),
"salient": [[bool per segment] per file]}. Same reading of the paper as DatasetForge's default: 6 s segments, 50%
overlap, 10 chunks at floor(j * segment / 10), chunk energy = mean square over the chunk and all channels, all-zero
chunks -> 1e-5, threshold = max(numpy.quantile(all chunk energies, 0.15), 1e-3), salient when > 50% of chunks exceed.
"""
import json
import sys
import time

import numpy as np
import soundfile as sf

files = json.load(sys.stdin)
out = []
total = 0.0
for path in files:
    x, sr = sf.read(path, dtype="float32", always_2d=True)
    t0 = time.process_time()
    seg = int(round(6 * sr))
    hop = int(round(seg * 0.5))
    n = 10
    flags = []
    if x.shape[0] >= seg:
        count = 1 + (x.shape[0] - seg) // hop
        bounds = [(j * seg) // n for j in range(n + 1)]
        cs = np.concatenate([[0.0], np.cumsum((x.astype(np.float64) ** 2).sum(axis=1))])
        starts = np.arange(count) * hop
        e = np.empty((count, n))
        for j in range(n):
            a = starts + bounds[j]
            b = starts + bounds[j + 1]
            e[:, j] = (cs[b] - cs[a]) / ((b - a) * x.shape[1])
        e[e <= 0] = 1e-5
        threshold = max(np.quantile(e, 0.15), 1e-3)
        flags = ((e > threshold).mean(axis=1) > 0.5).tolist()
    total += time.process_time() - t0
    out.append(flags)
print(json.dumps({"seconds": total, "salient": out}))
