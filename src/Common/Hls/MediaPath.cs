namespace Vod.Common.Hls;

/// <summary>
/// A validated path of a packaged file below <c>/titles/</c>: <c>{titleId}/{segment}/.../{file}</c>.
/// Both the origin and the edge accept a client's path only through <see cref="TryParse"/>: every segment is a
/// short run of <c>[A-Za-z0-9._-]</c> that does not start with a dot, so <c>..</c>, encoded separators,
/// backslashes and NUL never reach a file system or a cache key.
/// </summary>
public sealed record MediaPath(string TitleId, string RelativePath)
{
    /// <summary>Where packaged media lives in every URL, on origins and edges: <c>/titles/{id}/{version}/...</c>.</summary>
    public const string UrlPrefix = "/titles";

    public const int MaxSegments = 6;
    public const int MaxSegmentLength = 64;

    /// <summary>The path as served, e.g. <c>/titles/abc/v1/360p/media.mp4</c>.</summary>
    public string UrlPath => $"{UrlPrefix}/{TitleId}/{RelativePath}";

    public string Extension => Path.GetExtension(RelativePath);

    public bool IsPlaylist => Extension.Equals(".m3u8", StringComparison.OrdinalIgnoreCase);

    /// <param name="path">The part after <c>/titles/</c>, as decoded by routing (no leading slash).</param>
    public static bool TryParse(string? path, out MediaPath result)
    {
        result = null!;
        if (string.IsNullOrEmpty(path) || path.Length > MaxSegments * (MaxSegmentLength + 1))
        {
            return false;
        }

        var span = path.AsSpan();
        var slash = span.IndexOf('/');
        if (slash != Hls.TitleId.Length || !Hls.TitleId.IsValid(span[..slash]))
        {
            return false;
        }

        var rest = span[(slash + 1)..];
        var segments = 1;
        foreach (var range in rest.Split('/'))
        {
            if (++segments > MaxSegments || !IsSafeSegment(rest[range]))
            {
                return false;
            }
        }

        result = new MediaPath(path[..slash], path[(slash + 1)..]);
        return true;
    }

    public static bool IsSafeSegment(string segment) => IsSafeSegment(segment.AsSpan());

    public static bool IsSafeSegment(ReadOnlySpan<char> segment)
    {
        if (segment.Length is 0 or > MaxSegmentLength || segment[0] == '.')
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
