namespace Vod.Media.Probing;

/// <summary>
/// Containers tag streams with ISO 639-2 codes (<c>eng</c>, <c>fre</c> or <c>fra</c>); HLS <c>LANGUAGE</c> and DASH
/// <c>lang</c> want BCP 47, which uses the ISO 639-1 code where there is one (<c>en</c>, <c>fr</c>). The services run
/// with invariant globalization (no culture data), so the common languages are a table here; any other well-formed
/// three-letter code is kept as it is (valid BCP 47 too), and anything else is <c>und</c>.
/// </summary>
public static class LanguageTags
{
    public const string Undetermined = "und";

    private static readonly (string[] Codes, string Tag, string Name)[] Languages =
    [
        (["ara"], "ar", "Arabic"), (["ben"], "bn", "Bengali"), (["bul"], "bg", "Bulgarian"), (["cat"], "ca", "Catalan"),
        (["ces", "cze"], "cs", "Czech"), (["zho", "chi"], "zh", "Chinese"), (["dan"], "da", "Danish"), (["deu", "ger"], "de", "German"),
        (["ell", "gre"], "el", "Greek"), (["eng"], "en", "English"), (["spa"], "es", "Spanish"), (["est"], "et", "Estonian"),
        (["fas", "per"], "fa", "Persian"), (["fin"], "fi", "Finnish"), (["fra", "fre"], "fr", "French"), (["heb"], "he", "Hebrew"),
        (["hin"], "hi", "Hindi"), (["hrv"], "hr", "Croatian"), (["hun"], "hu", "Hungarian"), (["ind"], "id", "Indonesian"),
        (["isl", "ice"], "is", "Icelandic"), (["ita"], "it", "Italian"), (["jpn"], "ja", "Japanese"), (["kor"], "ko", "Korean"),
        (["lit"], "lt", "Lithuanian"), (["lav"], "lv", "Latvian"), (["msa", "may"], "ms", "Malay"), (["nld", "dut"], "nl", "Dutch"),
        (["nor"], "no", "Norwegian"), (["pol"], "pl", "Polish"), (["por"], "pt", "Portuguese"), (["ron", "rum"], "ro", "Romanian"),
        (["rus"], "ru", "Russian"), (["slk", "slo"], "sk", "Slovak"), (["slv"], "sl", "Slovenian"), (["srp"], "sr", "Serbian"),
        (["swe"], "sv", "Swedish"), (["tam"], "ta", "Tamil"), (["tha"], "th", "Thai"), (["tur"], "tr", "Turkish"),
        (["ukr"], "uk", "Ukrainian"), (["urd"], "ur", "Urdu"), (["vie"], "vi", "Vietnamese"), (["cym", "wel"], "cy", "Welsh"),
    ];

    private static readonly Dictionary<string, (string Tag, string Name)> ByCode = Languages
        .SelectMany(l => l.Codes.Append(l.Tag).Select(c => (Code: c, l.Tag, l.Name)))
        .ToDictionary(x => x.Code, x => (x.Tag, x.Name), StringComparer.OrdinalIgnoreCase);

    /// <summary>The BCP 47 tag for a stream's language tag: <c>en</c> for <c>eng</c>, <c>und</c> when missing or malformed.</summary>
    public static string FromStreamTag(string? code)
    {
        var trimmed = code?.Trim() ?? "";
        if (ByCode.TryGetValue(trimmed, out var known))
        {
            return known.Tag;
        }

        return trimmed.Length == 3 && trimmed.All(char.IsAsciiLetter) ? trimmed.ToLowerInvariant() : Undetermined;
    }

    /// <summary>The language's English name (<c>French</c> for <c>fr</c>), or null for <c>und</c> and languages not in the table.</summary>
    public static string? EnglishName(string tag) => ByCode.TryGetValue(tag, out var known) ? known.Name : null;
}
