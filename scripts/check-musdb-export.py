#!/usr/bin/python3
"""Dev check (not a test: tests must not need Python): reads a `forge export musdb` tree the way the musdb tools do
(musdb.DB(root, is_wav=True): root/{train,test}/<track>/{mixture,vocals,drums,bass,other}.wav through soundfile)
and checks every file is a 44.1 kHz stereo WAV of one length per track and that the mixture is the sum of the four
targets within 16-bit quantization. Usage: /usr/bin/python3 scripts/check-musdb-export.py MUSDB_DIR"""
import os
import sys

import numpy as np
import soundfile as sf

SOURCES = ["vocals", "drums", "bass", "other"]


def main(root):
    tracks = 0
    worst = 0.0
    for subset in ("train", "test"):
        folder = os.path.join(root, subset)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            path = os.path.join(folder, name)
            if name.startswith(".") or not os.path.isdir(path):
                continue
            mixture, rate = sf.read(os.path.join(path, "mixture.wav"), always_2d=True)
            assert rate == 44100 and mixture.shape[1] == 2, f"{path}: mixture is {rate} Hz, {mixture.shape[1]} ch"
            total = np.zeros_like(mixture)
            for source in SOURCES:
                audio, r = sf.read(os.path.join(path, source + ".wav"), always_2d=True)
                assert r == rate and audio.shape == mixture.shape, f"{path}/{source}.wav: {r} Hz, shape {audio.shape} vs {mixture.shape}"
                total += audio
            diff = float(np.max(np.abs(total - mixture))) if mixture.size else 0.0
            worst = max(worst, diff)
            assert diff <= 5 / 32768, f"{path}: mixture differs from the sum of the targets by {diff}"
            tracks += 1
    print(f"{tracks} tracks read as musdb reads them; largest |mixture - sum of targets| = {worst:.2e} (16-bit step {1/32768:.2e})")
    return 0 if tracks > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
