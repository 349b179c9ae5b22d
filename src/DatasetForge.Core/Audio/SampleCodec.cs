using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DatasetForge.Audio;

/// <summary>
/// Converts between stored sample bytes and interleaved floats (full scale = 1.0). PCM is scaled by 2^(bits-1)
/// both ways, so reading then writing PCM reproduces the bytes exactly.
/// </summary>
public static class SampleCodec
{
    private const float Scale8 = 128f;
    private const float Scale16 = 32768f;
    private const float Scale24 = 8388608f;
    private const double Scale32 = 2147483648.0;

    // Reciprocals of the powers of two above: multiplying by them is exact and much cheaper than dividing.
    private const float Inverse8 = 1f / Scale8;
    private const float Inverse16 = 1f / Scale16;
    private const float Inverse24 = 1f / Scale24;
    private const double Inverse32 = 1.0 / Scale32;

    public static void Decode(ReadOnlySpan<byte> source, SampleEncoding encoding, bool bigEndian, Span<float> destination)
    {
        var n = destination.Length;
        if (source.Length < n * encoding.BytesPerSample())
        {
            throw new ArgumentException("Source holds fewer samples than the destination asks for.", nameof(source));
        }

        switch (encoding)
        {
            case SampleEncoding.Pcm8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = (source[i] - 128) * Inverse8;
                }

                break;
            case SampleEncoding.PcmS8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = (sbyte)source[i] * Inverse8;
                }

