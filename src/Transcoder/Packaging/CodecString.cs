using System.Globalization;

namespace Vod.Transcoder.Packaging;

/// <summary>
/// RFC 6381 codec strings read from what was really encoded: the <c>avcC</c> box of the init segment gives
/// <c>avc1.PPCCLL</c> (profile, constraint flags, level), the <c>av1C</c> box gives <c>av01.P.LLT.DD</c> (AV1-ISOBMFF
/// §5: profile, level, tier, bit depth), the <c>esds</c> box gives <c>mp4a.40.N</c>; an init segment with video and
/// audio gives both, comma-separated.
/// </summary>
internal static class CodecString
{
    public static string FromInitSegment(ReadOnlySpan<byte> init)
    {
        var avcC = init.IndexOf("avcC"u8);
        // avcC payload: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication.
        var video = avcC >= 0 && avcC + 8 <= init.Length
            ? string.Create(CultureInfo.InvariantCulture, $"avc1.{init[avcC + 5]:x2}{init[avcC + 6]:x2}{init[avcC + 7]:x2}")
            : Av1(init);
        var audio = AudioObjectType(init) is { } aot ? string.Create(CultureInfo.InvariantCulture, $"mp4a.40.{aot}") : null;
        return (video, audio) switch
        {
            (null, null) => throw new InvalidDataException("the init segment has neither an avcC, an av1C nor an esds box"),
            (null, _) => audio!,
            (_, null) => video,
            _ => $"{video},{audio}",
        };
    }

    /// <summary>
    /// <c>av01.P.LLT.DD</c> from the <c>av1C</c> box (AV1-ISOBMFF §2.3.3), or null without one: its first byte is the
    /// marker bit and version 1 (0x81), the second seq_profile (3 bits) and seq_level_idx_0 (5), the third seq_tier_0,
    /// high_bitdepth and twelve_bit first. The optional fields after DD (colour, chroma) are left out: their defaults
    /// are what they would say for 4:2:0 BT.709, and players take the short form.
    /// </summary>
    private static string? Av1(ReadOnlySpan<byte> init)
    {
        var av1C = init.IndexOf("av1C"u8);
        if (av1C < 0 || av1C + 7 > init.Length)
        {
            return null;
        }

        var config = init.Slice(av1C + 4, 3);
        if (config[0] != 0x81)
        {
            throw new InvalidDataException($"the av1C box has marker and version 0x{config[0]:x2}, not 0x81");
        }

        var profile = config[1] >> 5;
        var level = config[1] & 0x1f;
        var tier = (config[2] & 0x80) != 0 ? 'H' : 'M';
        var highBitDepth = (config[2] & 0x40) != 0;
        var twelveBit = (config[2] & 0x20) != 0; // only profile 2 (Professional) has 12 bits
        var bitDepth = !highBitDepth ? 8 : profile == 2 && twelveBit ? 12 : 10;
        return string.Create(CultureInfo.InvariantCulture, $"av01.{profile}.{level:00}{tier}.{bitDepth:00}");
    }

    /// <summary>The AAC audio object type from the DecoderSpecificInfo in <c>esds</c>, or null without audio.</summary>
    private static int? AudioObjectType(ReadOnlySpan<byte> init)
    {
        var esds = init.IndexOf("esds"u8);
        if (esds < 0)
        {
            return null;
        }

        // Box body after the type: version/flags (4 bytes), then descriptors. Walk to tag 0x05 (DecoderSpecificInfo).
        var i = esds + 8;
        while (i < init.Length - 1)
        {
            var tag = init[i++];
            var length = 0;
            for (var n = 0; n < 4 && i < init.Length; n++)
            {
                var b = init[i++];
                length = (length << 7) | (b & 0x7f);
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            switch (tag)
            {
                case 0x03: // ES_Descriptor: ES_ID (2), flags (1); optional fields are not written by ffmpeg's muxer
                    i += 3;
                    break;
                case 0x04: // DecoderConfigDescriptor: objectType, streamType, bufferSize (3), maxBitrate (4), avgBitrate (4)
                    i += 13;
                    break;
                case 0x05:
                    return i < init.Length ? init[i] >> 3 : null;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>Reads the codec string from the start of an init segment file (or a single-file rendition).</summary>
    public static string FromInitFile(string path, int length = 64 * 1024)
    {
        using var file = File.OpenRead(path);
        var buffer = new byte[(int)Math.Min(length, file.Length)];
        file.ReadExactly(buffer);
        return FromInitSegment(buffer);
    }
}
