namespace Vod.Common.Fleet;

public static class FleetMemberId
{
    /// <summary>Ids become HLS pathway ids, log fields and Redis fields: short, plain, and validated at start.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= 32 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
