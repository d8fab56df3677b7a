using System.Text;

namespace Vod.Media.Subtitles;

/// <summary>Writes one subtitle track's files into a version directory being built: the WebVTT file and the HLS
/// media playlist whose one segment is that file (players fetch it once for the whole title).</summary>
public static class SubtitleFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <param name="vttPath">The WebVTT file, relative to <paramref name="versionDirectory"/> (<c>subtitles/sub1.vtt</c>).</param>
    /// <param name="playlistPath">The playlist, relative to <paramref name="versionDirectory"/>, in the same directory.</param>
    public static async Task WriteAsync(string versionDirectory, string vttPath, string playlistPath, SubtitleDocument document, TimeSpan duration, CancellationToken cancellationToken)
    {
        var vtt = Path.Combine(versionDirectory, vttPath);
        Directory.CreateDirectory(Path.GetDirectoryName(vtt)!);
        await File.WriteAllTextAsync(vtt, SubtitleText.ToWebVtt(document.Cues), Utf8, cancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(versionDirectory, playlistPath),
            SubtitleText.MediaPlaylist(Path.GetFileName(vttPath), duration.TotalSeconds),
            Utf8,
            cancellationToken);
    }
}
