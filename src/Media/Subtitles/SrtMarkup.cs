using System.Text;

namespace Vod.Media.Subtitles;

/// <summary>
/// SRT text to WebVTT cue text. SRT has no markup standard: editors write HTML-ish tags (<c>&lt;i&gt;</c>,
/// <c>&lt;font color=...&gt;</c>) and ASS override blocks (<c>{\an8}</c>), and a bare <c>&lt;</c> or <c>&amp;</c>
/// is meant literally. WebVTT parses <c>&lt;</c> as a tag and <c>&amp;</c> as a character reference, so the
/// literal ones are escaped, the three styles every player renders are kept, and the rest is dropped rather than
/// shown as text.
/// </summary>
internal static class SrtMarkup
{
    private static readonly string[] KeptTags = ["i", "b", "u", "/i", "/b", "/u"];

    /// <summary>The entities WebVTT readers all know, which an SRT author who wrote them meant as entities.</summary>
    private static readonly string[] NamedEntities = ["amp;", "lt;", "gt;", "nbsp;", "lrm;", "rlm;"];

    public static string ToWebVtt(string line)
    {
        var text = new StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '{' && OverrideEnd(line, i) is > 0 and var overrideEnd)
            {
                i = overrideEnd;
            }
            else if (c == '<' && TagEnd(line, i) is > 0 and var tagEnd)
            {
                var name = line[(i + 1)..tagEnd].Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
                if (KeptTags.Contains(name))
                {
                    text.Append('<').Append(name).Append('>');
                }

                i = tagEnd;
            }
            else if (c == '<')
            {
                text.Append("&lt;");
            }
            else if (c == '>')
            {
                text.Append("&gt;");
            }
            else if (c == '&' && !StartsEntity(line, i))
            {
                text.Append("&amp;");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The index of the <c>}</c> closing an ASS override block (<c>{\an8}</c>) that starts at <paramref name="start"/>,
    /// or -1. The search stops at the next <c>{</c> (blocks do not nest), so each character is looked at a bounded
    /// number of times however many unclosed braces a line has.
    /// </summary>
    private static int OverrideEnd(string line, int start)
    {
        if (start + 1 >= line.Length || line[start + 1] != '\\')
        {
            return -1;
        }

        var end = line.IndexOfAny(['{', '}'], start + 1);
        return end >= 0 && line[end] == '}' ? end : -1;
    }

    /// <summary>
    /// The index of the <c>&gt;</c> closing a tag that starts at <paramref name="start"/> (a letter, or <c>/</c> and a
    /// letter, right after the <c>&lt;</c>), or -1 when the <c>&lt;</c> is text, as in <c>a &lt; b</c> or <c>&lt;3</c>.
    /// </summary>
    private static int TagEnd(string line, int start)
    {
        var name = start + 1;
        if (name < line.Length && line[name] == '/')
        {
            name++;
        }

        if (name >= line.Length || !char.IsAsciiLetter(line[name]))
        {
            return -1;
        }

        var end = line.IndexOfAny(['<', '>'], name);
        return end >= 0 && line[end] == '>' ? end : -1;
    }

    private static bool StartsEntity(string line, int ampersand)
    {
        var rest = line.AsSpan(ampersand + 1);
        foreach (var entity in NamedEntities)
        {
            if (rest.StartsWith(entity, StringComparison.Ordinal))
            {
                return true;
            }
        }

        if (rest.IsEmpty || rest[0] != '#')
        {
            return false;
        }

        var hex = rest.Length > 1 && rest[1] is 'x' or 'X';
        var digits = rest[(hex ? 2 : 1)..];
        var count = 0;
        while (count < digits.Length && (hex ? char.IsAsciiHexDigit(digits[count]) : char.IsAsciiDigit(digits[count])))
        {
            count++;
        }

        return count is > 0 and <= 8 && count < digits.Length && digits[count] == ';';
    }
}
