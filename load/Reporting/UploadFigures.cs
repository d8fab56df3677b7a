namespace Vod.Load.Reporting;

/// <summary>
/// Clips uploaded while the viewers played (JSON <c>uploads</c>): asked for, started (first POST sent), ready, failed
/// (refused, every attempt failed, the transcode failed, or not ready within the upload time-out), and for each ready
/// one the seconds from its first POST to seeing it ready.
/// </summary>
internal sealed record UploadFigures(int Requested, int Started, int Ready, int Failed, IReadOnlyList<double> SecondsToReady)
{
    public double? P50SecondsToReady => Median(SecondsToReady);

    public double? MaxSecondsToReady => SecondsToReady.Count > 0 ? SecondsToReady.Max() : null;

    private static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
