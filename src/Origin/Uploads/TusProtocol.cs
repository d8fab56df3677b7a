using System.Globalization;
using System.Text;

namespace Vod.Origin.Uploads;

/// <summary>
/// The pure rules of tus 1.0.0 (https://tus.io/protocols/resumable-upload) as this server speaks them: header names,
/// what a valid value is, and what an offset may be. Each check answers null when the request is fine, or the message
/// the client gets, in its terms.
/// </summary>
internal static class TusProtocol
{
    public const string TusVersion = "1.0.0";
    public const string Extensions = "creation,termination,expiration";
    public const string OffsetStream = "application/offset+octet-stream";

    public const string Resumable = "Tus-Resumable";
    public const string VersionHeader = "Tus-Version";
    public const string ExtensionHeader = "Tus-Extension";
    public const string MaxSizeHeader = "Tus-Max-Size";
    public const string UploadOffset = "Upload-Offset";
    public const string UploadLength = "Upload-Length";
    public const string UploadMetadata = "Upload-Metadata";
    public const string UploadExpires = "Upload-Expires";
    public const string UploadDeferLength = "Upload-Defer-Length";

    /// <summary>This server's own header on a completed upload: the id of the title it became (see <c>/api/titles/{id}</c>).</summary>
    public const string TitleHeader = "Vod-Title";

    /// <summary>Longest Upload-Metadata accepted: a file name and a title name, base64, with room to spare.</summary>
    public const int MaxMetadataLength = 4096;

    /// <summary>A new upload id: 32 lowercase hex digits (a random GUID), unguessable and safe as a file or object name.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    public static bool IsUploadId(string? id) => id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>Null when the request speaks tus 1.0.0, else why not (answered 412 with <c>Tus-Version</c>).</summary>
    public static string? ResumableProblem(string? header) => header switch
    {
        null or "" => $"the {Resumable} header is missing: this endpoint speaks tus {TusVersion}",
        TusVersion => null,
        _ => $"{Resumable} '{Truncate(header)}' is not supported: this server speaks tus {TusVersion}",
    };

    /// <summary>Whether a PATCH's Content-Type is tus's (parameters are ignored, case is not significant).</summary>
    public static bool IsOffsetStream(string? contentType) =>
        contentType is not null && contentType.Split(';', 2)[0].Trim().Equals(OffsetStream, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A non-negative byte count as tus writes it (<c>Upload-Offset</c>, <c>Upload-Length</c>): ASCII digits only, no
    /// sign, no spaces, no more than fits a long. Null when the value is not one.
    /// </summary>
    public static long? ParseSize(string? value) =>
        value is { Length: > 0 and <= 19 } && value.All(char.IsAsciiDigit)
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>
    /// Upload-Metadata: comma-separated pairs, each a key (ASCII, no spaces or commas, unique) and an optional base64
    /// value, separated by one space. Values are decoded as UTF-8. Null and an error when the header is malformed.
    /// </summary>
    public static (IReadOnlyDictionary<string, string>? Metadata, string? Error) ParseMetadata(string? header)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(header))
        {
            return (metadata, null);
        }

        if (header.Length > MaxMetadataLength)
        {
            return (null, $"{UploadMetadata} is longer than {MaxMetadataLength} characters");
        }

        foreach (var pair in header.Split(','))
        {
            var parts = pair.Trim().Split(' ');
            var key = parts[0];
            if (parts.Length > 2 || key.Length == 0 || !key.All(c => c is > ' ' and < (char)127))
            {
                return (null, $"{UploadMetadata} has a malformed pair: expected 'key base64value' pairs separated by commas");
            }

            var value = "";
            if (parts.Length == 2)
            {
                var bytes = new byte[(parts[1].Length / 4 * 3) + 3];
                if (!Convert.TryFromBase64String(parts[1], bytes, out var written))
                {
                    return (null, $"{UploadMetadata} value of '{Truncate(key)}' is not base64");
                }

                try
                {
                    value = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
                }
                catch (DecoderFallbackException)
                {
                    return (null, $"{UploadMetadata} value of '{Truncate(key)}' is not UTF-8 text");
                }
            }

            if (!metadata.TryAdd(key, value))
            {
                return (null, $"{UploadMetadata} names '{Truncate(key)}' twice");
            }
        }

        return (metadata, null);
    }

    /// <summary>
    /// Null when a PATCH of <paramref name="bodyLength"/> bytes (null: not said, a chunked body) at
    /// <paramref name="clientOffset"/> fits an upload at <paramref name="offset"/> of <paramref name="length"/>; else the
    /// status (409 for an offset that is not the upload's, 413 for a body that would go past its length) and why.
    /// </summary>
    public static (int Status, string Message)? OffsetProblem(long clientOffset, long? bodyLength, long offset, long length)
    {
        if (clientOffset != offset)
        {
            return (StatusCodes.Status409Conflict, $"{UploadOffset} is {clientOffset} but the upload has {offset} bytes: send from {offset} (HEAD tells the offset)");
        }

        if (bodyLength is { } n && n > length - offset)
        {
            return (StatusCodes.Status413PayloadTooLarge, $"{n} bytes at offset {offset} go beyond {UploadLength} {length}: {length - offset} bytes are left");
        }

        return null;
    }

    /// <summary>An HTTP-date (RFC 9110), as Upload-Expires carries it.</summary>
    public static string FormatDate(DateTimeOffset time) => time.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
