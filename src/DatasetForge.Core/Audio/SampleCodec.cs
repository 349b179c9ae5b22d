using System.Buffers.Binary;
using System.Runtime.InteropServices;

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
                    destination[i] = (source[i] - 128) / Scale8;
                }

                break;
            case SampleEncoding.PcmS8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = (sbyte)source[i] / Scale8;
                }

                break;
            case SampleEncoding.Pcm16:
                if (!bigEndian && BitConverter.IsLittleEndian)
                {
                    var shorts = MemoryMarshal.Cast<byte, short>(source[..(n * 2)]);
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = shorts[i] / Scale16;
                    }
                }
                else
                {
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = BinaryPrimitives.ReadInt16BigEndian(source.Slice(i * 2, 2)) / Scale16;
                    }
                }

                break;
            case SampleEncoding.Pcm24:
                for (int i = 0, b = 0; i < n; i++, b += 3)
                {
                    var value = bigEndian
                        ? (source[b] << 24) | (source[b + 1] << 16) | (source[b + 2] << 8)
                        : (source[b + 2] << 24) | (source[b + 1] << 16) | (source[b] << 8);
                    destination[i] = (value >> 8) / Scale24;
                }

                break;
            case SampleEncoding.Pcm32:
                for (var i = 0; i < n; i++)
                {
                    var slice = source.Slice(i * 4, 4);
                    var value = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(slice) : BinaryPrimitives.ReadInt32LittleEndian(slice);
                    destination[i] = (float)(value / Scale32);
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
                for (var i = 0; i < n; i++)
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
