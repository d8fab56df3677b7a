using System.Buffers;
using System.Buffers.Binary;
using System.Text.Unicode;

namespace Vod.Media.Subtitles;

/// <summary>
/// Turns an uploaded subtitle file's bytes into text, or says in one sentence why they are not subtitle text. The
/// usual wrong uploads (the video itself, a poster image, a zip of subtitles, a Latin-1 file from an old editor) get a
/// reason naming what the file is, so the admin knows what to upload instead of just "invalid file".
/// </summary>
internal static class SubtitleBytes
{
    private const int TsPacket = 188;

    /// <summary>C0 control bytes no text file has: all of 0x00-0x1F but TAB, LF, FF and CR.</summary>
    private static readonly SearchValues<byte> ControlBytes = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];
    private static ReadOnlySpan<byte> Utf16LeBom => [0xFF, 0xFE];
    private static ReadOnlySpan<byte> Utf16BeBom => [0xFE, 0xFF];
    private static ReadOnlySpan<byte> Utf32LeBom => [0xFF, 0xFE, 0x00, 0x00];
    private static ReadOnlySpan<byte> Utf32BeBom => [0x00, 0x00, 0xFE, 0xFF];
    private static ReadOnlySpan<byte> Matroska => [0x1A, 0x45, 0xDF, 0xA3];
    private static ReadOnlySpan<byte> Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];

    /// <summary>
    /// The file's text, without a byte order mark. UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted:
    /// those are what subtitle editors save; anything else is refused rather than guessed, since a wrong guess
    /// (Latin-1 for Windows-1252, say) would put wrong letters on screen with nobody noticing.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > SubtitleText.MaxBytes)
        {
            throw new SubtitleRejectedException(
                $"the file is {bytes.Length} bytes, over the limit of {SubtitleText.MaxBytes} bytes ({SubtitleText.MaxBytes / (1024 * 1024)} MiB) for a subtitle file");
        }

        if (bytes.IsEmpty)
        {
            throw new SubtitleRejectedException("the file is empty");
        }

        if (KnownBinary(bytes) is { } what)
        {
            throw new SubtitleRejectedException(what);
        }

        if (bytes.StartsWith(Utf32LeBom) || bytes.StartsWith(Utf32BeBom))
        {
            throw new SubtitleRejectedException("the file is UTF-32 text, which is not supported; save it as UTF-8");
        }

        if (bytes.StartsWith(Utf16LeBom) || bytes.StartsWith(Utf16BeBom))
        {
            return DecodeUtf16(bytes, bigEndian: bytes[0] == 0xFE);
        }

        var start = bytes.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        var body = bytes[start..];
        if (LooksLikeUtf16WithoutBom(body))
        {
            throw new SubtitleRejectedException("the file looks like UTF-16 text without a byte order mark; save it as UTF-8");
        }

        var control = body.IndexOfAny(ControlBytes);
        if (control >= 0)
        {
            throw new SubtitleRejectedException($"the file is not a text file (binary byte 0x{body[control]:X2} at offset {start + control})");
        }

        // Strict UTF-8 (what new UTF8Encoding(false, true) does), but this API says where the first invalid byte is.
        var chars = new char[body.Length];
        var status = Utf8.ToUtf16(body, chars, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: true);
        if (status != OperationStatus.Done)
        {
            throw new SubtitleRejectedException(
                $"the file is not UTF-8 text (invalid byte 0x{body[read]:X2} at offset {start + read}, line {LineAt(body, read)}); save it as UTF-8");
        }

        return new string(chars, 0, written);
    }

    /// <summary>A sentence naming the file type for the magic numbers of files people upload by mistake, else null.</summary>
    private static string? KnownBinary(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[4..8].SequenceEqual("ftyp"u8))
        {
            return b.Length >= 12 && b[8..12].SequenceEqual("qt  "u8)
                ? "the file is a QuickTime (MOV) video, not subtitles"
                : "the file is an MP4 video, not subtitles";
        }

        if (b.StartsWith(Matroska))
        {
            return "the file is a Matroska or WebM video, not subtitles";
        }

        if (b.StartsWith(Png))
        {
            return "the file is a PNG image, not subtitles";
        }

        if (b.StartsWith(Jpeg))
        {
            return "the file is a JPEG image, not subtitles";
        }

        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8))
        {
            return "the file is a GIF image, not subtitles";
        }

        if (b.StartsWith("%PDF-"u8))
        {
            return "the file is a PDF document, not subtitles";
        }

        if (b.StartsWith("PK\x03\x04"u8) || b.StartsWith("PK\x05\x06"u8) || b.StartsWith("PK\x07\x08"u8))
        {
            return "the file is a ZIP archive, not subtitles; unzip it and upload the subtitle file inside";
        }

        if (IsMpegTs(b))
        {
            return "the file is an MPEG transport stream (TS video), not subtitles";
        }

        if (b.StartsWith("OggS"u8))
        {
            return "the file is an Ogg audio or video file, not subtitles";
        }

        if (b.StartsWith("RIFF"u8))
        {
            var form = b.Length >= 12 ? b[8..12] : [];
            return form.SequenceEqual("WAVE"u8) ? "the file is a WAV audio file, not subtitles"
                : form.SequenceEqual("AVI "u8) ? "the file is an AVI video, not subtitles"
                : form.SequenceEqual("WEBP"u8) ? "the file is a WebP image, not subtitles"
                : "the file is a RIFF audio or video file, not subtitles";
        }

        return null;
    }

    /// <summary>
    /// A sync byte 0x47 at the start of each of the first packets (up to five). Two packets at least, so a text file
    /// that happens to start with "G" is not called a video.
    /// </summary>
    private static bool IsMpegTs(ReadOnlySpan<byte> b)
    {
        if (b.Length <= TsPacket)
        {
            return false;
        }

        for (var offset = 0; offset < Math.Min(b.Length, 5 * TsPacket); offset += TsPacket)
        {
            if (b[offset] != 0x47)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>ASCII saved as UTF-16 without a BOM: every other byte of the first characters is zero.</summary>
    private static bool LooksLikeUtf16WithoutBom(ReadOnlySpan<byte> b) =>
        b.Length >= 4 && (
            (b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0) ||
            (b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0));

    /// <summary>UTF-16 after its BOM, refusing what strict decoding refuses (a lone surrogate, an odd byte) and control characters.</summary>
    private static string DecodeUtf16(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        const int Bom = 2;
        if (bytes.Length % 2 != 0)
        {
            throw new SubtitleRejectedException("the file is not valid UTF-16 text (it has an odd number of bytes); save it as UTF-8");
        }

        var chars = new char[(bytes.Length - Bom) / 2];
        for (var i = 0; i < chars.Length; i++)
        {
            var unit = bytes.Slice(Bom + (2 * i), 2);
            chars[i] = (char)(bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(unit) : BinaryPrimitives.ReadUInt16LittleEndian(unit));
            if (chars[i] < 0x20 && chars[i] is not ('\t' or '\n' or '\f' or '\r'))
            {
                throw new SubtitleRejectedException($"the file is not a text file (binary character U+{(int)chars[i]:X4} at offset {Bom + (2 * i)})");
            }
        }

        for (var i = 0; i < chars.Length; i++)
        {
            var paired = char.IsHighSurrogate(chars[i])
                ? i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])
                : !char.IsLowSurrogate(chars[i]);
            if (!paired)
            {
                throw new SubtitleRejectedException(
                    $"the file is not valid UTF-16 text (unpaired surrogate 0x{(int)chars[i]:X4} at offset {Bom + (2 * i)}); save it as UTF-8");
            }

            if (char.IsHighSurrogate(chars[i]))
            {
                i++;
            }
        }

        return new string(chars);
    }

    /// <summary>The 1-based line of a byte offset, counting CRLF, CR and LF each as one line break.</summary>
    private static int LineAt(ReadOnlySpan<byte> text, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                line++;
            }
        }

        return line;
    }
}
