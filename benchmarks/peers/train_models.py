#!/usr/bin/env python3
"""Peer for `forge bench train` (reference only, not product code): the Mask-Inference and BSRNN models of
src/DatasetForge.Torch written in PyTorch the usual way, with the same layers, sizes, input path and losses, timed
over the same batch (raw float32 files written by the benchmark) on the same device.

One training step = zero_grad, forward, loss, backward, Adam step, and reading the loss value (a sync point).
Prints one JSON object: model, device, threads, parameters, step_s (one value per timed step), torch version.
"""
import argparse
import json
import math
import os
import sys
import time


def _threads():
    """--threads, read before numpy and torch load: OpenBLAS sizes its own thread pool when it is loaded."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


os.environ["OPENBLAS_NUM_THREADS"] = _threads()
os.environ["OMP_NUM_THREADS"] = _threads()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def blas():
    """The BLAS library this process loaded (Debian's torch calls libblas.so.3: reference BLAS or OpenBLAS by alternative)."""
    try:
        with open("/proc/self/maps") as maps:
            names = {line.split()[-1] for line in maps if "blas" in line.lower()}
        return ",".join(sorted({os.path.basename(os.path.dirname(n)) for n in names})) or "?"
    except OSError:
        return "?"


def stft(x, n_fft, hop):
    shape = x.shape
    flat = x.reshape(-1, shape[-1])
    window = torch.hann_window(n_fft, periodic=True, device=x.device)
    spec = torch.stft(flat, n_fft, hop, n_fft, window, center=True, pad_mode="constant", normalized=False, onesided=True, return_complex=True)
    return spec.reshape(*shape[:-1], spec.shape[-2], spec.shape[-1])


def istft(spec, n_fft, hop, length):
    shape = spec.shape
    flat = spec.reshape(-1, shape[-2], shape[-1])
    window = torch.hann_window(n_fft, periodic=True, device=spec.device)
    y = torch.istft(flat, n_fft, hop, n_fft, window, center=True, normalized=False, onesided=True, length=length)
    return y.reshape(*shape[:-2], length)


class Resampler:
    """Hann-windowed sinc polyphase resampler as one strided conv1d (6 zero crossings, rolloff 0.99)."""

    def __init__(self, orig, new, device):
        g = math.gcd(orig, new)
        self.orig, self.new = orig // g, new // g
        base = min(self.orig, self.new) * 0.99
        self.width = int(math.ceil(6 * self.orig / base))
        taps = 2 * self.width + self.orig
        k = np.arange(taps)
        phase = np.arange(self.new)[:, None]
        t = (-phase / self.new + (k[None, :] - self.width) / self.orig) * base
        t = np.clip(t, -6, 6)
        w = np.cos(t * math.pi / 6 / 2) ** 2
        x = t * math.pi
        sinc = np.where(x == 0, 1.0, np.sin(x) / np.where(x == 0, 1.0, x))
        self.kernel = torch.tensor((sinc * w * base / self.orig)[:, None, :], dtype=torch.float32, device=device)

    def __call__(self, x):
        shape = x.shape
        n = shape[-1]
        flat = x.reshape(-1, 1, n)
        padded = nn.functional.pad(flat, (self.width, self.width + self.orig))
        y = nn.functional.conv1d(padded, self.kernel, stride=self.orig).transpose(1, 2).reshape(flat.shape[0], -1)
        target = int(math.ceil(self.new * n / self.orig))
        return y[:, :target].reshape(*shape[:-1], target)


class MaskInference(nn.Module):
    def __init__(self, stream_rate, levels, rate=16000, n_fft=1024, hop=512, hidden=600, layers=4, dropout=0.3, device="cpu"):
        super().__init__()
        self.levels, self.n_fft, self.hop, self.bins = levels, n_fft, hop, n_fft // 2 + 1
        self.resample = Resampler(stream_rate, rate, device)
        self.lstm = nn.LSTM(self.bins, hidden, layers, batch_first=True, dropout=dropout, bidirectional=True)
        self.output = nn.Linear(2 * hidden, self.bins * levels)

    def spectrum(self, waveform):
        return stft(self.resample(waveform.mean(-2)), self.n_fft, self.hop)

    def forward(self, mixture):
        spec = self.spectrum(mixture)
        b, frames = spec.shape[0], spec.shape[-1]
        features = (spec.abs() + 1e-8).log().transpose(1, 2)
        h, _ = self.lstm(features)
        masks = torch.sigmoid(self.output(h))
        return masks.view(b, frames, self.levels, self.bins).permute(0, 2, 3, 1)


def tpsa_loss(model, masks, mixture, targets):
    x = model.spectrum(mixture)
    s = model.spectrum(targets)
    abs_x = x.abs()
    psa = torch.real(s * x.unsqueeze(1).conj()) / (abs_x.unsqueeze(1) + 1e-8)
    psa = torch.minimum(psa.clamp_min(0), abs_x.unsqueeze(1).expand_as(psa))
    return (masks * abs_x.unsqueeze(1) - psa).abs().mean()


class ResidualRnn(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.norm = nn.LayerNorm(n)
        self.rnn = nn.LSTM(n, 2 * n, 1, batch_first=True, bidirectional=True)
        self.projection = nn.Linear(4 * n, n)

    def forward(self, x):
        h, _ = self.rnn(self.norm(x))
        return x + self.projection(h)


class BandSplitRnn(nn.Module):
    def __init__(self, channels, bands, n_fft=2048, hop=512, features=128, modules=12):
        super().__init__()
        self.bands, self.channels, self.n, self.n_fft, self.hop = bands, channels, features, n_fft, hop
        widths = [2 * channels * (e - s) for s, e in bands]
        self.split = nn.ModuleList([nn.Sequential(nn.LayerNorm(w), nn.Linear(w, features)) for w in widths])
        self.masks = nn.ModuleList([nn.Sequential(nn.LayerNorm(features), nn.Linear(features, 4 * features), nn.Tanh(),
                                                  nn.Linear(4 * features, 2 * w), nn.GLU(-1)) for w in widths])
        self.time = nn.ModuleList([ResidualRnn(features) for _ in range(modules)])
        self.band = nn.ModuleList([ResidualRnn(features) for _ in range(modules)])

    def forward(self, mixture):
        spec = stft(mixture, self.n_fft, self.hop)                      # [B, C, F, T]
        b, frames, k = spec.shape[0], spec.shape[-1], len(self.bands)
        real = torch.view_as_real(spec).permute(0, 3, 1, 2, 4)          # [B, T, C, F, 2]
        z = torch.stack([self.split[i](real[:, :, :, s:e].reshape(b, frames, -1)) for i, (s, e) in enumerate(self.bands)], 1)
        for t_rnn, b_rnn in zip(self.time, self.band):
            z = t_rnn(z.reshape(b * k, frames, self.n)).view(b, k, frames, self.n)
            across = z.transpose(1, 2).reshape(b * frames, k, self.n)
            z = b_rnn(across).view(b, frames, k, self.n).transpose(1, 2)
        masks = [self.masks[i](z[:, i]).view(b, frames, self.channels, e - s, 2) for i, (s, e) in enumerate(self.bands)]
        mask = torch.cat(masks, 3).permute(0, 2, 3, 1, 4).contiguous()
        return torch.view_as_real(torch.view_as_complex(mask) * spec)


def bsrnn_loss(model, output, targets):
    target = targets[:, 0]
    target_spec = torch.view_as_real(stft(target, model.n_fft, model.hop))
    estimate = istft(torch.view_as_complex(output.contiguous()), model.n_fft, model.hop, target.shape[-1])
    return 2 * (output - target_spec).abs().mean() + (estimate - target).abs().mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=["mask-inference", "bsrnn"])
    p.add_argument("--data", required=True)
    p.add_argument("--shape", required=True, help="B,T,C,S of the targets")
    p.add_argument("--rate", type=int, required=True)
    p.add_argument("--bands", default="", help="start:end,... (bsrnn)")
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    b, t, c, s = (int(v) for v in a.shape.split(","))
    mixture = torch.from_numpy(np.fromfile(f"{a.data}/mixture.f32", dtype=np.float32).reshape(b, c, s)).to(a.device)
    targets = torch.from_numpy(np.fromfile(f"{a.data}/targets.f32", dtype=np.float32).reshape(b, t, c, s)).to(a.device)
    if a.model == "mask-inference":
        model = MaskInference(a.rate, t, device=a.device).to(a.device)
        loss_fn = lambda out: tpsa_loss(model, out, mixture, targets)
        lr = 1e-4
    else:
        bands = [tuple(int(v) for v in pair.split(":")) for pair in a.bands.split(",")]
        model = BandSplitRnn(c, bands).to(a.device)
        loss_fn = lambda out: bsrnn_loss(model, out, targets)
        lr = 1e-3
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    times = []
    for i in range(a.warmup + a.steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = loss_fn(model(mixture))
        loss.backward()
        if a.model == "bsrnn":
            nn.utils.clip_grad_norm_(model.parameters(), 5)
        optimizer.step()
        loss.item()
        if a.device.startswith("cuda"):
            torch.cuda.synchronize()
        if i >= a.warmup:
            times.append(time.perf_counter() - start)
    print(json.dumps({"model": a.model, "device": a.device, "threads": torch.get_num_threads(), "parameters": sum(q.numel() for q in model.parameters()),
                      "step_s": times, "torch": torch.__version__, "blas": blas()}))


if __name__ == "__main__":
    main()
