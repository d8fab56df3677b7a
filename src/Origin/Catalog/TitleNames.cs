using System.Text;

namespace Vod.Origin.Catalog;

internal static class TitleNames
{
    /// <summary>
    /// A display name from a client: control and format characters dropped, whitespace collapsed, length capped.
    /// Returns null when nothing printable is left. HTML escaping is the page's job; this keeps the stored value sane.
    /// </summary>
    public static string? Sanitize(string? raw, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var sb = new StringBuilder(Math.Min(raw.Length, maxLength));
        var lastWasSpace = false;
        foreach (var rune in raw.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (Rune.IsWhiteSpace(rune))
            {
                if (!lastWasSpace && sb.Length > 0 && sb.Length < maxLength)
                {
                    sb.Append(' ');
                }

                lastWasSpace = true;
                continue;
            }

            if (category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.Surrogate or System.Globalization.UnicodeCategory.PrivateUse
                or System.Globalization.UnicodeCategory.OtherNotAssigned)
            {
                continue;
            }

            if (sb.Length + rune.Utf16SequenceLength > maxLength)
            {
                break;
            }

            sb.Append(rune.ToString());
            lastWasSpace = false;
        }

        var name = sb.ToString().Trim();
        return name.Length == 0 ? null : name;
    }
}
