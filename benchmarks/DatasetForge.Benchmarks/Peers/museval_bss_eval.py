#!/usr/bin/python3
"""Peer for `forge bench eval`: runs museval's metrics.bss_eval (BSS Eval v4, framewise_filters=False) on one
folder of ref_<source>.wav / est_<source>.wav and prints JSON with its wall time and the framewise metrics.

Usage: museval_bss_eval.py METRICS_PY FOLDER SOURCES(comma separated) WINDOW HOP
METRICS_PY is museval's metrics.py (loaded with importlib; needs only numpy and scipy)."""
import importlib.util
import json
import sys
import time

import numpy as np
import soundfile as sf


def main():
    metrics_py, folder, sources, window, hop = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4]), int(sys.argv[5])
    spec = importlib.util.spec_from_file_location("museval_metrics", metrics_py)
    metrics = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(metrics)
    refs = np.array([sf.read(f"{folder}/ref_{s}.wav", always_2d=True)[0] for s in sources])
    ests = np.array([sf.read(f"{folder}/est_{s}.wav", always_2d=True)[0] for s in sources])
    start = time.perf_counter()
    cpu_start = time.process_time()
    sdr, isr, sir, sar, _ = metrics.bss_eval(refs, ests, window=window, hop=hop, framewise_filters=False, bsseval_sources_version=False)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start

    def clean(table):
        return [[None if not np.isfinite(v) else float(v) for v in row] for row in table]

    json.dump({"seconds": seconds, "cpu_seconds": cpu_seconds, "sdr": clean(sdr), "isr": clean(isr), "sir": clean(sir), "sar": clean(sar)}, sys.stdout)


if __name__ == "__main__":
    main()
