#!/usr/bin/env python3
"""Peer for `forge bench mix` (reference only, not product code): the BSRNN training mix recipe as a PyTorch
Dataset + DataLoader, the way Python trainers usually write it.

For each target stem (vocal, percussion, bass, other at level 2): a random train song that has a salient bsrnn
segment of that stem (analysis/segments.csv), a random salient segment, a random chunk inside it read with
soundfile (only those frames), a gain uniform in [-10, 10] dB, dropped with probability 0.1; mixture = sum;
mixture and targets divided by the largest of their max-abs values. DataLoader(batch_size, num_workers) collates
batches [B, C, S] and [B, 4, C, S].

Prints one JSON object: batches and mixtures timed after the first batch (worker start-up excluded), wall seconds,
CPU seconds of this process and its workers (psutil), mixtures per second.
"""
import argparse
import csv
import json
import os
import time

import numpy as np
import psutil
import soundfile as sf
import torch
from torch.utils.data import DataLoader, Dataset

TARGETS = ["vocal", "percussion", "bass", "other"]


def truthy(text):
    return text.strip().lower() in ("true", "1", "yes", "1.0")


class BsrnnMixes(Dataset):
    def __init__(self, root, chunk_seconds, length, seed):
        self.root = root
        self.seed = seed
        self.length = length
        split = {}
        with open(os.path.join(root, "splits.csv"), newline="") as f:
            for row in csv.DictReader(f):
                split[row["song_id"]] = row["split"]
        rate = None
        paths = {}
        with open(os.path.join(root, "manifests", "stems.csv"), newline="") as f:
            for row in csv.DictReader(f):
                if row["level"] == "2" and row["node"] in TARGETS and row.get("status", "ok") == "ok" and split.get(row["song_id"]) == "train":
                    paths[(row["song_id"], row["node"])] = os.path.join(root, row["path"])
                    rate = int(row["sample_rate"])
        self.rate = rate
        self.chunk = int(round(chunk_seconds * rate))
        segments = {t: {} for t in TARGETS}
        with open(os.path.join(root, "analysis", "segments.csv"), newline="") as f:
            for row in csv.DictReader(f):
                key = (row["song_id"], row["name"])
                if row["source"] == "stem" and row["level"] == "2" and row["method"] == "bsrnn" and truthy(row["salient"]) and key in paths:
                    start, end = int(round(float(row["start_s"]) * rate)), int(round(float(row["end_s"]) * rate))
                    segments[row["name"]].setdefault(row["song_id"], []).append((start, end))
        self.pools = [[(paths[(song, t)], ranges) for song, ranges in sorted(segments[t].items())] for t in TARGETS]

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        rng = np.random.default_rng((self.seed, index))
        stems = []
        for pool in self.pools:
            path, ranges = pool[rng.integers(len(pool))]
            start, end = ranges[rng.integers(len(ranges))]
            offset = start + int(rng.integers(0, max(1, end - start - self.chunk + 1)))
            audio, _ = sf.read(path, start=offset, frames=self.chunk, dtype="float32", always_2d=True)
            if audio.shape[0] < self.chunk:
                audio = np.pad(audio, ((0, self.chunk - audio.shape[0]), (0, 0)))
            gain = np.float32(10 ** (rng.uniform(-10, 10) / 20))
            if rng.random() < 0.1:
                gain = np.float32(0)
            stems.append(audio.T * gain)
        targets = np.stack(stems)
        mixture = targets.sum(axis=0)
        peak = max(np.abs(mixture).max(), np.abs(targets).max())
        if peak > 0:
            mixture /= peak
            targets /= peak
        return torch.from_numpy(mixture), torch.from_numpy(targets)


def worker_init(_):
    torch.set_num_threads(1)


def cpu_seconds(process):
    total = 0.0
    for p in [process] + process.children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--chunk-seconds", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    dataset = BsrnnMixes(args.dataset, args.chunk_seconds, (args.batches + 1) * args.batch, args.seed)
    loader = DataLoader(dataset, batch_size=args.batch, num_workers=args.workers, worker_init_fn=worker_init, prefetch_factor=2,
                        persistent_workers=False)
    process = psutil.Process()
    batches = iter(loader)
    mixture, targets = next(batches)  # start-up: workers spawned, first batch made
    assert tuple(targets.shape[:2]) == (args.batch, 4)
    wall0, cpu0 = time.perf_counter(), cpu_seconds(process)
    count = 0
    for _ in range(args.batches):
        mixture, targets = next(batches)
        count += mixture.shape[0]
    # measured before the iterator ends: the workers' CPU time is lost once they exit
    wall, cpu = time.perf_counter() - wall0, cpu_seconds(process) - cpu0
    del batches
    print(json.dumps({"peer": f"PyTorch {torch.__version__} DataLoader, soundfile {sf.__version__} (libsndfile)", "workers": args.workers,
                      "mixtures": count, "wall_s": wall, "cpu_s": cpu, "mixes_per_s": count / wall, "sample_rate": dataset.rate}))


if __name__ == "__main__":
    main()
