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

    /// <summary>The tag length RFC 5646 (section 4.4.1) asks implementations to support.</summary>
    private const int MaxTagLength = 35;

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

    /// <summary>
    /// The English name of a tag's primary language (<c>French</c> for <c>fr</c> and <c>fr-CA</c>), or null for
    /// <c>und</c> and languages not in the table.
    /// </summary>
    public static string? EnglishName(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var dash = tag.IndexOf('-', StringComparison.Ordinal);
        return ByCode.TryGetValue(dash < 0 ? tag : tag[..dash], out var known) ? known.Name : null;
    }

    /// <summary>
    /// Checks a language an admin typed (for an uploaded subtitle track, say) before it goes into HLS <c>LANGUAGE</c>
    /// and DASH <c>lang</c>, where a malformed value breaks track selection in players. Accepts a well-formed BCP 47
    /// tag (RFC 5646 syntax: language, extended language, script, region, variants, extensions, private use; not the
    /// grandfathered irregular tags) of at most 35 characters, which RFC 5646 asks every implementation to handle.
    /// The result is in canonical case (<c>EN-us</c> is <c>en-US</c>, <c>zh-hant-tw</c> is <c>zh-Hant-TW</c>), with a
    /// three-letter ISO 639-2 language in the table replaced by its two-letter tag (<c>eng</c> is <c>en</c>), as
    /// BCP 47 requires, so the same language always gets the same tag. Syntax only: no registry, so <c>qq</c> passes.
    /// </summary>
    public static bool TryNormalize(string? input, out string tag)
    {
        tag = "";
        var trimmed = input?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxTagLength || !trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return false;
        }

        var subtags = trimmed.Split('-');
        var language = subtags[0];
        if (subtags.Any(s => s.Length == 0) || !IsAlpha(language, 2, 3))
        {
            return false;
        }

        List<string> canonical = [language.Length == 3 && ByCode.TryGetValue(language, out var known) ? known.Tag : language.ToLowerInvariant()];
        var i = 1;
        for (var extlang = 0; extlang < 3 && i < subtags.Length && IsAlpha(subtags[i], 3, 3); extlang++)
        {
            canonical.Add(subtags[i++].ToLowerInvariant());
        }

        if (i < subtags.Length && IsAlpha(subtags[i], 4, 4))
        {
            canonical.Add(char.ToUpperInvariant(subtags[i][0]) + subtags[i][1..].ToLowerInvariant());
            i++;
        }

        if (i < subtags.Length && (IsAlpha(subtags[i], 2, 2) || (subtags[i].Length == 3 && subtags[i].All(char.IsAsciiDigit))))
        {
            canonical.Add(subtags[i++].ToUpperInvariant());
        }

        // Variants, then extensions (a singleton other than x and its subtags), then private use (x and its subtags);
        // RFC 5646 allows each variant and singleton once.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (; i < subtags.Length && IsVariant(subtags[i]); i++)
        {
            if (!seen.Add(subtags[i]))
            {
                return false;
            }

            canonical.Add(subtags[i].ToLowerInvariant());
        }

        while (i < subtags.Length && subtags[i].Length == 1)
        {
            var singleton = subtags[i++];
            var privateUse = singleton is "x" or "X";
            var (min, max) = privateUse ? (1, 8) : (2, 8);
            var first = i;
            while (i < subtags.Length && subtags[i].Length >= min && subtags[i].Length <= max)
            {
                i++;
            }

            if (i == first || !seen.Add(singleton))
            {
                return false;
            }

            canonical.AddRange(subtags[(first - 1)..i].Select(s => s.ToLowerInvariant()));
            if (privateUse)
            {
                break;
            }
        }

        if (i != subtags.Length)
        {
            return false;
        }

        tag = string.Join('-', canonical);
        return true;
    }

    private static bool IsAlpha(string subtag, int min, int max) =>
        subtag.Length >= min && subtag.Length <= max && subtag.All(char.IsAsciiLetter);

    /// <summary>RFC 5646 variant: 5 to 8 letters or digits, or a digit and 3 letters or digits (<c>1901</c>).</summary>
    private static bool IsVariant(string subtag) =>
        subtag.Length is >= 5 and <= 8 || (subtag.Length == 4 && char.IsAsciiDigit(subtag[0]));
}
