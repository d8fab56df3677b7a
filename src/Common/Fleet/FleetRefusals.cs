namespace Vod.Common.Fleet;

/// <summary>
/// Which refused registry entries a reader has already reported. Readers read every second or two, and one poisoned
/// entry must make one log line, not one a second; an entry that goes away and comes back is reported again.
/// </summary>
public sealed class FleetRefusals
{
    private HashSet<RefusedEntry> _reported = [];

    /// <summary>The entries of this read not reported since they last appeared. Called by one reader loop at a time.</summary>
    public IReadOnlyList<RefusedEntry> New(IReadOnlyList<RefusedEntry> refused)
    {
        var current = refused.ToHashSet();
        var fresh = refused.Where(r => !_reported.Contains(r)).Distinct().ToList();
        _reported = current;
        return fresh;
    }
}
