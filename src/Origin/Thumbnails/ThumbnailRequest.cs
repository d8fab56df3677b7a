using System.Globalization;

namespace Vod.Origin.Thumbnails;

/// <summary>
/// A still as asked for, bounded and snapped so that a few distinct images serve every request (caches work): the
/// width up to the next of <see cref="Widths"/>, the time down to a tenth of a second.
/// </summary>
internal readonly record struct ThumbnailRequest(int Width, int Tenths)
{
    public const int MinWidth = 64;
    public const int MaxWidth = 1280;
    public const int DefaultWidth = 320;

    public static IReadOnlyList<int> Widths { get; } = [160, 320, 480, 640, 960, 1280];

    public double Seconds => Tenths / 10.0;

    /// <summary>The snapped request, or the reason it is refused (a 400).</summary>
    /// <param name="time">Seconds into the title (absent: a tenth of the way in, like the poster).</param>
    /// <param name="width">Pixels (absent: <see cref="DefaultWidth"/>).</param>
    public static ThumbnailRequest? Parse(string? time, string? width, double durationSeconds, out string? error)
    {
        error = null;
        var w = DefaultWidth;
        if (width is not null && (!int.TryParse(width, NumberStyles.None, CultureInfo.InvariantCulture, out w) || w < MinWidth || w > MaxWidth))
        {
            error = $"width must be a whole number of pixels from {MinWidth} to {MaxWidth} (it is snapped up to one of {string.Join(", ", Widths)})";
            return null;
        }

        var seconds = durationSeconds / 10;
        if (time is not null && (!double.TryParse(time, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out seconds) || !double.IsFinite(seconds)))
        {
            error = "time must be a number of seconds (for example 12.5)";
            return null;
        }

        if (seconds > durationSeconds)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"time {seconds:0.###} is beyond the title's duration of {durationSeconds:0.###} s");
            return null;
        }

        return new ThumbnailRequest(Widths.First(s => s >= w), (int)Math.Floor(seconds * 10));
    }
}
