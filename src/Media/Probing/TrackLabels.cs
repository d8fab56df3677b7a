namespace Vod.Media.Probing;

/// <summary>What a player's track menu may show: a stream's title from the source, or an admin's label.</summary>
public static class TrackLabels
{
    public const int MaxLength = 64;

    /// <summary>The text trimmed and cut to <see cref="MaxLength"/> characters, or null when it is empty or holds a
    /// control character (a line break would end a manifest line).</summary>
    public static string? Clean(string? text)
    {
        var label = text?.Trim();
        return string.IsNullOrEmpty(label) || label.Any(char.IsControl) ? null : label.Length > MaxLength ? label[..MaxLength] : label;
    }
}