                break;
            case SampleEncoding.Pcm16:
                if (!bigEndian && BitConverter.IsLittleEndian)
                {
                    DecodePcm16(MemoryMarshal.Cast<byte, short>(source[..(n * 2)]), destination);
                }
                else
                {
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = BinaryPrimitives.ReadInt16BigEndian(source.Slice(i * 2, 2)) * Inverse16;
                    }
                }

                break;
            case SampleEncoding.Pcm24:
                for (int i = 0, b = 0; i < n; i++, b += 3)
                {
                    var value = bigEndian
                        ? (source[b] << 24) | (source[b + 1] << 16) | (source[b + 2] << 8)
                        : (source[b + 2] << 24) | (source[b + 1] << 16) | (source[b] << 8);
                    destination[i] = (value >> 8) * Inverse24;
                }

                break;
            case SampleEncoding.Pcm32:
                for (var i = 0; i < n; i++)
                {
                    var slice = source.Slice(i * 4, 4);
                    var value = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(slice) : BinaryPrimitives.ReadInt32LittleEndian(slice);
                    destination[i] = (float)(value * Inverse32);
                }

                break;
            case SampleEncoding.Float32:
                if (!bigEndian && BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(source[..(n * 4)]).CopyTo(destination);
                }
                else
                {
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = BinaryPrimitives.ReadSingleBigEndian(source.Slice(i * 4, 4));
                    }
                }

                break;
            case SampleEncoding.Float64:
                for (var i = 0; i < n; i++)
                {
                    var slice = source.Slice(i * 8, 8);
                    destination[i] = (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(slice) : BinaryPrimitives.ReadDoubleLittleEndian(slice));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(encoding));
        }
    }

    /// <summary>Encodes little-endian (WAV). Returns how many samples were clipped to full scale (PCM only).</summary>
    public static int Encode(ReadOnlySpan<float> source, SampleEncoding encoding, Span<byte> destination)
    {
        var n = source.Length;
        if (destination.Length < n * encoding.BytesPerSample())
        {
            throw new ArgumentException("Destination is too small.", nameof(destination));
        }

        var clipped = 0;
        switch (encoding)
        {
            case SampleEncoding.Pcm8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = (byte)(ClampRound(source[i] * Scale8, -128, 127, ref clipped) + 128);
                }

                break;
            case SampleEncoding.PcmS8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = (byte)(sbyte)ClampRound(source[i] * Scale8, -128, 127, ref clipped);
                }

                break;
            case SampleEncoding.Pcm16:
                var shorts = MemoryMarshal.Cast<byte, short>(destination[..(n * 2)]);
                var done = BitConverter.IsLittleEndian ? EncodePcm16(source, shorts, ref clipped) : 0;
                for (var i = done; i < n; i++)
                {
                    shorts[i] = BitConverter.IsLittleEndian
                        ? (short)ClampRound(source[i] * Scale16, short.MinValue, short.MaxValue, ref clipped)
                        : BinaryPrimitives.ReverseEndianness((short)ClampRound(source[i] * Scale16, short.MinValue, short.MaxValue, ref clipped));
                }

                break;
            case SampleEncoding.Pcm24:
                for (int i = 0, b = 0; i < n; i++, b += 3)
                {
                    var value = (int)ClampRound(source[i] * Scale24, -8388608, 8388607, ref clipped);
                    destination[b] = (byte)value;
                    destination[b + 1] = (byte)(value >> 8);
                    destination[b + 2] = (byte)(value >> 16);
                }

                break;
            case SampleEncoding.Pcm32:
                for (var i = 0; i < n; i++)
                {
                    var value = ClampRound(source[i] * Scale32, int.MinValue, int.MaxValue, ref clipped);
                    BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(i * 4, 4), (int)value);
                }

                break;
            case SampleEncoding.Float32:
                if (BitConverter.IsLittleEndian)
                {
                    source.CopyTo(MemoryMarshal.Cast<byte, float>(destination[..(n * 4)]));
                    break;
                }

                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination.Slice(i * 4, 4), source[i]);
                }

                break;
            case SampleEncoding.Float64:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(destination.Slice(i * 8, 8), source[i]);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(encoding));
        }

        return clipped;
    }

    private static void DecodePcm16(ReadOnlySpan<short> source, Span<float> destination)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var src = ref MemoryMarshal.GetReference(source);
            ref var dst = ref MemoryMarshal.GetReference(destination);
            var scale = Vector256.Create(Inverse16);
            for (; i + 16 <= destination.Length; i += 16)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref src, (nuint)i));
                (Vector256.ConvertToSingle(lower) * scale).StoreUnsafe(ref dst, (nuint)i);
                (Vector256.ConvertToSingle(upper) * scale).StoreUnsafe(ref dst, (nuint)(i + 8));
            }
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = source[i] * Inverse16;
        }
    }

    /// <summary>
    /// Vectorized float to 16-bit PCM for whole groups of 16 samples: round half to even and clamp, exactly as
    /// <see cref="ClampRound"/>. Returns how many samples it did; the caller finishes the rest (and any NaN group).
    /// </summary>
    private static int EncodePcm16(ReadOnlySpan<float> source, Span<short> destination, ref int clipped)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return 0;
        }

        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var scale = Vector256.Create(Scale16);
        var min = Vector256.Create(-32768f);
        var max = Vector256.Create(32767f);
        var i = 0;
        for (; i + 16 <= source.Length; i += 16)
        {
            var a = Vector256.LoadUnsafe(ref src, (nuint)i) * scale;
            var b = Vector256.LoadUnsafe(ref src, (nuint)(i + 8)) * scale;
            if (!Vector256.EqualsAll(a, a) || !Vector256.EqualsAll(b, b))
            {
                break; // NaN: the scalar path counts it
            }

            a = Vector256.Round(a);
            b = Vector256.Round(b);
            var ca = Vector256.Min(Vector256.Max(a, min), max);
            var cb = Vector256.Min(Vector256.Max(b, min), max);
            clipped += System.Numerics.BitOperations.PopCount(Vector256.ExtractMostSignificantBits(~Vector256.Equals(a, ca)))
                + System.Numerics.BitOperations.PopCount(Vector256.ExtractMostSignificantBits(~Vector256.Equals(b, cb)));
            Vector256.Narrow(Vector256.ConvertToInt32(ca), Vector256.ConvertToInt32(cb)).StoreUnsafe(ref dst, (nuint)i);
        }

        return i;
    }

    private static long ClampRound(double value, long min, long max, ref int clipped)
    {
        var rounded = Math.Round(value);
        if (rounded > max)
        {
            clipped++;
            return max;
        }

        if (rounded < min)
        {
            clipped++;
            return min;
        }

        if (double.IsNaN(rounded))
        {
            clipped++;
            return 0;
        }

        return (long)rounded;
    }
}
