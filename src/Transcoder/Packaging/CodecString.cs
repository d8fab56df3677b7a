using System.Globalization;

namespace Vod.Transcoder.Packaging;

/// <summary>
/// RFC 6381 codec strings read from what was really encoded: the <c>avcC</c> box of the init segment gives
/// <c>avc1.PPCCLL</c> (profile, constraint flags, level), the <c>esds</c> box gives <c>mp4a.40.N</c>; an init segment
/// with both gives both, comma-separated.
/// </summary>
internal static class CodecString
{
    public static string FromInitSegment(ReadOnlySpan<byte> init)
    {
        var avcC = init.IndexOf("avcC"u8);
        // avcC payload: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication.
        var video = avcC >= 0 && avcC + 8 <= init.Length
            ? string.Create(CultureInfo.InvariantCulture, $"avc1.{init[avcC + 5]:x2}{init[avcC + 6]:x2}{init[avcC + 7]:x2}")
            : null;
        var audio = AudioObjectType(init) is { } aot ? string.Create(CultureInfo.InvariantCulture, $"mp4a.40.{aot}") : null;
        return (video, audio) switch
        {
            (null, null) => throw new InvalidDataException("the init segment has neither an avcC nor an esds box"),
            (null, _) => audio!,
            (_, null) => video,
            _ => $"{video},{audio}",
        };
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
