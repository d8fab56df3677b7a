using System.Text;

namespace Vod.Media;

/// <summary>
/// What every ffmpeg and ffprobe run on an uploaded file shares: the input whitelists and the argument quoting.
/// Used by the origin's upload probe and by the transcoder (probe, ladder, poster).
/// </summary>
public static class FfmpegArguments
{
    /// <summary>Only the file protocol: an input can never make ffmpeg open a URL or another protocol.</summary>
    public const string ProtocolWhitelist = "file";

    /// <summary>
    /// Demuxers a source may use. Playlist demuxers (hls, concat, ...) and image sequences are absent, so an uploaded
    /// playlist cannot make ffmpeg read other files, even local ones.
    /// </summary>
    public const string FormatWhitelist = "mov,matroska,avi,flv,mpegts,mpeg,mxf,asf,ogg,h264,hevc,m4v,yuv4mpegpipe,dv";

    public static IReadOnlyList<string> SafeInputOptions { get; } =
        ["-protocol_whitelist", ProtocolWhitelist, "-format_whitelist", FormatWhitelist];

    /// <summary>
    /// Joins arguments into one command-line string as .NET splits it again (the MSVC rules): an argument with spaces
    /// or quotes is quoted, and only backslashes that precede a quote are doubled.
    /// </summary>
    public static string Join(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));

    private static string Quote(string arg)
    {
        if (arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c == '"'))
        {
            return arg;
        }

        var sb = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in arg)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            sb.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        return sb.Append('\\', backslashes * 2).Append('"').ToString();
    }
}
