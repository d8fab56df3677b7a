namespace Vod.Common.Fleet;

/// <summary>One read of a registry: the members that passed the reader's checks, and the entries it refused.</summary>
public sealed record FleetRead<T>(IReadOnlyList<(T Member, DateTimeOffset LastHeartbeat)> Members, IReadOnlyList<RefusedEntry> Refused);

/// <summary>A registry entry a reader ignored, and why.</summary>
/// <param name="Field">The hash field it is stored under, made printable (see <see cref="RefusedEntry.Printable"/>).</param>
public readonly record struct RefusedEntry(string Field, string Reason)
{
    /// <summary>A field as it may appear in a log line: control characters as '?', at most 64 characters.</summary>
    public static string Printable(string field)
    {
        var chars = field.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray();
        return new string(chars) + (field.Length > 64 ? "…" : "");
    }
}
