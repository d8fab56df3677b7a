namespace Vod.Load.Reporting;

/// <summary>What the chaos monkey did (JSON <c>chaos</c>): its settings, and its hits per kind, KILL and STOP alike.</summary>
internal sealed record ChaosFigures(
    string Signal,
    double EverySeconds,
    double RestartAfterSeconds,
    int Seed,
    IReadOnlyList<string> Targets,
    IReadOnlyDictionary<string, int> KillsByKind)
{
    public int Hits => KillsByKind.Values.Sum();
}
